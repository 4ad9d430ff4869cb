// Conformance with a real client: the official BoxLite Node SDK's REST
// runtime drives boxlite-sim (started by run.sh with an API key and a path
// prefix holding a '/') through everything boxtop's operators do: list, get,
// metrics, snapshots, clone, export to a file and import of that file. The
// SDK talks through a recording proxy, so the requests it sends (the shapes
// the simulator must accept) are checked too; SDK_WIRE_LOG=FILE writes them
// out as JSON lines.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ApiKeyCredential, BoxliteRestOptions, JsBoxlite } from '@boxlite-ai/boxlite';

import { key, ok, prefix, recorder, rejects, step, summary, url } from './lib.mjs';

const proxy = await recorder(url);
const rt = JsBoxlite.rest(new BoxliteRestOptions({
	url: proxy.url, credential: new ApiKeyCredential(key), pathPrefix: prefix || undefined }));
const dir = mkdtempSync(join(tmpdir(), 'boxtop-sdk-'));
const scoped = prefix ? `/v1/${prefix}` : '/v1';
// run.sh runs this against the spec flavor (with a prefix) and against the
// serve flavor (boxlite serve's rules, no prefix); where they differ, both are checked.
const serve = process.env.SIM_FLAVOR === 'serve';

// The manifest and the sha256 of disk.qcow2 of a .boxlite file.
function archive(file) {
	const sh = (cmd) => execFileSync('sh', ['-c', cmd, file], { stdio: ['ignore', 'pipe', 'pipe'] });
	const manifest = JSON.parse(sh('zstd -qdc "$0" | tar xOf - manifest.json').toString());
	const sum = sh('zstd -qdc "$0" | tar xOf - disk.qcow2 | sha256sum').toString().split(' ')[0];
	return { manifest, sum: `sha256:${sum}` };
}

// The requests the SDK sent while fn ran.
async function sent(fn) {
	const from = proxy.log.length;
	await fn();
	return proxy.log.slice(from);
}

// The one request in reqs whose method is method and whose path matches re.
function only(reqs, method, re, what) {
	const hits = reqs.filter((r) => r.method === method && re.test(r.path));
	ok(hits.length === 1, `${what}: one ${method} ${re}`,
		JSON.stringify(reqs.map((r) => `${r.method} ${r.path}`)));
	return hits[0] ?? { headers: {}, body: Buffer.alloc(0), path: '' };
}

