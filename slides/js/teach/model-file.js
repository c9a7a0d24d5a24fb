// Teach it's "Keep": a trained classifier as a pyodemo model file (the bytes of pyodemo.svm.SVC.to_bytes,
// which `python -m export predict --model FILE` reads too), downloaded from the page, and loaded back.
import { call } from "../python.js";
import { cnnFingerprint } from "./examples.js";

/** A file name for a classifier of `kind` on `classes`: teach-hog-cup-pen.svm. */
export function fileName(kind, classes) {
  const slug = classes.map((c) => c.normalize("NFKD").replace(/[^\w-]+/g, "").toLowerCase() || "class").join("-").slice(0, 60);
  return `teach-${kind}-${slug}.svm`;
}

/** Save `bytes` as a file called `name` (a download: nothing leaves the device). */
export function download(bytes, name) {
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // the download has started long before
}

/**
 * Load a model file chosen by the user: → {kind, kept ({token, classes, kernel, C, …}), bytes}. Throws an
 * Error with a plain message for a file that is not a Teach-it model file of this version, or one trained
 * on another CNN's features.
 */
export async function load(file) {
  if (!file.size) throw new Error(`${file.name} is empty (0 bytes): choose a .svm file that Teach it saved.`);
  if (file.size > 64 * 1024 * 1024) throw new Error(`${file.name} is too big to be a Teach-it model file.`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  let sha = null;
  try { sha = await cnnFingerprint(); } catch { /* no CNN here: only a HOG + colour classifier can load */ }
  try {
    const kept = await call("teach.load_model", { cnn_sha256: sha }, { model: bytes });
    return { kind: kept.kind, kept, bytes };
  } catch (error) {
    throw new Error(`${file.name} cannot be used: ${error.message}`);
  }
}
