// The spec flavor's answers checked against the OpenAPI schemas (carried in
// schemas.json, extracted from the upstream description): every GET route,
// the mutations that answer with JSON, and an error body.
import { readFileSync } from 'node:fs';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import { key, ok, prefix, step, summary, url } from './lib.mjs';

const schemas = JSON.parse(readFileSync(new URL('./schemas.json', import.meta.url)));
// strict off: the OpenAPI description uses `example`, which is not JSON Schema.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(schemas);

async function call(method, path, body, scoped = true) {
	const full = `${url}/v1${scoped && prefix ? `/${prefix}` : ''}${path}`;
	const res = await fetch(full, {
		method,
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: res.status, json: await res.json().catch(() => undefined) };
}

// The answer to method path has status want and validates against schema.
async function conforms(schema, method, path, want, body, scoped) {
	const res = await step(`${method} ${path}`, () => call(method, path, body, scoped));
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
await conforms('ListBoxesResponse', 'GET', `/boxes?pageSize=5&pageToken=${list?.next_page_token}`, 200);
await conforms('ListBoxesResponse', 'GET', '/boxes?status=stopped', 200);
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
await conforms('ListImagesResponse', 'GET', '/images?pageSize=3', 200);
await conforms('ImageUsage', 'GET', '/images/usage', 200);
await conforms('ImageDetail', 'GET', '/images/alpine', 200);
await conforms('ImageDetail', 'GET', `/images/${encodeURIComponent('ghcr.io/acme/worker')}`, 200);
await conforms('ErrorResponse', 'GET', '/boxes/no-such-box', 404);
await conforms('ErrorResponse', 'POST', '/boxes/web-1/snapshots', 409, { name: 'schema-snap' });
await conforms('ErrorResponse', 'GET', '/boxes?pageToken=bogus', 400);
await conforms('ErrorResponse', 'PUT', '/boxes', 405, {});
summary('schema');
