// The CNN's worker: onnxruntime-web (the wasm-only bundle, self-hosted) compiles and runs models/cnn.onnx
// here, off the page's thread, so a phone's page never freezes while the model loads or answers.
// cnn.js downloads and checks the files, prepares the input tensor and reads the answer. Every message
// carries an id and gets one {type: "result", id, ...answer} or {type: "result", id, error} back:
//   {type: "load", bytes}                     → {inputNames, outputNames}
//   {type: "run", input, data, dims, outputs} → {outputs: {name: {data, dims}}}
//   {type: "heap"}                            → {bytes}: the wasm memory onnxruntime holds
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
let ready = null; // → {ort, session}

async function load(bytes) {
  const ort = await ortModule;
  ort.env.wasm.wasmPaths = new URL("../vendor/ort/", import.meta.url).href;
  ort.env.wasm.numThreads = 1; // no cross-origin isolation on a static host, so no SharedArrayBuffer (and iOS)
  ort.env.wasm.proxy = false; // this worker is the proxy
  ort.env.logLevel = "error";
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  return { ort, session };
}

const answers = {
  async load({ bytes }) {
    ready = load(bytes);
    const { session } = await ready;
    return [{ inputNames: session.inputNames, outputNames: session.outputNames }];
  },
  async run({ input, data, dims, outputs: names }) {
    const { ort, session } = await ready;
    const answer = await session.run({ [input]: new ort.Tensor("float32", data, dims) }, names);
    const outputs = {};
    for (const [name, tensor] of Object.entries(answer)) {
      outputs[name] = { data: tensor.data, dims: tensor.dims };
      tensor.dispose?.();
    }
    return [{ outputs }, [...new Set(Object.values(outputs).map((o) => o.data.buffer))]];
  },
  async heap() {
    return [{ bytes: memories.reduce((sum, m) => sum + m.buffer.byteLength, 0) }];
  },
};

self.onmessage = async ({ data: message }) => {
  try {
    const [answer, transfer = []] = await answers[message.type](message);
    postMessage({ type: "result", id: message.id, ...answer }, transfer);
  } catch (error) {
    postMessage({ type: "result", id: message.id, error: String(error?.message ?? error) });
  }
};
