// Conformance of a box's files: the official Node SDK's copyIn and copyOut
// (JsBox) against boxlite-sim, through the recording proxy. A directory and
// a lone file go in and come back byte for byte; the requests are PUT and
// GET .../files with a path; a missing path and a stopped box are refused
// (serve brings a stopped box up instead, as its copy_out does).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

import { ApiKeyCredential, BoxliteRestOptions, JsBoxlite } from '@boxlite-ai/boxlite';

import { key, ok, prefix, recorder, rejects, step, summary, url } from './lib.mjs';

const proxy = await recorder(url);
const rt = JsBoxlite.rest(new BoxliteRestOptions({
	url: proxy.url, credential: new ApiKeyCredential(key), pathPrefix: prefix || undefined }));
const dir = mkdtempSync(join(tmpdir(), 'boxtop-sdk-files-'));
const scoped = prefix ? `/v1/${prefix}` : '/v1';
const serve = process.env.SIM_FLAVOR === 'serve';

async function sent(fn) {
	const from = proxy.log.length;
	await fn();
	return proxy.log.slice(from);
}

// Whether two directories hold the same files (diff -r).
function same(a, b) {
	try {
		execFileSync('diff', ['-r', a, b], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

try {
	const box = await step('get web-1', () => rt.get('web-1'));
	ok((await box?.info())?.state.running === true, 'web-1 runs');

	// a directory in and out: the SDK sends its contents, the server makes the directory
	const src = join(dir, 'src');
	mkdirSync(join(src, 'sub'), { recursive: true });
	writeFileSync(join(src, 'a.txt'), 'hello from the sdk\n');
	writeFileSync(join(src, 'sub', 'random.bin'), randomBytes(100000));
	const wire = await sent(() => step('copyIn a directory', () => box.copyIn(src, '/srv/app')));
	const put = wire.find((r) => r.method === 'PUT');
	ok(put !== undefined && put.path.startsWith(`${scoped}/boxes/`) && /\/files\?/.test(put.path),
		'copyIn sends PUT .../files', wire.map((r) => `${r.method} ${r.path}`).join(', '));
	ok(put?.status === 204, 'the upload is answered 204', put?.status);
	const out = join(dir, 'out');
	mkdirSync(out);
	const got = await sent(() => step('copyOut the directory', () => box.copyOut('/srv/app', out)));
	const get = got.find((r) => r.method === 'GET' && /\/files\?/.test(r.path));
	ok(get?.status === 200, 'copyOut sends GET .../files, answered 200',
		got.map((r) => `${r.method} ${r.path} ${r.status}`).join(', '));
	const back = existsSync(join(out, 'app')) ? join(out, 'app') : out;
	ok(same(src, back), 'the directory comes back byte for byte', back);

	// a lone file
	const one = join(dir, 'one.txt');
	writeFileSync(one, 'just one\n');
	await step('copyIn a file', () => box.copyIn(one, '/root/one.txt'));
	const oneBack = join(dir, 'one-back.txt');
	await step('copyOut the file', () => box.copyOut('/root/one.txt', oneBack));
	const oneGot = existsSync(oneBack) && !existsSync(join(oneBack, 'one.txt'))
		? readFileSync(oneBack, 'utf8')
		: existsSync(join(oneBack, 'one.txt')) ? readFileSync(join(oneBack, 'one.txt'), 'utf8') : null;
	ok(oneGot === 'just one\n', 'the file comes back', oneGot);

	// a seeded file
	const host = join(dir, 'hostname');
	await step('copyOut a seeded file', () => box.copyOut('/etc/hostname', host));
	const hostGot = existsSync(join(host, 'hostname')) ? readFileSync(join(host, 'hostname'), 'utf8')
		: existsSync(host) ? readFileSync(host, 'utf8') : null;
	ok(hostGot === 'web-1\n', '/etc/hostname is the box name', hostGot);

	await rejects('copyOut of a missing path', () => box.copyOut('/no/such/file', join(dir, 'x')),
		/not found|no such|404/i);

	const stopped = await step('get web-3', () => rt.get('web-3'));
	if (serve) {
		await step('serve: copyOut of a stopped box brings it up',
			() => stopped.copyOut('/etc/hostname', join(dir, 'h3')));
		ok((await rt.getInfo('web-3'))?.state.running === true, 'serve: web-3 runs after the copy');
	} else {
		await rejects('copyOut of a stopped box', () => stopped.copyOut('/etc/hostname',
			join(dir, 'h3')), /running|invalid state|409/i);
	}
} catch (e) {
	ok(false, 'the script ran to its end', e?.stack ?? String(e));
} finally {
	rmSync(dir, { recursive: true, force: true });
	proxy.close();
}
summary('sdk_files');
