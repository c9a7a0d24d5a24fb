"""The folder-per-class builder (``--data PATH``): each image its own group, pixel-identical images sharing one,
the groups of each class dealt 60/20/20.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageOps
from tqdm import tqdm

from export import sprites as sp
from export.dataset_items import Built, Item, image_digest
from export.split import SPLITS, stratified


def read_image(path: Path) -> tuple[Image.Image, bool]:
    """An image file as RGBA, upright (EXIF orientation), and whether it has real transparency."""
    with Image.open(path) as opened:
        opened.load()
        upright = ImageOps.exif_transpose(opened)
        transparent = sp.has_transparency(upright)
        rgba = upright.convert("RGBA")
    if transparent:
        low, _ = rgba.getchannel("A").getextrema()
        transparent = low < 255
    return rgba, transparent


def build_folder(
    root: Path,
    classes: Sequence[str] | None = None,
    size: int = 64,
    seed: int = 0,
    progress: bool = True,
) -> Built:
    """A folder-per-class dataset: every image its own group, 60/20/20 per class, seeded."""
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"dataset folder {root} does not exist")
    folders = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if classes:
        missing = [c for c in classes if c not in folders]
        if missing:
            raise ValueError(f"no folder for class(es) {', '.join(missing)} in {root}")
        folders = sorted(classes)
    if not folders:
        raise ValueError(f"{root} has no class folders (expected {root}/<ClassName>/<image files>)")
    items: list[Item] = []
    skipped: list[tuple[str, str]] = []
    files = [(c, f) for c in folders for f in sorted((root / c).iterdir()) if f.is_file()]
    by_class: dict[str, list[tuple[Path, Image.Image]]] = {c: [] for c in folders}
    for cls, path in tqdm(files, desc="reading images", unit="img", disable=not progress):
        try:
            rgba, transparent = read_image(path)
        except Exception as error:  # any file Pillow cannot decode is skipped, and counted
            skipped.append((str(path), f"{type(error).__name__}: {error}"))
            continue
        image = sp.square_crop(rgba, size, crop=transparent)
        if image is None:
            skipped.append((str(path), "nothing visible (fully transparent)"))
            continue
        by_class[cls].append((path, image))
    for cls in folders:
        images = by_class[cls]
        if not images:
            raise ValueError(f"class {cls!r} has no readable images in {root / cls}")
        group_of: dict[str, int] = {}
        for _, image in images:
            group_of.setdefault(image_digest(image), len(group_of))
        if len(group_of) < len(SPLITS):
            raise ValueError(
                f"class {cls!r} has only {len(group_of)} distinct image(s); at least 3 are "
                "needed to split it 60/20/20"
            )
        split_of_group = stratified(len(group_of), f"{seed}:{cls}")
        names: set[str] = set()
        for path, image in images:
            name = f"{path.stem}.png"
            n = 2
            while name in names:
                name, n = f"{path.stem}-{n}.png", n + 1
            names.add(name)
            g = group_of[image_digest(image)]
            items.append(Item(cls, image, name, split_of_group[g], f"{cls}/{g:04d}"))
    info = {"name": root.name, "source": str(root), "files_read": len(files)}
    return Built(items, info, [], skipped)


