"""The CNN: the browser's input in CPython, the quick training path, the ONNX export, the committed model.

The committed artifacts (``slides/models/cnn.onnx``, ``cnn.json``, ``cnn-train.json``) are checked
against the contract, and their test-split accuracy is recomputed with onnxruntime through
`export.cnn_input` — it must equal the number the training run recorded.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from export import cnn_input
from export.dataset_items import file_sha

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "data" / "pokemon-10"
MODELS = ROOT / "slides" / "models"
CONTRACT_INPUT_KEYS = {"name", "size", "layout", "scale", "mean", "std", "background", "resample"}

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")


def need_dataset() -> None:
    if not (DATASET / "manifest.csv").is_file():
        pytest.skip("data/pokemon-10 not built (python -m export dataset)")


def manifest_rows(split: str) -> list[dict]:
    import csv

    with open(DATASET / "manifest.csv", newline="") as f:
        return [r for r in csv.DictReader(f) if r["split"] == split]


def check_sidecar(sidecar: dict) -> None:
    """The contract's fields and types (slides/models contract)."""
    assert sidecar["format"] == "pyodemo-cnn" and sidecar["version"] == 1
    assert sidecar["classes"] == sorted(sidecar["classes"]) and len(set(sidecar["classes"])) == len(sidecar["classes"])
    spec = sidecar["input"]
    assert set(spec) >= CONTRACT_INPUT_KEYS
    assert spec["name"] == "image" and spec["layout"] == "NCHW" and spec["scale"] == 255
    assert spec["resample"] in ("box", "bilinear")
    assert len(spec["mean"]) == len(spec["std"]) == len(spec["background"]) == 3
    assert all(s > 0 for s in spec["std"])
    assert sidecar["outputs"] == {"logits": "logits", "feature_maps": ["conv1", "conv2"], "embedding": "embedding"}
    assert 0.0 < sidecar["threshold"] < 1.0
    assert sidecar["threshold_on"] == "top-1 softmax probability"


def check_onnx_file(path: Path, sidecar: dict) -> None:
    """One self-contained file, opset ≥ 17, the contract's names and a dynamic batch axis."""
    model = onnx.load(str(path), load_external_data=False)
    assert all(t.data_location != onnx.TensorProto.EXTERNAL for t in model.graph.initializer)
    assert max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")) >= 17
    (image,) = model.graph.input
    dims = image.type.tensor_type.shape.dim
    size = sidecar["input"]["size"]
    assert image.name == "image" and dims[0].dim_param and [d.dim_value for d in dims[1:]] == [3, size, size]
    assert [o.name for o in model.graph.output] == ["logits", "conv1", "conv2", "embedding"]
    assert "BatchNormalization" not in {n.op_type for n in model.graph.node}  # folded into the convs
    props = {p.key: p.value for p in model.metadata_props}
    assert json.loads(props["pyodemo"]) == sidecar
    assert path.stat().st_size <= 1_200_000


# -- the browser's input, mirrored with Pillow -----------------------------------------------------


def test_default_crop_sprite_box_grows_by_the_margin_and_stays_centred():
    image = Image.new("RGBA", (100, 60))
    image.paste((10, 200, 30, 255), (20, 10, 70, 40))  # box 50 × 30
    x, y, side = cnn_input.default_crop(image)
    assert side == 50 + 2 * 4  # 8 % of 50 = 4 on each side
    assert (x, y) == (20 - 4, 10 + 15 - 29)  # centred on the box: y reaches above the picture
    assert cnn_input.default_crop(image, margin=0.0) == (20, 0, 50)


def test_default_crop_opaque_photo_is_the_centred_largest_square():
    assert cnn_input.default_crop(Image.new("RGBA", (90, 40), (1, 2, 3, 255))) == (25, 0, 40)
    assert cnn_input.default_crop(Image.new("RGBA", (30, 51), (1, 2, 3, 255))) == (0, 10, 30)
    # nothing visible: the whole picture (as a square), not an error
    assert cnn_input.default_crop(Image.new("RGBA", (30, 20))) == (5, 0, 20)


