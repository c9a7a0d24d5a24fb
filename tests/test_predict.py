"""``python -m export predict IMAGE...``: JSON for good pictures, an error entry (never a traceback) for bad ones."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from export import predict
from export.features import open_rgba
from pyodemo import classify
from pyodemo.svm import SVC

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "slides" / "models"
SAMPLES = MODELS / "samples"


def committed() -> tuple[Path, Path]:
    if not (MODELS / "hog_svm.svm").is_file():
        pytest.skip("no committed HOG+SVM model (slides/models/hog_svm.svm)")
    pngs = sorted(p for p in SAMPLES.glob("*.png") if not p.name.startswith("art-"))
    if len(pngs) < 2:
        pytest.skip("no committed samples (slides/models/samples/*.png)")
    return pngs[0], pngs[-1]


def run(*paths: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "export", "predict", *map(str, paths)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_two_samples_and_a_text_file_named_png(tmp_path):
    first, second = committed()
    fake = tmp_path / "notes.png"
    fake.write_text("this is a text file, not a picture\n")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    done = run(first, second, fake, empty)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    entries = json.loads(done.stdout)
    assert [e["path"] for e in entries] == [str(first), str(second), str(fake), str(empty)]
    svm = SVC.load(MODELS / "hog_svm.svm")
    cnn_present = (MODELS / "cnn.onnx").is_file() and (MODELS / "cnn.json").is_file()
    for entry in entries[:2]:
        assert "error" not in entry
        top = entry["hog_svm"]
        assert len(top) == 3 and all(t["label"] in svm.classes_ for t in top)
        assert [t["score"] for t in top] == sorted((t["score"] for t in top), reverse=True)
        assert isinstance(entry["hog_svm_sure"], bool)
        # exactly the browser's Python: default crop, prepare, features, the model file's SVM
        rgba, w, h = open_rgba(entry["path"])
        expected = classify.top_k(svm, rgba, w, h, 3)
        assert [t["label"] for t in top] == [t["label"] for t in expected]
        assert top[0]["score"] == pytest.approx(expected[0]["score"], abs=1e-9)
        assert entry["hog_svm_sure"] == classify.is_sure(svm, expected)
        if cnn_present:
            assert len(entry["cnn"]) == 3 and isinstance(entry["cnn_sure"], bool)
            assert sum(t["score"] for t in entry["cnn"]) <= 1.0 + 1e-6
        else:
            assert entry["cnn"] is None and "cnn" in done.stderr
    for entry in entries[2:]:
        assert set(entry) == {"path", "error"}
        assert "not a readable image" in entry["error"]


def test_good_pictures_exit_zero():
    first, _ = committed()
    done = run(first)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 1


def test_missing_file_is_an_entry_not_a_crash(tmp_path):
    committed()
    svm = SVC.load(MODELS / "hog_svm.svm")
    entry = predict.predict_one(str(tmp_path / "nope.png"), svm, None)
    assert entry == {"path": str(tmp_path / "nope.png"), "error": f"{tmp_path / 'nope.png'}: no such file"}


def test_box_and_features_give_the_browsers_input(tmp_path):
    """--box (one per picture) and --features: a big picture gets svm_input's block reduction before pyodemo."""
    first, _ = committed()
    from PIL import Image

    from export.svm_input import svm_input

    big = tmp_path / "big.png"
    sprite = Image.open(first).convert("RGBA")
    Image.new("RGBA", (900, 700), (40, 120, 200, 255)).save(big)  # 630,000 px: over SEND_MAX
    with Image.open(big) as canvas:
        canvas.paste(sprite.resize((500, 500), Image.Resampling.NEAREST), (150, 100), sprite.resize((500, 500)))
        canvas.save(big)
    done = run("--features", "--box=-40,60,620", "--box", "0,0,96", big, first)
    assert done.returncode == 0, done.stderr
    entries = json.loads(done.stdout)
    svm = SVC.load(MODELS / "hog_svm.svm")
    rgba, w, h = open_rgba(big)
    sent, sw, sh, box, k = svm_input(rgba, w, h, [-40, 60, 620])
    assert entries[0]["hog_svm_input"] == {"box": [-40, 60, 620], "k": 3, "sent": [206, 206]} == {
        "box": [-40, 60, 620], "k": k, "sent": [sw, sh]}
    x = classify.features(classify.prepare(sent, sw, sh, svm.pipeline, box), svm.pipeline)
    assert entries[0]["hog_svm_features"] == x
    assert entries[0]["hog_svm"][0]["label"] == classify.rank(svm, x, 1)[0]["label"]
    assert entries[1]["hog_svm_input"]["k"] == 1 and len(entries[1]["hog_svm_features"]) == svm.n_features_in_
    # one --box per picture, or none
    done = run("--box", "0,0,10", big, first)
    assert done.returncode == 2 and "1 --box for 2 pictures" in done.stderr and "Traceback" not in done.stderr
    done = run("--box", "0,0", big)
    assert done.returncode == 2 and "a box is X,Y,SIDE" in done.stderr
