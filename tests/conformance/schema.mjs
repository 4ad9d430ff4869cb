// The spec flavor's answers checked against the OpenAPI schemas (carried in
// schemas.json, extracted from the upstream description): every GET route,
// the mutations that answer with JSON, and an error body.
import { readFileSync } from 'node:fs';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import { key, ok, prefix, step, summary, url } from './lib.mjs';

// SCHEMAS replaces the file (selftest.sh points it at a broken copy).
const schemas = JSON.parse(readFileSync(process.env.SCHEMAS ?? new URL('./schemas.json', import.meta.url)));
// strict off: the OpenAPI description uses `example`, which is not JSON Schema.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(schemas);

// body: undefined (none), a Buffer (sent as application/octet-stream) or a
// value sent as JSON. scoped: the route takes the prefix. auth: send the key.
async function call(method, path, body, scoped = true, auth = true) {
	const full = `${url}/v1${scoped && prefix ? `/${prefix}` : ''}${path}`;
	const raw = Buffer.isBuffer(body);
	const headers = { 'content-type': raw ? 'application/octet-stream' : 'application/json' };
	if (auth)
		headers.authorization = `Bearer ${key}`;
	const res = await fetch(full, {
		method,
		headers,
		body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
	});
	return { status: res.status, json: await res.json().catch(() => undefined) };
}

// The answer to method path has status want and validates against schema.
async function conforms(schema, method, path, want, body, scoped, auth) {
	const res = await step(`${method} ${path}`, () => call(method, path, body, scoped, auth));
	if (res === undefined)
		return undefined;
	ok(res.status === want, `${method} ${path} status`, res.status);
	const validate = ajv.getSchema(`${schemas.$id}#/$defs/${schema}`);
	const valid = validate(res.json);
	ok(valid, `${method} ${path} is a ${schema}`, ajv.errorsText(validate.errors));
	return res.json;
}

await conforms('ServerConfig', 'GET', '/config', 200, undefined, false);
await conforms('Principal', 'GET', '/me', 200, undefined, false);
const list = await conforms('ListBoxesResponse', 'GET', '/boxes?pageSize=5', 200);
ok(typeof list?.next_page_token === 'string', 'a page of 5 out of 24 has a next_page_token');
if (typeof list?.next_page_token === 'string') {
	await conforms('ListBoxesResponse', 'GET',
		`/boxes?pageSize=5&pageToken=${encodeURIComponent(list.next_page_token)}`, 200);
}
await conforms('ListBoxesResponse', 'GET', '/boxes?status=stopped', 200);
// The whole demo fleet in one page: every status it holds.
const all = await conforms('ListBoxesResponse', 'GET', '/boxes?pageSize=1000', 200);
ok(all?.boxes?.length === 24 && !all?.next_page_token, 'one page holds the fleet', all?.boxes?.length);
await conforms('Box', 'GET', '/boxes/web-1', 200);
await conforms('Box', 'POST', '/boxes/web-1/start', 200, {});
await conforms('BoxMetrics', 'GET', '/boxes/web-1/metrics', 200);
await conforms('RuntimeMetrics', 'GET', '/metrics', 200);
await conforms('Box', 'POST', '/boxes/web-1/stop', 200, { timeout_seconds: 5 });
await conforms('BoxMetrics', 'GET', '/boxes/web-1/metrics', 200);
await conforms('Snapshot', 'POST', '/boxes/web-1/snapshots', 201, { name: 'schema-snap' });
await conforms('ListSnapshotsResponse', 'GET', '/boxes/web-1/snapshots', 200);
await conforms('Snapshot', 'GET', '/boxes/web-1/snapshots/schema-snap', 200);
await conforms('Box', 'POST', '/boxes', 201, { name: 'schema-made', image: 'alpine:3.20' });
await conforms('Box', 'POST', '/boxes/web-1/clone', 201, { name: 'schema-clone' });
await conforms('Box', 'POST', '/boxes/web-1/clone', 201, {});
const exp = await step('POST /boxes/web-3/export', async () => {
	const res = await fetch(`${url}/v1/${prefix}/boxes/web-3/export`, {
		method: 'POST',
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: '{}',
	});
	ok(res.status === 200, 'export status', res.status);
	ok(res.headers.get('content-type') === 'application/octet-stream', 'export content type',
		res.headers.get('content-type'));
	return Buffer.from(await res.arrayBuffer());
});
if (exp !== undefined) {
	await conforms('Box', 'POST', '/boxes/import?name=schema-imported', 201, exp);
	await conforms('Box', 'GET', '/boxes/schema-imported', 200);
	await conforms('ErrorResponse', 'POST', '/boxes/import?name=schema-bad', 400, Buffer.from('no archive'));
}
await conforms('ListImagesResponse', 'GET', '/images?pageSize=3', 200);
await conforms('ListImagesResponse', 'GET', '/images?pageSize=1000', 200);
await conforms('ImageUsage', 'GET', '/images/usage', 200);
await conforms('ImageDetail', 'GET', '/images/alpine', 200);
await conforms('ImageDetail', 'GET', `/images/${encodeURIComponent('ghcr.io/acme/worker')}`, 200);
await conforms('ErrorResponse', 'GET', '/boxes/no-such-box', 404);
await conforms('ErrorResponse', 'POST', '/boxes/web-1/snapshots', 409, { name: 'schema-snap' });
await conforms('ErrorResponse', 'GET', '/boxes?pageToken=bogus', 400);
await conforms('ErrorResponse', 'PUT', '/boxes', 405, {});
await conforms('ErrorResponse', 'GET', '/boxes', 401, undefined, true, false);
await conforms('ErrorResponse', 'DELETE', '/boxes/web-2?force=false', 409);
await conforms('Box', 'POST', '/boxes/web-2/start', 200, {});
await conforms('Snapshot', 'POST', '/boxes/web-2/snapshots', 201, { name: 'running-snap' });
await conforms('ErrorResponse', 'POST', '/boxes/web-2/snapshots/running-snap/restore', 409);
summary('schema');