def test_prepare_puts_the_outside_of_the_picture_on_the_background():
    image = Image.new("RGBA", (40, 10))
    image.paste((255, 0, 0, 255), (0, 0, 40, 10))
    image.putpixel((0, 0), (255, 0, 0, 254))  # not opaque: the sprite rule applies
    spec = {"size": 16, "background": [0, 0, 255], "resample": "bilinear", "scale": 255,
            "mean": [0, 0, 0], "std": [1, 1, 1]}
    rgb = np.asarray(cnn_input.prepare(image, spec))
    assert rgb.shape == (16, 16, 3)
    assert (rgb[0] == [0, 0, 255]).all() and (rgb[-1] == [0, 0, 255]).all()  # above/below: background
    assert rgb[8, 8, 0] > 250 and rgb[8, 8, 2] < 5  # the middle: the red picture
    x = cnn_input.to_array(rgb, spec)
    assert x.shape == (3, 16, 16) and x.dtype == np.float32 and abs(x[2, 0, 0] - 1.0) < 1e-6


def test_open_image_applies_exif_orientation(tmp_path):
    picture = Image.new("RGB", (30, 10), (255, 255, 255))
    picture.paste((0, 0, 0), (0, 0, 5, 10))  # a black bar on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    path = tmp_path / "phone.jpg"
    picture.save(path, "JPEG", exif=exif.tobytes(), quality=95)
    upright = cnn_input.open_image(path)
    assert upright.size == (10, 30) and upright.mode == "RGBA"
    assert np.asarray(upright)[:5, :, :3].mean() < 40  # the bar is now at the top


def test_open_image_errors_are_plain(tmp_path):
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(ValueError, match="not a readable image"):
        cnn_input.open_image(tmp_path / "notes.png")
    with pytest.raises(ValueError, match="no such file"):
        cnn_input.open_image(tmp_path / "missing.png")


# -- training pieces ------------------------------------------------------------------------------


def test_clean_training_samples_are_the_browser_input():
    """Train/serve consistency: an un-augmented training sample is exactly what the browser feeds."""
    need_dataset()
    from export.cnn_augment import Augmenter, load_sprites
    from export.cnn_model import Config

    rows = manifest_rows("train")[::97]
    classes = sorted({r["class"] for r in manifest_rows("train")})
    config = Config(p_clean=1.0, p_white=1.0, max_rotation=0.0, bank_size=5)
    sprites = load_sprites(rows, DATASET, classes, config.size, config.resample)
    mean, std = [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]
    spec = {"size": config.size, "background": [255, 255, 255], "resample": config.resample,
            "scale": 255, "mean": mean, "std": std}
    x = Augmenter(config, mean, std).batch(
        sprites, np.arange(len(sprites.labels)), np.random.default_rng(0), torch.Generator(), photometric=False
    ).numpy()
    seen = {}
    for row in rows:
        image = cnn_input.open_image(DATASET / row["path"])
        seen.setdefault(image.tobytes(), cnn_input.tensor(image, spec)[0])
    browser = list(seen.values())
    assert len(browser) == len(x)
    tolerance = 1.01 / 255 / min(std)  # 8-bit rounding of the composite
    for ours, theirs in zip(x, browser):
        assert min(np.abs(ours - theirs).max(), np.abs(ours[..., ::-1] - theirs).max()) <= tolerance


def test_augmented_batches_are_finite_and_seeded():
    need_dataset()
    from export.cnn_augment import Augmenter, load_sprites
    from export.cnn_model import Config

    rows = manifest_rows("train")[::40]
    classes = sorted({r["class"] for r in manifest_rows("train")})
    config = Config(bank_size=10)
    sprites = load_sprites(rows, DATASET, classes, config.size, config.resample)
    augmenter = Augmenter(config, [0.5] * 3, [0.25] * 3)
    index = np.arange(min(32, len(sprites.labels)))

    def draw(seed: int) -> np.ndarray:
        gen = torch.Generator().manual_seed(seed)
        return augmenter.batch(sprites, index, np.random.default_rng(seed), gen).numpy()

    a, b, c = draw(1), draw(1), draw(2)
    assert a.shape == (len(index), 3, 64, 64) and np.isfinite(a).all()
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    pixels = a * 0.25 + 0.5
    assert pixels.min() >= -1e-6 and pixels.max() <= 1 + 1e-6


# -- export ---------------------------------------------------------------------------------------


