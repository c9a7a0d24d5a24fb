// The site's own record of what went wrong on a page: every uncaught error and unhandled promise rejection
// (in the page; a worker's reach the page through the Worker's own error event, which python.js and cnn.js
// handle). A classic script listed first, so it listens before any module runs. People see each widget's
// own message in place; this record is for the engine tests (tests/engines/), which read it the same way in
// every browser: WebKit's driver cannot read the console.
(() => {
  const seen = (globalThis.pyodemoErrors = []);
  const where = (e) => (e.filename ? ` (${e.filename.replace(location.origin, "")}:${e.lineno}:${e.colno})` : "");
  addEventListener("error", (e) => {
    seen.push({ kind: "error", message: `${e.message || e.error || "error"}${where(e)}` });
  });
  addEventListener("unhandledrejection", (e) => {
    const reason = e.reason;
    seen.push({ kind: "unhandledrejection", message: String(reason?.stack ? `${reason}\n${reason.stack}` : reason) });
  });
})();
