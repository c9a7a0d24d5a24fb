"""The dataset's pieces: an `Item` (one stored image and its manifest row), what a builder returns (`Built`),
the manifest's columns and the digests that name pictures and files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from export import sprites as sp
from export.styles import ANIMATED_STYLE, generation_of


DATA = sp.ROOT / "data"
DEFAULT_OUT = DATA / "pokemon-10"
GROUPS_PER_VIEW = 10
MANIFEST_COLUMNS = ("path", "class", "view", "variant", "frame", "pose", "group", "split", "crossview",
                    "style", "generation", "source", "sha1", "nearest_train")
GUARD_COLUMNS = ("class", "view", "variant", "frame", "pose")
CROSSVIEW = {"front": "train", "back": "test"}



@dataclass
class Item:
    """One stored image and its manifest row."""

    cls: str
    image: Image.Image
    name: str  # file name inside the class folder
    split: str
    group: str
    view: str = ""
    variant: str = ""
    frame: int | str = ""
    pose: int | str = ""
    style: str = ""
    source: str = ""
    sha1: str = ""
    nearest: float | None = None  # val/test: distance to the nearest training image of the class

    def row(self) -> dict[str, object]:
        return {
            "path": f"{self.cls}/{self.name}",
            "class": self.cls,
            "view": self.view,
            "variant": self.variant,
            "frame": self.frame,
            "pose": self.pose,
            "group": self.group,
            "split": self.split,
            "crossview": CROSSVIEW.get(self.view, "") if self.style in ("", ANIMATED_STYLE) else "",
            "style": self.style,
            "generation": generation_of(self.style) if self.style else "",
            "source": self.source,
            "sha1": self.sha1,
            "nearest_train": "" if self.nearest is None else f"{self.nearest:.2f}",
        }


@dataclass
class Built:
    """What a builder returns: the items to store, and what to report."""

    items: list[Item]
    info: dict
    guards: list[dict] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)


def image_digest(image: Image.Image) -> str:
    """A hash of an image's pixels (equal for identical pictures)."""
    return hashlib.sha1(image.mode.encode() + repr(image.size).encode() + image.tobytes()).hexdigest()


def file_sha(path: Path) -> str:
    """The first 16 hex digits of a file's SHA-256 ("none" if missing): which manifest a log measured."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "none"