def real_inputs(spec: dict, n: int = 12) -> np.ndarray:
    rows = manifest_rows("test")
    paths = [DATASET / r["path"] for r in rows[:: max(1, len(rows) // n)]][:n]
    photo = sorted((ROOT / "data" / "photo-like").glob("*/*.jpg"))[:2]
    return cnn_input.batch(paths + photo, spec)


def test_onnx_export_matches_torch_within_1e_4(tmp_path):
    need_dataset()
    from export.cnn_model import Config, SmallCNN, n_parameters
    from export.cnn_onnx import export_onnx, make_sidecar, onnx_session

    torch.manual_seed(0)
    config = Config()
    model = SmallCNN(10, config.channels, config.dropout)
    assert n_parameters(model) <= 300_000
    for block in model.blocks:  # batch-norm statistics far from the identity, so folding matters
        block.bn.running_mean.uniform_(-0.5, 0.5)
        block.bn.running_var.uniform_(0.5, 2.0)
        block.bn.weight.data.uniform_(0.5, 1.5)
        block.bn.bias.data.uniform_(-0.2, 0.2)
    model.eval()
    sidecar = make_sidecar([f"c{i}" for i in range(10)], config, [0.8, 0.8, 0.77], [0.3, 0.26, 0.31], 0.5)
    path = tmp_path / "cnn.onnx"
    export_onnx(model, path, config.size, sidecar)
    check_onnx_file(path, sidecar)
    x = real_inputs(sidecar["input"])
    penultimate = []
    model.fc.register_forward_hook(lambda _module, inputs, _output: penultimate.append(inputs[0].numpy()))
    with torch.no_grad():
        logits = model(torch.from_numpy(x)).numpy()
        conv1 = model.blocks[0].activations(torch.from_numpy(x)).numpy()
    session = onnx_session(path)
    ort_logits, ort_conv1, ort_conv2, ort_embedding = session.run(None, {"image": x})
    assert np.abs(ort_logits - logits).max() <= 1e-4
    assert np.abs(ort_conv1 - conv1).max() <= 1e-4
    assert np.abs(ort_embedding - penultimate[0]).max() <= 1e-4  # the learned features: what fc reads
    assert ort_embedding.shape == (len(x), config.channels[-1])
    assert ort_conv1.min() >= 0 and ort_conv2.min() >= 0  # post-ReLU
    assert ort_conv2.shape == (len(x), config.channels[1], config.size // 2, config.size // 2)
    single = session.run(["logits"], {"image": x[:1]})[0]  # the batch axis is dynamic
    assert np.abs(single - ort_logits[:1]).max() <= 1e-4


def test_quick_training_end_to_end(tmp_path):
    need_dataset()
    from export import cnn_onnx, train_cnn

    assert train_cnn.main(["--quick", "--quiet", "--out", str(tmp_path)]) == 0
    sidecar = json.loads((tmp_path / "cnn.json").read_text())
    check_sidecar(sidecar)
    check_onnx_file(tmp_path / "cnn.onnx", sidecar)
    log = json.loads((tmp_path / "cnn-train.json").read_text())
    assert log["quick"] and 1 <= log["epochs_run"] <= 2 and log["best_epoch"] <= log["epochs_run"]
    assert log["parameters"] <= 300_000
    assert max(log["onnx_max_abs_difference"].values()) <= 1e-4
    assert log["threshold"]["value"] == sidecar["threshold"]
    assert log["metrics"]["test"]["n"] > 0 and log["metrics"]["crossview"]["n"] > 0
    x = real_inputs(sidecar["input"], 4)
    logits = cnn_onnx.onnx_session(tmp_path / "cnn.onnx").run(["logits"], {"image": x})[0]
    assert logits.shape == (len(x), len(sidecar["classes"])) and np.isfinite(logits).all()


# -- the committed model ---------------------------------------------------------------------------


def committed() -> tuple[dict, dict]:
    paths = [MODELS / n for n in ("cnn.onnx", "cnn.json", "cnn-train.json")]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        pytest.fail(f"committed CNN artifacts missing: {', '.join(missing)} (python -m export train-cnn)")
    return json.loads(paths[1].read_text()), json.loads(paths[2].read_text())


def test_committed_model_follows_the_contract():
    sidecar, log = committed()
    check_sidecar(sidecar)
    check_onnx_file(MODELS / "cnn.onnx", sidecar)
    assert not log["quick"]
    assert log["parameters"] <= 300_000
    assert log["onnx_bytes"] == (MODELS / "cnn.onnx").stat().st_size
    assert log["threshold"]["value"] == sidecar["threshold"]


def test_committed_model_embedding_is_what_its_last_layer_reads():
    """The committed model's `embedding` output (the CNN's learned features, for "Teach it") is the vector its
    last layer reads: logits = embedding · Wᵀ + b with the model's own final Gemm weights."""
    need_dataset()
    sidecar, log = committed()
    model = onnx.load(str(MODELS / "cnn.onnx"))
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    (gemm,) = [n for n in model.graph.node if "logits" in n.output]
    assert gemm.op_type == "Gemm" and {a.name: a.i for a in gemm.attribute}.get("transB") == 1
    w, b = weights[gemm.input[1]], weights[gemm.input[2]]
    x = cnn_input.batch([DATASET / r["path"] for r in manifest_rows("test")[:32]], sidecar["input"])
    logits, embedding = ort.InferenceSession(str(MODELS / "cnn.onnx"), providers=["CPUExecutionProvider"]).run(
        ["logits", "embedding"], {"image": x})
    assert embedding.shape == (len(x), w.shape[1]) and embedding.min() >= 0  # pooled after a ReLU
    assert np.abs(embedding @ w.T + b - logits).max() <= 1e-4
    assert log["onnx_max_abs_difference"]["embedding_vs_unfolded_torch"] <= 1e-4


def test_committed_model_test_accuracy_equals_the_recorded_one():
    need_dataset()
    sidecar, log = committed()
    rows = manifest_rows("test")
    x = cnn_input.batch([DATASET / r["path"] for r in rows], sidecar["input"])
    y = np.array([sidecar["classes"].index(r["class"]) for r in rows])
    session = ort.InferenceSession(str(MODELS / "cnn.onnx"), providers=["CPUExecutionProvider"])
    pred = np.concatenate([session.run(["logits"], {"image": x[i : i + 256]})[0] for i in range(0, len(x), 256)]).argmax(1)
    recorded = log["metrics"]["test"]
    assert recorded["n"] == len(rows)
    assert int((pred == y).sum()) == recorded["correct"]
    assert float((pred == y).mean()) == pytest.approx(recorded["accuracy"], abs=1e-12)


def test_committed_recipe_is_the_one_its_comparison_keeps():
    """The log's ``candidate_comparison`` (train-cnn --compare) was measured on this dataset, its rule
    picks today's recipe, and the committed model was trained with that recipe."""
    from export import cnn_model, cnn_search

    _, log = committed()
    table = log.get("candidate_comparison")
    assert table, "cnn-train.json has no candidate comparison: python -m export train-cnn --compare"
    if (DATASET / "manifest.csv").is_file():
        assert table["manifest_sha"] == file_sha(DATASET / "manifest.csv")
    rows = table["rows"]
    assert [r["name"] for r in rows] == [name for name, _ in cnn_search.CANDIDATES]
    for row in rows:
        assert row["score"] == pytest.approx(np.mean([row[v]["macro_f1"] for v in ("val_gen5", "val_styles", "val_cluttered")]), abs=1e-4)
        assert row["parameters"] <= cnn_search.MAX_PARAMETERS
    kept = cnn_search.pick(rows)
    assert table["rule_keeps"] == kept["name"]
    changes = {k: tuple(v) if isinstance(v, list) else v for k, v in kept["changes"].items()}
    recipe = dataclasses.asdict(dataclasses.replace(cnn_model.Config(), **changes))
    assert log["config"] == json.loads(json.dumps(recipe)), "the committed CNN was not trained with the kept recipe"
    assert log["parameters"] == kept["parameters"]


def test_the_cnn_slides_note_quotes_the_comparison():
    """cnn.md's speaker note gives the validation accuracy on other styles of each candidate, as measured."""
    _, log = committed()
    rows = {r["name"]: r for r in log["candidate_comparison"]["rows"]}
    text = (ROOT / "slides" / "cnn.md").read_text()
    note = " ".join(text[text.index("## Training the demo CNN"):].split("\n## ")[0].split())
    pct = {name: f"{100 * row['val_styles']['accuracy']:.1f} %" for name, row in rows.items()}
    none = "no style augmentation (the first round's recipe)"
    assert f"{pct[none]} with no redrawn sprites" in note
    assert f"{pct['style augmentation on half the sprites']} with half of them redrawn" in note
    assert f"{pct['style augmentation on 80 % of the sprites']} with four in five" in note
    assert f"a network twice as wide got {pct['wider: 24-48-96-192 channels, style augmentation on half the sprites']}" in note
