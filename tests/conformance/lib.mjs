// Shared by sdk.mjs and schema.mjs: the connection settings run.sh passes in
// the environment, a tiny pass/fail ledger that ends with one summary line
// per script ("sdk: N passed, M failed") and a non-zero exit on failure, and
// a recording reverse proxy that shows what a client really sends.
import http from 'node:http';

export const url = process.env.SIM_URL;
export const prefix = process.env.SIM_PREFIX;
export const key = process.env.SIM_KEY;

let passed = 0;
let failed = 0;

export function ok(cond, what, detail) {
	if (cond) {
		passed++;
		return;
	}
	failed++;
	console.error(`FAIL: ${what}${detail === undefined ? '' : `: ${detail}`}`);
}

// Runs fn, which must resolve; a rejection is a failure named what.
export async function step(what, fn) {
	try {
		return await fn();
	} catch (e) {
		ok(false, what, e?.message ?? String(e));
		return undefined;
	}
}

// fn must reject with a message matching re.
export async function rejects(what, fn, re) {
	try {
		await fn();
		ok(false, what, 'resolved, want an error');
	} catch (e) {
		const msg = e?.message ?? String(e);
		ok(re.test(msg), what, `error '${msg}' does not match ${re}`);
	}
}

export function summary(name) {
	console.log(`${name}: ${passed} passed, ${failed} failed`);
	process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

// A reverse proxy on 127.0.0.1 in front of target (an http:// URL) that
// records every exchange: {method, path, headers, body (Buffer), status,
// resHeaders}. Request bodies are buffered whole (the simulator's archives
// here are a few MiB); responses are streamed through. Resolves to
// {url, log, close()}.
export function recorder(target) {
	const up = new URL(target);
	const log = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const entry = { method: req.method, path: req.url, headers: req.headers,
				body: Buffer.concat(chunks) };
			log.push(entry);
			const fwd = http.request({ host: up.hostname, port: up.port, method: req.method,
				path: req.url, headers: req.headers }, (ur) => {
				entry.status = ur.statusCode;
				entry.resHeaders = ur.headers;
				res.writeHead(ur.statusCode, ur.headers);
				ur.pipe(res);
				ur.on('error', () => res.destroy());
			});
			fwd.on('error', () => res.destroy());
			fwd.end(entry.body);
		});
	});
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => resolve({
			url: `http://127.0.0.1:${server.address().port}`,
			log,
			close: () => server.close(),
		}));
	});
}
