// The official BoxLite Node SDK's REST client running `yes` in a box through
// box.exec (POST .../exec, then the attach WebSocket) and reading its stdout
// until BYTES have come, for bench_exec.sh to time next to
// `boxtop exec BOX -- yes | head -c BYTES`. The SDK is the one
// tests/conformance pins (npm ci there installs it).
//   node sdk_exec.mjs URL BOX BYTES   prints the bytes read and the seconds
//                                     from the exec call to the last of them
const sdk = await import(new URL(
	'../tests/conformance/node_modules/@boxlite-ai/boxlite/dist/index.js', import.meta.url));

const [url, name, want] = process.argv.slice(2);
if (want === undefined) {
	console.error('usage: sdk_exec.mjs URL BOX BYTES');
	process.exit(2);
}
const rt = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url }));
const box = await rt.get(name);
if (box === null)
	throw new Error(`no box ${name}`);
const t0 = process.hrtime.bigint();
const ex = await box.exec('yes', [], null, false, null, null, null);
const out = await ex.stdout();
let got = 0;
// Stopped early (bench_exec.sh's timeout): what had come by then.
process.on('SIGTERM', () => {
	console.log(`${got} ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(3)}`);
	process.exit(1);
});
while (got < Number(want)) {
	const chunk = await out.next();
	if (chunk === null || chunk === undefined)
		break;
	got += Buffer.byteLength(chunk); // `yes` is ASCII: the string's bytes are the stream's
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`${got} ${secs.toFixed(3)}`);
await ex.kill().catch(() => {});
process.exit(got >= Number(want) ? 0 : 1);