try {
	const boxes = await step('listInfo', () => rt.listInfo());
	ok(boxes?.length === 24, 'the demo fleet has 24 boxes', boxes?.length);
	ok(boxes?.some((b) => b.name === 'web-3'), 'web-3 is listed');

	const byName = await step('getInfo by name', () => rt.getInfo('web-3'));
	ok(byName?.name === 'web-3', 'getInfo by name', byName?.name);
	const byId = await step('getInfo by id', () => rt.getInfo(byName.id));
	ok(byId?.id === byName?.id && byId?.image === byName?.image, 'getInfo by id matches');
	ok((await step('getInfo of a missing box', () => rt.getInfo('no-such-box'))) === null,
		'a missing box is null');

	const rm = await step('runtime metrics', () => rt.metrics());
	ok(rm?.boxesCreatedTotal === 24, 'boxes created total', rm?.boxesCreatedTotal);
	ok(rm?.numRunningBoxes > 0, 'some boxes run', rm?.numRunningBoxes);

	const box = await step('get', () => rt.get('web-3'));
	await step('start', () => box.start());
	ok((await step('info', () => box.info()))?.state.running === true, 'started box runs');
	const m = await step('box metrics', () => box.metrics());
	ok(typeof m?.commandsExecutedTotal === 'number', 'box metrics counters');
	ok(typeof m?.cpuPercent === 'number', 'a running box has a CPU%', m?.cpuPercent);

	const snap = await step('snapshot create', () => box.snapshot.create('sdk-snap'));
	ok(snap?.name === 'sdk-snap' && snap?.id?.length === 8, 'snapshot fields', JSON.stringify(snap));
	ok(Number.isInteger(snap?.createdAt), 'snapshot createdAt is unix seconds');
	await rejects('duplicate snapshot', () => box.snapshot.create('sdk-snap'), /exist/i);
	const snaps = await step('snapshot list', () => box.snapshot.list());
	ok(snaps?.length === 1 && snaps[0].name === 'sdk-snap', 'snapshot list', JSON.stringify(snaps));
	const got = await step('snapshot get', () => box.snapshot.get('sdk-snap'));
	ok(got?.id === snap?.id, 'snapshot get');
	ok((await step('snapshot get missing', () => box.snapshot.get('nope'))) === null,
		'a missing snapshot is null');
	await rejects('restore on a running box', () => box.snapshot.restore('sdk-snap'),
		/Cannot restore snapshot while box is running/);
	await step('stop', () => box.stop());
	ok((await step('info', () => box.info()))?.state.running === false, 'stopped box does not run');
	await step('restore on a stopped box', () => box.snapshot.restore('sdk-snap'));
	await rejects('remove the snapshot the disk depends on', () => box.snapshot.remove('sdk-snap'),
		/current disk depends on this snapshot/);
	// api.md's rule: a stopped box's snapshot forks its disk, so it cannot go
	// at once; after restoring the first, the second is a leaf and can.
	await step('second snapshot', () => box.snapshot.create('sdk-snap-2'));
	await rejects('remove a snapshot the live disk was forked from',
		() => box.snapshot.remove('sdk-snap-2'), /current disk depends on this snapshot/);
	const listed = await step('snapshot list', () => box.snapshot.list());
	ok(listed?.[0]?.name === (serve ? 'sdk-snap-2' : 'sdk-snap'),
		serve ? 'serve lists snapshots newest first' : 'the spec lists snapshots oldest first',
		JSON.stringify(listed?.map((x) => x.name)));
	await step('restore the first again', () => box.snapshot.restore('sdk-snap'));
	await step('snapshot remove', () => box.snapshot.remove('sdk-snap-2'));
	ok((await step('snapshot list', () => box.snapshot.list()))?.length === 1, 'removed snapshot is gone');

	let clone;
	let wire = await sent(() => step('clone', async () => {
		clone = await box.cloneBox(null, 'web-3-sdk-clone');
	}));
	let req = only(wire, 'POST', /\/clone$/, 'clone');
	ok(req.path === `${scoped}/boxes/${byName?.id}/clone`, 'clone path: prefix verbatim, box id', req.path);
	ok(req.headers['content-type'] === 'application/json', 'clone is JSON', req.headers['content-type']);
	ok(req.body.toString() === '{"name":"web-3-sdk-clone"}', 'clone body', req.body.toString());
	ok(clone?.name === 'web-3-sdk-clone', 'clone name', clone?.name);
	const cloneInfo = await step('clone info', () => clone.info());
	ok(cloneInfo?.state.status === 'stopped', 'clone comes back stopped', cloneInfo?.state.status);
	ok(cloneInfo?.image === byName?.image, 'clone keeps the image');
	await rejects('clone onto a taken name', () => box.cloneBox(null, 'web-3-sdk-clone'), /already exists/);
	let unnamed;
	wire = await sent(() => step('unnamed clone', async () => { unnamed = await box.cloneBox(); }));
	req = only(wire, 'POST', /\/clone$/, 'unnamed clone');
	ok(req.body.toString() === '{}', 'an unnamed clone sends {}', req.body.toString());
	const unnamedInfo = await step('unnamed clone info', () => unnamed.info());
	ok(unnamedInfo?.id !== byName?.id && unnamedInfo?.state.status === 'stopped',
		'the unnamed clone is a new stopped box', JSON.stringify(unnamedInfo?.state));

	const file = join(dir, 'web-3.boxlite');
	let out;
	wire = await sent(() => step('export', async () => { out = await box.export(file); }));
	req = only(wire, 'POST', /\/export$/, 'export');
	ok(req.path === `${scoped}/boxes/${byName?.id}/export`, 'export path', req.path);
	ok(req.body.toString() === '{}' && req.headers['content-type'] === 'application/json',
		'export sends {} as JSON', `${req.headers['content-type']} ${req.body}`);
	ok(req.resHeaders?.['content-type'] === 'application/octet-stream', 'export answers octet-stream',
		req.resHeaders?.['content-type']);
	ok(out === file, 'export returns its path', out);
	ok(existsSync(file) && statSync(file).size > 0, 'export wrote the archive');
	ok(existsSync(file) && readFileSync(file).subarray(0, 4).toString('hex') === '28b52ffd', 'export is zstd');
	const a = await step('read the export', () => archive(file)) ?? { manifest: {} };
	ok(a.manifest.version === 3, 'manifest version 3', a.manifest.version);
	ok(a.manifest.box_name === 'web-3', 'manifest box name', a.manifest.box_name);
	ok(a.manifest.container_disk_checksum === a.sum, 'manifest checksum is the disk\'s',
		`${a.manifest.container_disk_checksum} vs ${a.sum}`);

	await step('remove the exported box', () => rt.remove('web-3', true));
	ok((await step('getInfo', () => rt.getInfo('web-3'))) === null, 'removed box is gone');
	let imported;
	wire = await sent(() => step('import', async () => { imported = await rt.importBox(file, 'web-3'); }));
	req = only(wire, 'POST', /\/boxes\/import/, 'import');
	ok(req.path === `${scoped}/boxes/import?name=web-3`, 'import path and name query', req.path);
	ok(req.headers['content-type'] === 'application/octet-stream', 'import sends octet-stream',
		req.headers['content-type']);
	ok(existsSync(file) && req.body.equals(readFileSync(file)), 'import sends the archive file as is');
	ok(req.status === 201, 'import answers 201', req.status);
	const info = await step('imported info', () => imported.info());
	ok(info?.name === 'web-3', 'import keeps the name', info?.name);
	ok(info?.image === byName?.image, 'import keeps the image', info?.image);
	ok(info?.state.status === 'stopped', 'import comes back stopped', info?.state.status);
	const again = join(dir, 'again.boxlite');
	await step('export the imported box', () => imported.export(again));
	ok((await step('read the second export', () => archive(again)))?.sum === a.sum,
		'the round trip keeps the disk byte for byte');

	wire = await sent(() => step('unnamed import', () => rt.importBox(file)));
	req = only(wire, 'POST', /\/boxes\/import/, 'unnamed import');
	ok(req.path === `${scoped}/boxes/import`, 'an unnamed import sends no name', req.path);
	const bad = join(dir, 'bad.boxlite');
	writeFileSync(bad, 'not an archive');
	await rejects('import of a non-archive', () => rt.importBox(bad, 'bad'), /invalid argument/);

	const running = await step('get billing', () => rt.get('billing'));
	ok((await running?.info())?.state.running === true, 'billing runs');
	const live = await step('export a running box into a directory', () => running.export(dir));
	ok(live === join(dir, 'billing.boxlite'), 'export into a directory names the file after the box', live);
	const la = await step('read the running box\'s export', () => archive(live));
	ok(la?.manifest.box_name === 'billing', 'the running box\'s export', la?.manifest.box_name);
	ok((await running?.info())?.state.running === true, 'the box runs again after its export');

	// remove(x, false) sends no force: the spec refuses a running box, serve forces.
	const removeRunning = async () => {
		const b = await rt.get('web-1');
		await b.start();
		await rt.remove('web-1', false);
	};
	if (serve) {
		await step('remove a running box without force (serve forces)', removeRunning);
		ok((await rt.getInfo('web-1')) === null, 'serve removed the running box');
	} else {
		await rejects('remove a running box without force', removeRunning, /running|invalid state/i);
	}

	// What holds for every request.
	const box_routes = proxy.log.filter((r) => !/^\/v1\/(config|me)$/.test(r.path));
	ok(box_routes.every((r) => r.path.startsWith(`${scoped}/`)),
		'every box route carries the prefix verbatim', box_routes.map((r) => r.path).find((p) => !p.startsWith(`${scoped}/`)));
	ok(proxy.log.every((r) => r.headers.authorization === `Bearer ${key}`), 'every request carries the key');
	ok(proxy.log.every((r) => r.status !== 400 || /import/.test(r.path)), 'no request was malformed',
		proxy.log.filter((r) => r.status === 400).map((r) => `${r.method} ${r.path}`).join(', '));
} catch (e) {
	ok(false, 'the script ran to its end', e?.stack ?? String(e));
} finally {
	rmSync(dir, { recursive: true, force: true });
	if (process.env.SDK_WIRE_LOG) {
		writeFileSync(process.env.SDK_WIRE_LOG, proxy.log.map((r) => `${JSON.stringify({
			method: r.method, path: r.path, headers: { ...r.headers, authorization: 'Bearer <key>' },
			body: r.body.length > 256 ? `<${r.body.length} bytes>` : r.body.toString(),
			status: r.status, resHeaders: r.resHeaders })}\n`).join(''));
	}
}
summary('sdk');
