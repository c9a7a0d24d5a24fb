"""The CNN's training pictures: the distinct sprites of some rows (`load_sprites`) and the random pictures
made of them (`Augmenter`, batched in torch; the recipe is in `export.train_cnn`'s docstring).
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from export import backgrounds, cnn_input, restyle
from export.cnn_model import Config
from export.dataset_items import image_digest


@dataclass
class Sprites:
    """Distinct training pictures of some rows: tight RGBA crops and the browser's input."""

    labels: list[int]
    tight: list[torch.Tensor]  # premultiplied RGBA (4, h, w) in [0, 1], cropped to alpha > 0
    canonical: torch.Tensor  # premultiplied RGBA (N, 4, size, size): the browser's crop, resized
    weights: np.ndarray  # sampling probability: classes equal, distinct pictures equal in a class


def premultiplied(rgba: Image.Image) -> torch.Tensor:
    x = torch.from_numpy(np.asarray(rgba, dtype=np.float32) / 255.0).permute(2, 0, 1).contiguous()
    x[:3] *= x[3:4]
    return x


def load_sprites(rows: Sequence[dict], root: Path, classes: Sequence[str], size: int, resample: str) -> Sprites:
    """The distinct pictures of *rows* (pixel-identical frames count once)."""
    seen: dict[str, int] = {}
    labels, tight, canonical = [], [], []
    for row in rows:
        image = cnn_input.open_image(root / row["path"])
        digest = image_digest(image)
        if digest in seen:
            continue
        seen[digest] = len(labels)
        box = image.getchannel("A").getbbox()
        if box is None:
            continue
        labels.append(classes.index(row["class"]))
        tight.append(premultiplied(image.crop(box)))
        canonical.append(premultiplied(cnn_input.prepare_rgba(image, size, resample)))
    if not labels:
        raise ValueError("no training picture with visible pixels")
    counts = np.bincount(labels, minlength=len(classes))
    weights = np.array([1.0 / counts[c] for c in labels])
    return Sprites(labels, tight, torch.stack(canonical), weights / weights.sum())


