// The shared Python worker: boots Pyodide from this site (no CDN), puts the pyodemo wheel on sys.path,
// then answers {id, method, args, blobs} with the JSON string pyodemo.web.rpc.dispatch returns.
//
// The wheel (pure Python) is imported straight from the zip file (zipimport, as Pyodide's own standard
// library is), downloaded while Pyodide starts: pyodide.loadPackage would unpack it through Pyodide's
// package installer, whose own imports cost 0.2 s in Chromium and 0.8–5.6 s in WebKit (issue 17).
import { loadPyodide } from "../vendor/pyodide/pyodide.mjs";

let dispatch = null;
let booting = null;

const progress = (stage, step, steps) => postMessage({ type: "progress", stage, step, steps });

async function boot() {
  const t0 = performance.now();
  const stages = {}; // ms since t0 at the end of each stage: where a slow boot spends its time
  const reached = (stage) => { stages[stage] = Math.round(performance.now() - t0); };
  const runtime = await (await fetch(new URL("../runtime.json", import.meta.url))).json();
  reached("runtime");
  const wheel = fetch(new URL(`../${runtime.wheel}`, import.meta.url)).then(async (response) => {
    if (!response.ok) throw new Error(`the pyodemo wheel could not be downloaded (HTTP ${response.status})`);
    return new Uint8Array(await response.arrayBuffer());
  });
  wheel.catch(() => {}); // (awaited below, after Pyodide: not an unhandled rejection meanwhile)
  progress("Loading Python (Pyodide)…", 1, 3);
  const pyodide = await loadPyodide({
    indexURL: new URL(`../${runtime.pyodide}`, import.meta.url).href,
    stdout: () => {},
    stderr: () => {},
  });
  reached("pyodide");
  progress("Installing pyodemo…", 2, 3);
  const path = `/lib/${runtime.wheel.split("/").pop()}`;
  pyodide.FS.writeFile(path, await wheel);
  pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(path)})`);
  reached("wheel");
  dispatch = pyodide.pyimport("pyodemo.web.rpc").dispatch;
  reached("import");
  const ms = Math.round(performance.now() - t0);
  progress("Python ready", 3, 3);
  postMessage({ type: "ready", ms, stages, python: pyodide.runPython("import sys; sys.version.split()[0]") });
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
