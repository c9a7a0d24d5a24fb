// Run a Python program inside Pyodide under Node, with the pyodemo wheel installed — the same runtime
// the browser's worker uses, without a browser. Used by tests/test_pyodide.py and bench/.
//   node tests/pyodide_node.mjs WHEEL PROGRAM.py   → the program's stdout; exit 1 on a Python error
import { readFileSync } from "node:fs";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { loadPyodide } = await import(resolve(root, "node_modules/pyodide/pyodide.mjs"));
const [wheel, program] = process.argv.slice(2);
const t0 = performance.now();
const pyodide = await loadPyodide({
  indexURL: resolve(root, "node_modules/pyodide") + "/",
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});
const bootMs = performance.now() - t0;
await pyodide.loadPackage(resolve(wheel), { messageCallback: () => {} });
pyodide.globals.set("BOOT_MS", bootMs);
try {
  await pyodide.runPythonAsync(readFileSync(program, "utf8"));
} catch (error) {
  console.error(String(error));
  process.exit(1);
}
