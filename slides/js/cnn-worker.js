// The CNN's worker: onnxruntime-web (the wasm-only bundle, self-hosted) compiles and runs models/cnn.onnx
// here, off the page's thread, so a phone's page never freezes while the model loads or answers.
// cnn.js downloads and checks the files, prepares the input tensor and reads the answer; this worker only
//   {type: "load", bytes}                → {type: "loaded", inputNames, outputNames} | {type: "failed", error}
//   {type: "run", id, input, data, dims, outputs} → {type: "result", id, outputs: {name: {data, dims}}}
//                                                   | {type: "result", id, error}
//   {type: "heap", id}                   → {type: "result", id, bytes}: the wasm memory onnxruntime holds
// Buffers travel as transferables (no copies).

// Every wasm memory onnxruntime instantiates, for the heap report (tests watch it for leaks).
const memories = [];
for (const name of ["instantiate", "instantiateStreaming"]) {
  const original = WebAssembly[name];
  WebAssembly[name] = function (...args) {
    return original.apply(this, args).then((result) => {
      const keep = (value) => { if (value instanceof WebAssembly.Memory && !memories.includes(value)) memories.push(value); };
      Object.values(result.instance?.exports ?? {}).forEach(keep);
      Object.values(args[1] ?? {}).forEach((module) => Object.values(module ?? {}).forEach(keep));
      return result;
    });
  };
}

// Started at once, while the page is still downloading the model.
const ortModule = import("../vendor/ort/ort.wasm.min.mjs");
let session = null;

async function load(bytes) {
  const ort = await ortModule;
  ort.env.wasm.wasmPaths = new URL("../vendor/ort/", import.meta.url).href;
  ort.env.wasm.numThreads = 1; // no cross-origin isolation on a static host, so no SharedArrayBuffer (and iOS)
  ort.env.wasm.proxy = false; // this worker is the proxy
  ort.env.logLevel = "error";
  session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  return { ort, inputNames: session.inputNames, outputNames: session.outputNames };
}

let loading = null;

async function run({ input, data, dims, outputs }) {
  const { ort } = await loading;
  const answer = await session.run({ [input]: new ort.Tensor("float32", data, dims) }, outputs);
  const out = {};
  for (const [name, tensor] of Object.entries(answer)) {
    out[name] = { data: tensor.data, dims: tensor.dims };
    tensor.dispose?.();
  }
  return out;
}

self.onmessage = async ({ data: message }) => {
  if (message.type === "load") {
    loading = load(message.bytes);
    try {
      const { inputNames, outputNames } = await loading;
      postMessage({ type: "loaded", inputNames, outputNames });
    } catch (error) {
      postMessage({ type: "failed", error: String(error?.message ?? error) });
    }
  } else if (message.type === "run") {
    try {
      const outputs = await run(message);
      postMessage({ type: "result", id: message.id, outputs }, [...new Set(Object.values(outputs).map((o) => o.data.buffer))]);
    } catch (error) {
      postMessage({ type: "result", id: message.id, error: String(error?.message ?? error) });
    }
  } else if (message.type === "heap") {
    const bytes = memories.reduce((sum, m) => sum + m.buffer.byteLength, 0);
    postMessage({ type: "result", id: message.id, bytes });
  }
};
