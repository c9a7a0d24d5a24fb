// Teach it's examples, kept in this browser (IndexedDB) across reloads until "Clear all": the classes
// (their names, in order) and each example's picture (a small PNG of its crop square). Nothing is sent
// anywhere. Where IndexedDB cannot be used (private browsing in some browsers, storage turned off) or is
// full, the examples stay in memory for this visit and `problem` says so; nothing the user added is lost
// while the page is open.

const DB_NAME = "pyodemo-teach";
const DB_VERSION = 1;

const NO_STORAGE = "This browser does not let the page keep anything (private browsing, or storage is "
  + "turned off): your examples work until you leave the page, but a reload forgets them.";
const FULL = "This browser's storage for the site is full: the newest examples are kept only until you "
  + "leave the page. Delete some examples, or download your trained classifiers.";

/** A promise of an IndexedDB request's result. */
const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

function openDatabase() {
  return new Promise((resolve, reject) => {
    if (!globalThis.indexedDB) { reject(new Error("no IndexedDB")); return; }
    let request;
    try {
      request = indexedDB.open(DB_NAME, DB_VERSION);
    } catch (error) {
      reject(error);
      return;
    }
    request.onupgradeneeded = () => {
      request.result.createObjectStore("examples", { keyPath: "id" });
      request.result.createObjectStore("meta");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("blocked by another tab"));
  });
}

/**
 * Open the store: → {classes, examples, problem, saveClasses(classes), put(example), remove(id), clear()}.
 * `classes`: [{id, name}] as saved (null when nothing was saved yet); `examples`: [{id, classId, blob,
 * added}] oldest first. Writes never throw: a failed write sets `problem` (and calls `onProblem`).
 */
export async function openStore({ onProblem = () => {} } = {}) {
  let db = null;
  const store = { classes: null, examples: [], problem: null };
  const fail = (message) => {
    if (store.problem === message) return;
    store.problem = message;
    onProblem(message);
  };
  try {
    db = await openDatabase();
    const tx = db.transaction(["examples", "meta"], "readonly");
    const [examples, classes] = await Promise.all([done(tx.objectStore("examples").getAll()),
      done(tx.objectStore("meta").get("classes"))]);
    store.examples = examples.sort((a, b) => a.added - b.added);
    store.classes = Array.isArray(classes) ? classes : null;
  } catch {
    db = null;
    store.problem = NO_STORAGE;
  }
  const write = async (names, work) => {
    if (!db) return false;
    try {
      const tx = db.transaction(names, "readwrite");
      work(tx);
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error ?? new Error("aborted"));
      });
      return true;
    } catch (error) {
      fail(error?.name === "QuotaExceededError" ? FULL : `${NO_STORAGE} (${error?.message || error})`);
      return false;
    }
  };
  store.saveClasses = (classes) => write(["meta"], (tx) => tx.objectStore("meta").put(classes, "classes"));
  store.put = ({ id, classId, blob, added }) => write(["examples"], (tx) => tx.objectStore("examples").put({ id, classId, blob, added }));
  store.remove = (ids) => write(["examples"], (tx) => { for (const id of [].concat(ids)) tx.objectStore("examples").delete(id); });
  store.clear = () => write(["examples", "meta"], (tx) => { tx.objectStore("examples").clear(); tx.objectStore("meta").clear(); });
  return store;
}
