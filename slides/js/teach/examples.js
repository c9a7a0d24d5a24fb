// Teach it's examples and their two kinds of features. An example is the crop square of a picture or a
// camera frame, kept as a SIDE × SIDE PNG (transparency kept: a sprite's background stays a background);
// its features are computed once, in the background, as soon as it is added:
// * HOG + colour: the talk's features, by pyodemo in the Python worker (`teach.picture_features`);
// * the CNN's learned features: the ONNX model's `embedding` output (the vector its last layer reads),
//   by onnxruntime-web in the CNN's worker (cnn.js).
import { call } from "../python.js";
import { classify as cnnClassify, MODEL } from "../cnn.js";
import { drawCrop, loadPicture } from "../picture.js";
import { siteURL } from "../ui.js";

/** An example's picture is its crop square at SIDE × SIDE px. */
export const SIDE = 128;
/** The whole of an example's picture: its crop square is itself. */
export const WHOLE = [0, 0, SIDE];

let nextId = Date.now();
const newId = () => `e${(nextId++).toString(36)}`;

/** The crop square `box` of `picture` (picture.js) as a PNG of SIDE × SIDE px. */
export async function cropBlob(picture, box) {
  const c = drawCrop(picture, box, SIDE, null);
  if (c.convertToBlob) return c.convertToBlob({ type: "image/png" });
  return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error("The picture could not be kept."))), "image/png"));
}

/**
 * An example of class `classId` from a PNG `blob` (a new one, or one read back from the store): → {id,
 * classId, blob, added, url (for its thumbnail), picture: promise of the decoded picture}. Its features are
 * asked for with `features(example, kind)`.
 */
export function makeExample({ classId, blob, id = newId(), added = Date.now() }) {
  return { id, classId, blob, added, url: URL.createObjectURL(blob), picture: null, computed: {} };
}

/** Let go of an example's thumbnail address. */
export const dropExample = (example) => URL.revokeObjectURL(example.url);

const decoded = (example) => (example.picture ??= loadPicture(example.blob, { name: "example", maxSide: SIDE }));

const COMPUTE = {
  hog: async (picture) => call("teach.picture_features", { width: picture.width, height: picture.height, box: WHOLE },
    { rgba: picture.rgba }),
  cnn: async (picture) => {
    const r = await cnnClassify(picture, WHOLE, { k: 1, source: "teach", withMaps: false });
    if (!r.embedding) throw new Error("This build's CNN gives no features (its ONNX model has no embedding output).");
    return Array.from(r.embedding);
  },
};

/** A promise of the example's features of `kind` ("hog" or "cnn"), computed once (a failure: again next time). */
export function features(example, kind) {
  if (!example.computed[kind]) {
    const computing = decoded(example).then(COMPUTE[kind]);
    computing.catch(() => { if (example.computed[kind] === computing) delete example.computed[kind]; });
    example.computed[kind] = computing;
  }
  return example.computed[kind];
}

let fingerprint = null;
/** The SHA-256 of the page's CNN (models/cnn.onnx): a classifier on its features names it in its file. */
export function cnnFingerprint() {
  fingerprint ??= fetch(siteURL(MODEL)).then(async (response) => {
    if (!response.ok) throw new Error(`The CNN (models/cnn.onnx) could not be downloaded (HTTP ${response.status}).`);
    return call("teach.fingerprint", {}, { data: new Uint8Array(await response.arrayBuffer()) });
  });
  fingerprint.catch(() => { fingerprint = null; });
  return fingerprint;
}
