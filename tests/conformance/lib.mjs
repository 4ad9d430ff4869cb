// Shared by sdk.mjs and schema.mjs: the connection settings run.sh passes in
// the environment, and a tiny pass/fail ledger that ends with one summary
// line per script ("sdk: N passed, M failed") and a non-zero exit on failure.
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
