// Conformance with a real client: the official BoxLite Node SDK's REST
// runtime drives boxlite-sim (started by run.sh with an API key and a path
// prefix holding a '/') through everything boxtop's operators do: list, get,
// metrics, snapshots, clone, export to a file and import of that file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ApiKeyCredential, BoxliteRestOptions, JsBoxlite } from '@boxlite-ai/boxlite';

import { key, ok, prefix, rejects, step, summary, url } from './lib.mjs';

const rt = JsBoxlite.rest(
	new BoxliteRestOptions({ url, credential: new ApiKeyCredential(key), pathPrefix: prefix }));
const dir = mkdtempSync(join(tmpdir(), 'boxtop-sdk-'));

// The manifest and the sha256 of disk.qcow2 of a .boxlite file.
function archive(file) {
	const tar = (member) => execFileSync('sh', ['-c', `zstd -dc "$0" | tar xOf - ${member}`, file]);
	const manifest = JSON.parse(tar('manifest.json').toString());
	const sum = execFileSync('sh', ['-c', 'zstd -dc "$0" | tar xOf - disk.qcow2 | sha256sum', file])
		.toString().split(' ')[0];
	return { manifest, sum: `sha256:${sum}` };
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
	ok((await box.info()).state.running === true, 'started box runs');
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
	ok((await box.info()).state.running === false, 'stopped box does not run');
	await step('restore on a stopped box', () => box.snapshot.restore('sdk-snap'));
	await rejects('remove the snapshot the disk depends on', () => box.snapshot.remove('sdk-snap'),
		/in use/);
	await step('second snapshot', () => box.snapshot.create('sdk-snap-2'));
	await step('snapshot remove', () => box.snapshot.remove('sdk-snap-2'));
	ok((await box.snapshot.list()).length === 1, 'removed snapshot is gone');

	const clone = await step('clone', () => box.cloneBox(null, 'web-3-sdk-clone'));
	ok(clone?.name === 'web-3-sdk-clone', 'clone name', clone?.name);
	const cloneInfo = await step('clone info', () => clone.info());
	ok(cloneInfo?.state.status === 'stopped', 'clone comes back stopped', cloneInfo?.state.status);
	ok(cloneInfo?.image === byName?.image, 'clone keeps the image');

	const file = join(dir, 'web-3.boxlite');
	const out = await step('export', () => box.export(file));
	ok(out === file, 'export returns its path', out);
	ok(statSync(file).size > 0, 'export wrote the archive');
	ok(readFileSync(file).subarray(0, 4).toString('hex') === '28b52ffd', 'export is zstd');
	const a = archive(file);
	ok(a.manifest.version === 3, 'manifest version 3', a.manifest.version);
	ok(a.manifest.box_name === 'web-3', 'manifest box name', a.manifest.box_name);
	ok(a.manifest.container_disk_checksum === a.sum, 'manifest checksum is the disk\'s',
		`${a.manifest.container_disk_checksum} vs ${a.sum}`);

	await step('remove the exported box', () => rt.remove('web-3', true));
	ok((await rt.getInfo('web-3')) === null, 'removed box is gone');
	const imported = await step('import', () => rt.importBox(file, 'web-3'));
	const info = await step('imported info', () => imported.info());
	ok(info?.name === 'web-3', 'import keeps the name', info?.name);
	ok(info?.image === byName?.image, 'import keeps the image', info?.image);
	ok(info?.state.status === 'stopped', 'import comes back stopped', info?.state.status);
	const again = join(dir, 'again.boxlite');
	await step('export the imported box', () => imported.export(again));
	ok(archive(again).sum === a.sum, 'the round trip keeps the disk byte for byte');

	await rejects('remove a running box without force', async () => {
		const b = await rt.get('web-1');
		await b.start();
		await rt.remove('web-1', false);
	}, /running|invalid state/i);
} finally {
	rmSync(dir, { recursive: true, force: true });
}
summary('sdk');
