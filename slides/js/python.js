// The one client of the shared Python worker: `call("method", args, blobs)` → a promise of the result.
// One worker per tab, started on first use; if it dies (or a call runs too long) it is replaced and the
// next call boots a fresh one. Widgets follow its progress with `onStatus`.
//
// A worker can also vanish without an error event (it closed itself, the browser reclaimed it): messages
// posted to it are dropped in silence. So the worker acknowledges every call the moment it sees it; a
// call left unacknowledged for ACK_MS while the worker had nothing else to run means the worker is gone,
// and the call goes to a fresh one (it never reached Python, so sending it again is safe).
//
// ACK_MS is counted in this page's own running time, in ticks of TICK_MS: a tick that comes late (this
// page was held up by a long task, or the machine is busy) counts as one tick, not as the time it missed,
// and the worker's acknowledgement, which may be waiting in the queue behind it, gets its turn before the
// next tick. So only a worker that stays silent while this page is running and listening is taken for gone.

const ACK_MS = 2000;
const TICK_MS = 250;
let worker = null;
let alive = false; // the worker's script has loaded (it said "alive")
let ackTimer = null;
let silentMs = 0; // how long the page has listened for an acknowledgement, in its own running time
let lastTick = 0;
let nextId = 1;
const pending = new Map(); // id -> {resolve, reject, timer, message, acked}
const listeners = new Set();
export const status = { state: "idle", stage: "", step: 0, steps: 3, restarts: 0, bootMs: null, bootStages: null };

function emit(patch) {
  Object.assign(status, patch);
  for (const listener of listeners) listener({ ...status });
}

/** Follow the worker's state: idle → booting (with stage text and step/steps) → ready | failed. */
export function onStatus(listener) {
  listeners.add(listener);
  listener({ ...status });
  return () => listeners.delete(listener);
}

function start() {
  worker = new Worker(new URL("./python-worker.js", import.meta.url), { type: "module", name: "python" });
  alive = false;
  emit({ state: "booting", stage: "Starting Python…", step: 0 });
  worker.onmessage = ({ data }) => {
    if (data.type === "alive") { alive = true; watchAcks(); }
    else if (data.type === "ack") {
      const call = pending.get(data.id);
      if (call) call.acked = true;
      watchAcks();
    } else if (data.type === "progress") emit({ stage: data.stage, step: data.step, steps: data.steps });
    else if (data.type === "ready") emit({ state: "ready", stage: "Python ready", bootMs: data.ms, bootStages: data.stages, python: data.python });
    else if (data.type === "result") {
      const call = pending.get(data.id);
      if (!call) return;
      pending.delete(data.id);
      clearTimeout(call.timer);
      watchAcks();
      const reply = JSON.parse(data.json);
      if (reply.ok) call.resolve(decode(reply.result));
      else {
        if (reply.kind === "boot") emit({ state: "failed", stage: reply.error });
        call.reject(Object.assign(new Error(reply.error), { kind: reply.kind, traceback: reply.traceback }));
      }
    }
  };
  worker.onerror = (event) => {
    event.preventDefault?.();
    restart(`Python stopped unexpectedly (${event.message || "worker error"}); it restarts on the next request.`);
  };
}

/** Arm the silent-death check: only while the worker is loaded and runs no earlier call. */
function watchAcks() {
  clearTimeout(ackTimer);
  ackTimer = null;
  const calls = [...pending.values()];
  if (!alive || calls.some((c) => c.acked) || !calls.some((c) => !c.acked)) return;
  silentMs = 0;
  lastTick = performance.now();
  ackTimer = setTimeout(listen, TICK_MS);
}

/** One tick of the check: at most TICK_MS of silence counts per tick, however late the tick came. */
function listen() {
  const now = performance.now();
  silentMs += Math.min(now - lastTick, TICK_MS);
  lastTick = now;
  if (silentMs >= ACK_MS) revive();
  else ackTimer = setTimeout(listen, TICK_MS);
}

/** The worker vanished without a word: start a new one and give it the calls the old one never saw. */
function revive() {
  ackTimer = null;
  const unseen = [...pending.values()].filter((c) => !c.acked);
  if (worker) worker.terminate();
  emit({ state: "idle", stage: "Python stopped unexpectedly; restarting it…", restarts: status.restarts + 1 });
  start();
  for (const c of unseen) worker.postMessage(c.message);
}

/** Stop the worker (all pending calls fail with `reason`); the next call starts a new one. */
export function restart(reason = "Python was restarted.") {
  if (worker) worker.terminate();
  worker = null;
  alive = false;
  clearTimeout(ackTimer);
  for (const call of pending.values()) {
    clearTimeout(call.timer);
    call.reject(Object.assign(new Error(reason), { kind: "restart" }));
  }
  pending.clear();
  emit({ state: "idle", stage: reason, restarts: status.restarts + 1 });
}

/**
 * Call `pyodemo.web.rpc` method `method` with JSON-able `args` and binary `blobs` ({name: Uint8Array}).
 * Rejects with an Error whose message is meant for people; `kind` is "value" for bad input.
 * `timeoutMs` bounds the call (booting included): past it the worker is restarted.
 */
export function call(method, args = {}, blobs = {}, { timeoutMs = 120_000 } = {}) {
  if (!worker) start();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => restart(`Python took longer than ${Math.round(timeoutMs / 1000)} s and was restarted.`),
      timeoutMs,
    );
    const message = { type: "call", id, method, args, blobs };
    pending.set(id, { resolve, reject, timer, message, acked: false });
    worker.postMessage(message);
    watchAcks();
  });
}

/** Start Python now (e.g. when a widget scrolls into view) without waiting for it. */
export function warmUp() {
  if (!worker) call("ping").catch(() => {});
}

// Results may carry bytes as {"__bytes__": base64}; turn them into Uint8Arrays.
function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object") {
    if (typeof value.__bytes__ === "string") return Uint8Array.from(atob(value.__bytes__), (c) => c.charCodeAt(0));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

/** The calls in flight, oldest first: {id, method, acked} (acked: the worker has it, e.g. Python runs it). */
function calls() {
  return [...pending.entries()].map(([id, c]) => ({ id, method: c.message.method, acked: c.acked }));
}

// Tests and the benchmark reach the worker through this (e.g. to kill it mid-session).
globalThis.pyodemoPython = { call, restart, status, onStatus, calls };