class Augmenter:
    """Random training pictures from `Sprites` (see the module doc), batched in torch."""

    def __init__(self, config: Config, mean: Sequence[float], std: Sequence[float]) -> None:
        self.c = config
        self.size = config.size
        side = round(config.size * 1.5)
        self.bank = torch.from_numpy(backgrounds.bank(config.bank_size, side, config.seed)).permute(0, 3, 1, 2)
        self.mean = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)

    # geometry: the sprite, scaled, placed, flipped, rotated (premultiplied RGBA)
    def foreground(self, sprites: Sprites, index: np.ndarray, rng: np.random.Generator) -> torch.Tensor:
        c, s = self.c, self.size
        out = torch.zeros(len(index), 4, s, s)
        for k, i in enumerate(index):
            if rng.random() < c.p_clean:
                out[k] = sprites.canonical[i]
                continue
            src = sprites.tight[i]
            if rng.random() < c.p_restyle:
                src = restyled(src, rng)
            longer = rng.uniform(*c.scale) * s
            factor = longer / max(src.shape[1:])
            h = max(1, min(s, round(src.shape[1] * factor)))
            w = max(1, min(s, round(src.shape[2] * factor)))
            small = F.interpolate(src[None], size=(h, w), mode="bilinear", antialias=True, align_corners=False)[0]
            y = int(rng.integers(0, s - h + 1))
            x = int(rng.integers(0, s - w + 1))
            out[k, :, y : y + h, x : x + w] = small
        flip = torch.from_numpy(rng.random(len(index)) < 0.5)
        out[flip] = out[flip].flip(-1)
        rotate = np.flatnonzero(rng.random(len(index)) < 0.5)
        if len(rotate) and c.max_rotation > 0:
            angle = torch.from_numpy(np.radians(rng.uniform(-c.max_rotation, c.max_rotation, len(rotate))))
            cos, sin = torch.cos(angle).float(), torch.sin(angle).float()
            zero = torch.zeros_like(cos)
            theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
            sel = torch.from_numpy(rotate)
            grid = F.affine_grid(theta, [len(rotate), 4, s, s], align_corners=False)
            out[sel] = F.grid_sample(out[sel], grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        return out

    def background(self, n: int, rng: np.random.Generator) -> torch.Tensor:
        c, s = self.c, self.size
        out = torch.ones(n, 3, s, s)
        kind = rng.random(n)
        for k in range(n):
            if kind[k] < c.p_white:
                continue
            if kind[k] < c.p_white + c.p_solid:
                out[k] = torch.from_numpy(backgrounds.random_colour(rng) / 255.0).float().view(3, 1, 1)
                continue
            picture = self.bank[int(rng.integers(len(self.bank)))]
            side = int(rng.integers(s // 2, picture.shape[1] + 1))
            y, x = rng.integers(0, picture.shape[1] - side + 1, size=2)
            crop = picture[:, y : y + side, x : x + side].float()[None] / 255.0
            crop = F.interpolate(crop, size=(s, s), mode="bilinear", antialias=True, align_corners=False)[0]
            out[k] = crop.flip(-1) if rng.random() < 0.5 else crop
        return out

    def photometric(self, x: torch.Tensor, rng: np.random.Generator, gen: torch.Generator) -> torch.Tensor:
        c, n = self.c, len(x)
        on = torch.from_numpy(rng.random(n) < c.p_jitter).float().view(n, 1, 1, 1)

        def factor(spread: float) -> torch.Tensor:
            f = torch.from_numpy(rng.uniform(1 - spread, 1 + spread, n)).float().view(n, 1, 1, 1)
            return on * f + (1 - on)

        x = x * factor(c.brightness)
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        x = (x - mean) * factor(c.contrast) + mean
        gray = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
        x = gray + (x - gray) * factor(c.saturation)
        # hue: rotate the chroma plane of YIQ by a small angle
        angle = torch.from_numpy(rng.uniform(-c.hue, c.hue, n) * 2 * math.pi).float() * on.view(n)
        to_yiq = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
        yiq = torch.einsum("ij,njhw->nihw", to_yiq, x)
        cos, sin = torch.cos(angle).view(n, 1, 1), torch.sin(angle).view(n, 1, 1)
        i, q = yiq[:, 1] * cos - yiq[:, 2] * sin, yiq[:, 1] * sin + yiq[:, 2] * cos
        yiq = torch.stack([yiq[:, 0], i, q], 1)
        x = torch.einsum("ij,njhw->nihw", torch.linalg.inv(to_yiq), yiq).clamp(0, 1)
        blurred = np.flatnonzero(rng.random(n) < c.p_blur)
        if len(blurred):
            sel = torch.from_numpy(blurred)
            x[sel] = gaussian_blur(x[sel], rng.uniform(*c.blur_sigma, len(blurred)))
        noisy = np.flatnonzero(rng.random(n) < c.p_noise)
        if len(noisy):
            sigma = torch.from_numpy(rng.uniform(*c.noise_sigma, len(noisy))).float().view(-1, 1, 1, 1)
            sel = torch.from_numpy(noisy)
            x[sel] = (x[sel] + sigma * torch.randn(x[sel].shape, generator=gen)).clamp(0, 1)
        for k in np.flatnonzero(rng.random(n) < c.p_jpeg):
            x[k] = jpeg(x[k], int(rng.integers(c.jpeg_quality[0], c.jpeg_quality[1] + 1)))
        return x

    def batch(self, sprites: Sprites, index: np.ndarray, rng: np.random.Generator,
              gen: torch.Generator, photometric: bool = True) -> torch.Tensor:
        """Normalised inputs ``(len(index), 3, size, size)`` for the pictures *index*."""
        fg = self.foreground(sprites, index, rng)
        x = fg[:, :3] + (1 - fg[:, 3:4]) * self.background(len(index), rng)
        if photometric:
            x = self.photometric(x, rng, gen)
        # quantise to 8 bits like every picture the browser reads
        x = torch.round(x.clamp(0, 1) * 255) / 255
        return (x - self.mean) / self.std


def restyled(sprite: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """A premultiplied RGBA sprite ``(4, h, w)`` redrawn in another drawing style (`export.restyle`)."""
    alpha = sprite[3:4]
    straight = torch.where(alpha > 0, sprite[:3] / alpha.clamp_min(1e-6), torch.zeros_like(sprite[:3]))
    pixels = torch.cat([straight, alpha]).permute(1, 2, 0).numpy()
    out = torch.from_numpy(restyle.restyle(pixels, rng)).permute(2, 0, 1).contiguous()
    out[:3] *= out[3:4]
    return out


def gaussian_blur(x: torch.Tensor, sigma: np.ndarray) -> torch.Tensor:
    """Pictures (N, C, H, W), picture *k* blurred by a Gaussian of ``sigma[k]`` pixels (reflect padding).

    One separable convolution for the whole batch: each channel of each picture is its own group.
    """
    n, c, h, w = x.shape
    sigma = torch.as_tensor(np.asarray(sigma, dtype=np.float32)).view(n, 1)
    radius = max(1, math.ceil(3 * float(sigma.max())))
    t = torch.arange(-radius, radius + 1, dtype=torch.float32).view(1, -1)
    kernel = torch.exp(-0.5 * (t / sigma) ** 2)
    kernel = (kernel / kernel.sum(1, keepdim=True)).repeat_interleave(c, 0)  # (n·c, 2r + 1)
    y = F.pad(x.reshape(1, n * c, h, w), (radius, radius, radius, radius), mode="reflect")
    y = F.conv2d(y, kernel.view(n * c, 1, 1, -1), groups=n * c)
    y = F.conv2d(y, kernel.view(n * c, 1, -1, 1), groups=n * c)
    return y.view(n, c, h, w)


def jpeg(x: torch.Tensor, quality: int) -> torch.Tensor:
    """A (3, H, W) picture in [0, 1] through JPEG compression at *quality* (Pillow)."""
    array = (x.permute(1, 2, 0).numpy() * 255).round().clip(0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array, "RGB").save(buffer, "JPEG", quality=quality)
    with Image.open(buffer) as image:
        back = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(back).permute(2, 0, 1).contiguous()


def normalisation(canonical: torch.Tensor, background: Sequence[int]) -> tuple[list[float], list[float]]:
    """Per-channel mean and std (rounded to 0.001) of the clean training inputs on *background*."""
    bg = torch.tensor(background, dtype=torch.float32).view(1, 3, 1, 1) / 255
    x = canonical[:, :3] + (1 - canonical[:, 3:4]) * bg
    mean = x.mean(dim=(0, 2, 3))
    std = x.std(dim=(0, 2, 3))
    return [round(float(m), 3) for m in mean], [round(float(s), 3) for s in std]


def cluttered_set(config: Config, mean, std, sprites: Sprites, copies: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Validation sprites on procedural backgrounds drawn with another seed, no colour jitter.

    A validation-split view of robustness to backgrounds (the photo-like test set is never used to
    choose anything): each distinct validation picture *copies* times, scale 40–100 %, seeded.
    """
    plain = dataclasses.replace(config, seed=config.seed + 1000, p_clean=0.0, p_white=0.0, p_solid=0.0,
                                bank_size=max(40, config.bank_size // 4))
    augmenter = Augmenter(plain, mean, std)
    rng = np.random.default_rng([config.seed, 1000])
    gen = torch.Generator().manual_seed(config.seed + 1000)
    index = np.tile(np.arange(len(sprites.labels)), copies)
    x = augmenter.batch(sprites, index, rng, gen, photometric=False)
    return x.numpy(), np.asarray(sprites.labels)[index]
