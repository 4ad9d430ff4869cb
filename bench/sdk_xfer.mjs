// The official BoxLite Node SDK's REST client doing one export or one import,
// for bench_clients.sh to time next to curl and boxtop. The SDK is the one
// tests/conformance pins (npm ci there installs it).
//   node sdk_xfer.mjs export URL BOX FILE   writes BOX's archive to FILE
//   node sdk_xfer.mjs import URL FILE NAME  prints the new box's id
const sdk = await import(new URL(
	'../tests/conformance/node_modules/@boxlite-ai/boxlite/dist/index.js', import.meta.url));

const [mode, url, a, b] = process.argv.slice(2);
const rt = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url }));
if (mode === 'export') {
	const box = await rt.get(a);
	if (box === null)
		throw new Error(`no box ${a}`);
	await box.export(b);
} else if (mode === 'import') {
	const box = await rt.importBox(a, b);
	console.log(box.id);
} else {
	console.error('usage: sdk_xfer.mjs export URL BOX FILE | import URL FILE NAME');
	process.exit(2);
}
