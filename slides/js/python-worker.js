// The shared Python worker: boots Pyodide from this site (no CDN), installs the pyodemo wheel,
// then answers {id, method, args, blobs} with the JSON string pyodemo.web.rpc.dispatch returns.
import { loadPyodide } from "../vendor/pyodide/pyodide.mjs";

let dispatch = null;
let booting = null;

const progress = (stage, step, steps) => postMessage({ type: "progress", stage, step, steps });

async function boot() {
  const t0 = performance.now();
  const runtime = await (await fetch(new URL("../runtime.json", import.meta.url))).json();
  progress("Loading Python (Pyodide)…", 1, 3);
  const pyodide = await loadPyodide({
    indexURL: new URL(`../${runtime.pyodide}`, import.meta.url).href,
    stdout: () => {},
    stderr: () => {},
  });
  progress("Installing pyodemo…", 2, 3);
  await pyodide.loadPackage(new URL(`../${runtime.wheel}`, import.meta.url).href, {
    messageCallback: () => {},
    errorCallback: (message) => console.warn(message),
  });
  dispatch = pyodide.pyimport("pyodemo.web.rpc").dispatch;
  const ms = Math.round(performance.now() - t0);
  progress("Python ready", 3, 3);
  postMessage({ type: "ready", ms, python: pyodide.runPython("import sys; sys.version.split()[0]") });
  self.pyodide = pyodide;
}

/** The wasm heap's size, and the bytes malloc has handed out and not had back (mallinfo's uordblks). */
function heap(module) {
  const info = module._malloc(64);
  module._mallinfo(info); // struct mallinfo: arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, …
  const inUse = module.HEAP32[(info >> 2) + 7] >>> 0;
  module._free(info);
  return { wasm_heap_bytes: module.HEAP8.length, malloc_in_use_bytes: inUse };
}

self.onmessage = async ({ data }) => {
  if (data.type !== "call") return;
  postMessage({ type: "ack", id: data.id }); // python.js: this worker is alive and has the call
  try {
    booting ??= boot();
    await booting;
    const json = data.method === "worker.heap"
      ? JSON.stringify({ ok: true, result: heap(self.pyodide._module) })
      : dispatch(data.method, JSON.stringify(data.args ?? {}), data.blobs ?? {});
    postMessage({ type: "result", id: data.id, json });
  } catch (error) {
    booting = null;
    postMessage({ type: "result", id: data.id, json: JSON.stringify({
      ok: false, kind: "boot", error: `Python could not start: ${error?.message ?? error}` }) });
  }
};

postMessage({ type: "alive" }); // loaded: from now on a call is acknowledged at once unless Python is busy
