// Conformance of exec with a real client: the official BoxLite Node SDK's
// REST runtime runs commands in boxlite-sim's boxes through box.exec, which
// is POST .../exec and then the attach WebSocket (api.md, "Exec and
// attach"). It talks to the simulator directly: the recording proxy of
// lib.mjs does not carry WebSocket upgrades.
import { ApiKeyCredential, BoxliteRestOptions, JsBoxlite } from '@boxlite-ai/boxlite';

import { key, ok, prefix, step, summary, url } from './lib.mjs';

const rt = JsBoxlite.rest(new BoxliteRestOptions({
	url, credential: new ApiKeyCredential(key), pathPrefix: prefix || undefined }));

// Everything a stream gives until its end.
async function drain(stream) {
	let all = '';
	for (;;) {
		const chunk = await stream.next();
		if (chunk === null || chunk === undefined) return all;
		all += chunk;
	}
}

// Runs command with args; resolves {stdout, stderr, exitCode}.
async function run(box, command, args, opts = {}) {
	const ex = await box.exec(command, args, opts.env ?? null, opts.tty ?? false, null, null, null);
	const [stdout, stderr] = await Promise.all([
		ex.stdout().then(drain), ex.stderr().then(drain)]);
	const res = await ex.wait();
	return { stdout, stderr, exitCode: res.exitCode, id: await ex.id() };
}

// Bounds a step: a hang is a failure, not a stuck suite.
function bounded(ms, p) {
	return Promise.race([p, new Promise((_, reject) =>
		setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))]);
}

const box = await step('get web-1', () => rt.get('web-1'));
await step('start', () => box.start());

const echo = await step('exec echo', () => bounded(15000, run(box, 'echo', ['hello', 'sdk'])));
ok(echo?.stdout === 'hello sdk\n', 'echo stdout', JSON.stringify(echo?.stdout));
ok(echo?.exitCode === 0, 'echo exit code', echo?.exitCode);
ok(/^exec-/.test(echo?.id ?? ''), 'an execution id', echo?.id);

const sh = await step('exec sh -c', () => bounded(15000,
	run(box, 'sh', ['-c', 'echo out; echo err >&2; exit 3'])));
ok(sh?.stdout === 'out\n', 'sh stdout', JSON.stringify(sh?.stdout));
ok(sh?.stderr === 'err\n', 'sh stderr apart', JSON.stringify(sh?.stderr));
ok(sh?.exitCode === 3, 'sh exit code 3', sh?.exitCode);

const env = await step('exec with env', () => bounded(15000,
	run(box, 'sh', ['-c', 'echo $GREETING'], { env: [['GREETING', 'from-sdk']] })));
ok(env?.stdout === 'from-sdk\n', 'env reaches the command', JSON.stringify(env?.stdout));

const missing = await step('exec of a missing command', () => bounded(15000,
	run(box, 'no-such-command', [])));
ok(missing?.exitCode === 127, 'a missing command exits 127', missing?.exitCode);

const stdinRun = await step('exec cat with stdin', () => bounded(15000, (async () => {
	const ex = await box.exec('cat', [], null, false, null, null, null);
	const out = ex.stdout().then(drain);
	const stdin = await ex.stdin();
	await stdin.writeString('typed in\n');
	await stdin.close();
	return { stdout: await out, exitCode: (await ex.wait()).exitCode };
})()));
ok(stdinRun?.stdout === 'typed in\n', 'stdin reaches cat', JSON.stringify(stdinRun?.stdout));
ok(stdinRun?.exitCode === 0, 'cat ends at stdin EOF', stdinRun?.exitCode);

summary('sdk_exec');
