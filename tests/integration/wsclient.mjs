// A small WebSocket client for t_exec.sh, on node's global WebSocket
// (node 20: --experimental-websocket). It attaches to a boxlite-sim attach
// URL, runs a script of steps, and prints one JSON object when the socket
// closes or the time is up:
//   {"opened", "out" (0x01 frames as text), "err" (0x02 frames), "texts"
//    (the text frames, parsed), "close" (the close code; null: none),
//    "error" (a transport error, or null), "timedOut"}
// Usage: node --experimental-websocket wsclient.mjs URL [STEP...]
// Steps, run in order once the socket is open:
//   wait:REGEX    until stdout so far matches REGEX (bounded by the timeout)
//   waittext:TYPE until a text frame of that type arrived
//   bin:STRING    a binary (stdin) frame; STRING is a JSON string body
//                 without its quotes, so "echo hi\r" is written echo hi\r
//   text:JSON     a text (control) frame
//   sleep:MS
//   close         close from this side (code 1000)
//   exit          leave now, without closing
// Env: WS_TIMEOUT_MS (default 10000) bounds the whole run; WS_KEY sends
// Authorization: Bearer WS_KEY.
const [url, ...steps] = process.argv.slice(2);
const timeoutMs = Number(process.env.WS_TIMEOUT_MS ?? 10000);
const res = { opened: false, out: '', err: '', texts: [], close: null, error: null, timedOut: false };
const dec = { 1: new TextDecoder(), 2: new TextDecoder() };
let wake = () => {};

// Prints the result (stdout and stderr cut to their last 64 KiB, their
// full lengths in outLen and errLen) and exits once it is written.
function finish() {
	const cut = (s) => (s.length > 65536 ? s.slice(-65536) : s);
	const doc = { ...res, outLen: res.out.length, errLen: res.err.length, out: cut(res.out),
		err: cut(res.err) };
	process.stdout.write(`${JSON.stringify(doc)}\n`, () => process.exit(0));
}

const init = process.env.WS_KEY ? { headers: { Authorization: `Bearer ${process.env.WS_KEY}` } } : undefined;
const ws = new WebSocket(url, init);
ws.binaryType = 'arraybuffer';
const timer = setTimeout(() => {
	res.timedOut = true;
	finish();
}, timeoutMs);

ws.onmessage = (ev) => {
	if (typeof ev.data === 'string') {
		try {
			res.texts.push(JSON.parse(ev.data));
		} catch {
			res.texts.push({ unparsed: ev.data });
		}
	} else {
		const b = new Uint8Array(ev.data);
		const text = dec[b[0]]?.decode(b.subarray(1), { stream: true }) ?? '';
		if (b[0] === 1) res.out += text;
		else if (b[0] === 2) res.err += text;
		else res.texts.push({ badChannel: b[0] });
	}
	wake();
};
ws.onerror = (ev) => {
	res.error = ev?.message ?? 'error';
};
ws.onclose = (ev) => {
	res.close = ev.code;
	clearTimeout(timer);
	wake();
	// let a pending step see the close, then report
	setImmediate(finish);
};

function until(cond) {
	return new Promise((resolve) => {
		const check = () => {
			if (cond() || res.close !== null) {
				wake = () => {};
				resolve();
			}
		};
		wake = check;
		check();
	});
}

ws.onopen = async () => {
	res.opened = true;
	for (const step of steps) {
		const i = step.indexOf(':');
		const [op, arg] = i < 0 ? [step, ''] : [step.slice(0, i), step.slice(i + 1)];
		if (res.close !== null) break;
		if (op === 'wait') {
			const re = new RegExp(arg);
			await until(() => re.test(res.out));
		} else if (op === 'waittext') {
			await until(() => res.texts.some((t) => t.type === arg));
		} else if (op === 'bin') {
			ws.send(new TextEncoder().encode(JSON.parse(`"${arg}"`)));
		} else if (op === 'text') {
			ws.send(arg);
		} else if (op === 'sleep') {
			await new Promise((r) => setTimeout(r, Number(arg)));
		} else if (op === 'close') {
			ws.close(1000);
		} else if (op === 'exit') {
			finish();
		} else {
			res.error = `unknown step ${step}`;
			finish();
		}
	}
};
