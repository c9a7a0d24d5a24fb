"""The CNN (the talk's steps 2–4 for the second model): a phone-sized network, trained with torch.

Run ``python -m export train-cnn [--epochs N] [--seed S] [--out slides/models] [--quick]``
after ``python -m export dataset`` and ``python -m export testsets``. It writes
``cnn.onnx`` (one file), its sidecar ``cnn.json`` (the model artifacts contract) and the training
log ``cnn-train.json``.

**Model** (`SmallCNN`): four blocks conv 3×3 → batch norm → ReLU → max-pool 2×2 with 16, 32, 64 and
128 channels, global average pooling, dropout and one linear layer — LeCun et al. (1998) shape,
Ioffe & Szegedy (2015) batch norm, about 100 k parameters. For export each batch norm is folded
into its convolution (``w' = w γ/σ``, ``b' = β − μ γ/σ``); the ONNX outputs are the ``logits`` and
the post-ReLU activations of the first two blocks, ``conv1`` and ``conv2``, for the feature-map
widget.

**Input**: what the browser feeds (`export.cnn_input`): the default crop square, resized to 64×64
on white, ``(x/255 − mean)/std`` (mean and std of the clean training inputs); 64 px rather than 48
(EXPERIMENTS.md).

**Augmentation** (`Augmenter`, batched in torch): the RGBA sprite — cropped to its pixels — is
resized (antialiased) so its longer side is 40–100 % of the frame, placed at a random position,
flipped, rotated by up to 12°, and composited (premultiplied alpha) on white (35 %), a random
solid colour (10 %) or a random crop of the procedural backgrounds of `export.backgrounds` (never
the photos of the photo-like test set); a quarter of the samples are exactly the browser's input
instead. Four sprites in five are first redrawn in another game's drawing style (`export.restyle`:
pixelated, palette-mapped, posterised, outlined, blurred or sharpened). Then brightness, contrast,
saturation and a small hue shift, Gaussian blur, pixel noise, and JPEG compression, each with some
probability.

**Class balance**: each epoch draws samples with replacement, every class equally often and,
within a class, every *distinct* picture equally often (the animations repeat frames).

**Training**: AdamW, cosine learning rate with warm-up, label smoothing 0.1, seeds fixed; the
model scored and kept is the moving average of the weights. After every epoch it is scored on the
validation split as the browser feeds it; the best epoch (accuracy, then macro-F1, then accuracy
on validation sprites over held-out procedural backgrounds, then lower validation loss) is kept,
and training stops early when it has not improved for ``--patience`` epochs.

**"Not one of these"**: the threshold on the top-1 softmax probability, by the rule both models
share (`export.threshold`): the largest coverage whose confident-error rate is ≤ 2 % on the
validation split as the browser feeds it (on white) *and* on procedural backgrounds, because the
site answers both drawings and phone pictures (the threshold from the white pictures alone is
logged too). Checked, never chosen, on ``data/not-pokemon``.

**Tried and not kept**: ``--compare`` trains the candidate recipes of `export.cnn_search` (style
augmentation off or stronger, a wider network) and scores them on validation only; the table goes
into the training log (``candidate_comparison``), and is kept from run to run. Earlier tries are
recorded in EXPERIMENTS.md.

**Reported, never used to choose anything**: the test split, the photo-like set, the unseen-art
set, and the cross-view diagnostic — a second model trained on front views only (last epoch, no
selection) and scored on the back views. The exported model's scores are computed with
onnxruntime on the exported file, so a test can recompute them.
"""

from __future__ import annotations

import argparse
import copy
import csv
import dataclasses
import io
import json
import math
import platform
import random
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from tqdm import tqdm

from export import backgrounds, cnn_input, restyle
from export import sprites as sp
from export.dataset_items import DATA, DEFAULT_OUT, file_sha, image_digest
from export.metrics import scores
from export.styles import ANIMATED_STYLE
from export.threshold import RULE as THRESHOLD_RULE
from export.threshold import choose_threshold, risk_coverage

MODELS = sp.ROOT / "slides" / "models"
TARGETS = {"test_accuracy": 0.98, "crossview_accuracy": 0.90, "photo_like_accuracy": 0.90,
           "unseen_art_correct": 9}


@dataclass
class Config:
    """Everything that decides the trained model (written into ``cnn-train.json``)."""

    size: int = 64
    channels: tuple[int, ...] = (16, 32, 64, 128)
    dropout: float = 0.2
    epochs: int = 30
    patience: int = 12
    samples_per_epoch: int = 2048
    batch_size: int = 64
    lr: float = 3e-3
    weight_decay: float = 5e-4
    warmup_epochs: int = 2
    label_smoothing: float = 0.1
    seed: int = 0
    crossview_epochs: int = 15
    background: tuple[int, int, int] = (255, 255, 255)
    resample: str = "bilinear"
    # augmentation
    p_clean: float = 0.25
    p_restyle: float = 0.8
    scale: tuple[float, float] = (0.4, 1.0)
    p_white: float = 0.35
    p_solid: float = 0.10
    max_rotation: float = 12.0
    p_jitter: float = 0.8
    brightness: float = 0.25
    contrast: float = 0.3
    saturation: float = 0.4
    hue: float = 0.05
    p_blur: float = 0.3
    blur_sigma: tuple[float, float] = (0.4, 1.3)
    p_noise: float = 0.3
    noise_sigma: tuple[float, float] = (0.005, 0.04)
    p_jpeg: float = 0.15
    jpeg_quality: tuple[int, int] = (40, 90)
    bank_size: int = 800
    ema: float = 0.99
    threads: int = 2


# -- the model ----------------------------------------------------------------------------------


class Block(nn.Module):
    """conv 3×3 (no bias) → batch norm → ReLU → max-pool 2×2."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
        self.bn: nn.Module = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)

    def activations(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.bn(self.conv(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(self.activations(x))


class SmallCNN(nn.Module):
    """Blocks of `Block`, global average pooling, dropout, a linear classifier."""

    def __init__(self, n_classes: int, channels: Sequence[int] = (16, 32, 64, 128), dropout: float = 0.2):
        super().__init__()
        if len(channels) < 2:
            raise ValueError("the CNN needs at least two blocks (conv1 and conv2 are exported)")
        sizes = [3, *channels]
        self.blocks = nn.ModuleList(Block(a, b) for a, b in zip(sizes, sizes[1:]))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(channels[-1], n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.fc(self.dropout(x.mean(dim=(2, 3))))


class ExportedCNN(nn.Module):
    """The model as exported: batch norms folded, outputs ``(logits, conv1, conv2, embedding)``.

    ``embedding`` is the pooled vector the last layer reads (the CNN's learned features: "Teach it" trains
    an SVM on it); ``conv1`` and ``conv2`` the first two blocks' activations (the feature-map slides)."""

    def __init__(self, model: SmallCNN) -> None:
        super().__init__()
        model = copy.deepcopy(model).eval()
        for block in model.blocks:
            block.conv = torch.nn.utils.fusion.fuse_conv_bn_eval(block.conv, block.bn)
            block.bn = nn.Identity()
        self.model = model

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, ...]:
        blocks = self.model.blocks
        conv1 = blocks[0].activations(image)
        conv2 = blocks[1].activations(blocks[0].pool(conv1))
        x = blocks[1].pool(conv2)
        for block in blocks[2:]:
            x = block(x)
        embedding = x.mean(dim=(2, 3))
        return self.model.fc(embedding), conv1, conv2, embedding


#: The exported model's outputs, in order (the sidecar names their roles).
OUTPUTS = ("logits", "conv1", "conv2", "embedding")


def n_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# -- data ---------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ValueError(f"{path} not found: build it first (python -m export dataset / testsets)")
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


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


# -- evaluation ---------------------------------------------------------------------------------


@torch.no_grad()
def torch_logits(model: nn.Module, x: np.ndarray | torch.Tensor, batch: int = 256) -> np.ndarray:
    model.eval()
    x = torch.as_tensor(x)
    out = [model(x[i : i + batch].contiguous(memory_format=torch.channels_last)) for i in range(0, len(x), batch)]
    return torch.cat(out).numpy() if out else np.zeros((0, 0), np.float32)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def onnx_logits(session, x: np.ndarray, batch: int = 256) -> np.ndarray:
    """Logits of the ONNX model for inputs *x* ``(N, 3, size, size)``."""
    out = [session.run(["logits"], {"image": x[i : i + batch]})[0] for i in range(0, len(x), batch)]
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


# -- training -----------------------------------------------------------------------------------


def seed_everything(seed: int, threads: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)


def fit(
    config: Config, sprites: Sprites, augmenter: Augmenter, epochs: int, n_classes: int,
    val: tuple[np.ndarray, np.ndarray] | None, desc: str, progress: bool, seed_offset: int = 0,
    cluttered: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[SmallCNN, list[dict], int]:
    """Train a `SmallCNN`; with *val*, keep the best epoch and stop early. Returns (model, log, best).

    The model scored and kept is the exponential moving average of the weights (and of the batch
    norm statistics), decay ``config.ema`` per step: it smooths the epoch-to-epoch swings that
    training on cluttered backgrounds and scoring on white causes. The best epoch maximises the
    validation accuracy, then macro-F1, then the accuracy on *cluttered* (validation sprites on
    held-out procedural backgrounds), then minimises the validation loss.
    """
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    torch.manual_seed(config.seed + seed_offset)
    model = SmallCNN(n_classes, config.channels, config.dropout).to(memory_format=torch.channels_last)
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(config.ema), use_buffers=True)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    steps = max(1, config.samples_per_epoch // config.batch_size)
    total, warmup = epochs * steps, config.warmup_epochs * steps

    def lr_at(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, lr_at)
    gen = torch.Generator().manual_seed(config.seed + seed_offset)
    val_x = torch.from_numpy(val[0]) if val is not None else None
    log: list[dict] = []
    best_key, best_state, best_epoch, stale = None, None, 0, 0
    bar = tqdm(range(1, epochs + 1), desc=desc, unit="epoch", disable=not progress, leave=True)
    for epoch in bar:
        start = time.perf_counter()
        rng = np.random.default_rng([config.seed + seed_offset, epoch])
        order = rng.choice(len(sprites.labels), size=steps * config.batch_size, p=sprites.weights)
        labels = torch.tensor(sprites.labels)[torch.from_numpy(order)]
        model.train()
        loss_sum, hits, augmenting = 0.0, 0, 0.0
        for step in range(steps):
            part = slice(step * config.batch_size, (step + 1) * config.batch_size)
            tick = time.perf_counter()
            x = augmenter.batch(sprites, order[part], rng, gen).contiguous(memory_format=torch.channels_last)
            augmenting += time.perf_counter() - tick
            y = labels[part]
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=config.label_smoothing)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            scheduler.step()
            ema.update_parameters(model)
            loss_sum += loss.item() * len(y)
            hits += int((logits.argmax(1) == y).sum())
        entry = {
            "epoch": epoch,
            "train_loss": round(loss_sum / len(order), 5),
            "train_accuracy_augmented": round(hits / len(order), 5),
            "lr_end": float(f"{scheduler.get_last_lr()[0]:.3g}"),
        }
        averaged = ema.module
        if val is not None:
            logits = torch_logits(averaged, val_x)
            pred = logits.argmax(1)
            s = scores(val[1], pred, range(n_classes), digits=None)
            val_loss = float(F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(val[1])))
            entry.update(val_accuracy=round(s["accuracy"], 5), val_macro_f1=round(s["macro_f1"], 5),
                         val_loss=round(val_loss, 5))
            clutter_acc = 0.0
            if cluttered is not None:
                clutter_acc = float((torch_logits(averaged, cluttered[0]).argmax(1) == cluttered[1]).mean())
                entry["val_cluttered_accuracy"] = round(clutter_acc, 5)
            key = (s["accuracy"], s["macro_f1"], clutter_acc, -val_loss)
            if best_key is None or key > best_key:
                best_key, best_epoch, stale = key, epoch, 0
                best_state = copy.deepcopy(averaged.state_dict())
            else:
                stale += 1
            bar.set_postfix(val=f"{s['accuracy']:.3f}", clutter=f"{clutter_acc:.3f}", best=best_epoch)
        entry["seconds_augment"] = round(augmenting, 2)
        entry["seconds"] = round(time.perf_counter() - start, 2)
        log.append(entry)
        if val is not None and stale >= config.patience:
            break
    bar.close()
    model = ema.module
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        best_epoch = len(log)
    return model.eval(), log, best_epoch


# -- export -------------------------------------------------------------------------------------


def export_onnx(model: SmallCNN, path: Path, size: int, sidecar: dict) -> None:
    """Write *model* as one ONNX file (opset 17, dynamic batch) with *sidecar* in metadata_props."""
    import onnx

    wrapped = ExportedCNN(model).eval()
    dummy = torch.zeros(1, 3, size, size)
    buffer = io.BytesIO()
    axes = {name: {0: "N"} for name in ("image", *OUTPUTS)}
    with warnings.catch_warnings():  # the TorchScript exporter is deprecated, and writes one file
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            wrapped, (dummy,), buffer, input_names=["image"], output_names=list(OUTPUTS),
            dynamic_axes=axes, opset_version=17, dynamo=False, do_constant_folding=True,
        )
    proto = onnx.load_from_string(buffer.getvalue())
    onnx.helper.set_model_props(proto, {"pyodemo": json.dumps(sidecar), "classes": json.dumps(sidecar["classes"])})
    proto.doc_string = "pyodemo CNN: Who's that Pokémon? See the sidecar cnn.json."
    onnx.checker.check_model(proto)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save_model(proto, str(path), save_as_external_data=False)


def onnx_session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def max_difference(model: SmallCNN, session, x: np.ndarray) -> dict[str, float]:
    """Largest |torch − onnxruntime| per output on inputs *x*, and against the unfolded model (its logits and
    the penultimate activations, what its last layer reads)."""
    penultimate: list[torch.Tensor] = []
    hook = model.fc.register_forward_hook(lambda _module, inputs, _output: penultimate.append(inputs[0]))
    with torch.no_grad():
        reference = ExportedCNN(model).eval()(torch.from_numpy(x))
        plain = model.eval()(torch.from_numpy(x))
    hook.remove()
    ours = session.run(list(OUTPUTS), {"image": x})
    diff = {name: float(np.abs(r.numpy() - o).max()) for name, r, o in zip(OUTPUTS, reference, ours)}
    diff["logits_vs_unfolded_torch"] = float(np.abs(plain.numpy() - ours[0]).max())
    diff["embedding_vs_unfolded_torch"] = float(np.abs(penultimate[0].numpy() - ours[3]).max())
    return diff


def make_sidecar(classes: Sequence[str], config: Config, mean, std, threshold: float) -> dict:
    return {
        "format": "pyodemo-cnn",
        "version": 1,
        "classes": list(classes),
        "input": {
            "name": "image", "size": config.size, "layout": "NCHW", "scale": 255,
            "mean": [float(m) for m in mean], "std": [float(s) for s in std],
            "background": list(config.background), "resample": config.resample,
        },
        "outputs": {"logits": "logits", "feature_maps": ["conv1", "conv2"], "embedding": "embedding"},
        "threshold": threshold,
        "threshold_on": "top-1 softmax probability",
    }


# -- the command --------------------------------------------------------------------------------


def subset(rows: list[dict], per_class: int, seed: int) -> list[dict]:
    """At most *per_class* rows of each class, a seeded pick (for ``--quick``)."""
    by_class = defaultdict(list)
    for row in rows:
        by_class[row["class"]].append(row)
    picked = []
    for cls in sorted(by_class):
        items = sorted(by_class[cls], key=lambda r: r["path"])
        random.Random(f"{seed}:{cls}").shuffle(items)
        picked += items[:per_class]
    return picked


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


def evaluate_sets(session, spec: dict, classes: list[str], rows: dict[str, list[dict]],
                  data: Path, dataset: Path, threshold: float, quick: bool, other_threshold: float) -> dict:
    """Scores of the exported model (onnxruntime) on every set; the browser's input for each."""
    n = len(classes)
    report: dict = {}
    for split in ("val", "test"):
        items = rows[split]
        x = cnn_input.batch([dataset / r["path"] for r in items], spec)
        y = np.array([classes.index(r["class"]) for r in items])
        report[split] = scores(y, onnx_logits(session, x).argmax(1), range(n), digits=None)
    photo_rows = []
    if (data / "photo-like" / "manifest.csv").is_file():
        photo_rows = read_csv(data / "photo-like" / "manifest.csv")
        photo_rows = subset(photo_rows, 2, 0) if quick else photo_rows
    if photo_rows:
        x = cnn_input.batch([data / "photo-like" / r["path"] for r in photo_rows], spec)
        y = np.array([classes.index(r["class"]) for r in photo_rows])
        probs = softmax(onnx_logits(session, x))
        report["photo_like"] = scores(y, probs.argmax(1), range(n), digits=None)
        sure = probs.max(1) >= threshold
        report["photo_like"]["correct_and_sure"] = int(((probs.argmax(1) == y) & sure).sum())
        report["photo_like"]["correct_and_sure_white_only"] = int(
            ((probs.argmax(1) == y) & (probs.max(1) >= other_threshold)).sum())
    else:
        report["photo_like"] = {"n": 0, "note": "data/photo-like not built"}
    art = [(cls, data / "unseen-art" / f"{cls}.png") for cls in classes]
    art = [(cls, p) for cls, p in art if p.is_file()]
    if art:
        probs = softmax(onnx_logits(session, cnn_input.batch([p for _, p in art], spec)))
        answers = [{"class": cls, "predicted": classes[int(p.argmax())], "probability": round(float(p.max()), 4)}
                   for (cls, _), p in zip(art, probs)]
        report["unseen_art"] = {"n": len(art), "correct": sum(a["class"] == a["predicted"] for a in answers),
                                "answers": answers}
    else:
        report["unseen_art"] = {"n": 0, "note": "data/unseen-art not built"}
    other = []
    if (data / "not-pokemon" / "manifest.csv").is_file():
        other = read_csv(data / "not-pokemon" / "manifest.csv")
        other = other[:: max(1, len(other) // 10)] if quick else other
    if other:
        probs = softmax(onnx_logits(session, cnn_input.batch([data / "not-pokemon" / r["path"] for r in other], spec)))
        below = probs.max(1) < threshold
        kinds = sorted({r["kind"] for r in other})
        report["not_pokemon"] = {
            "n": len(other), "below_threshold": int(below.sum()), "rejected_fraction": float(below.mean()),
            "below_white_only": int((probs.max(1) < other_threshold).sum()),
            "by_kind": {k: {"n": sum(r["kind"] == k for r in other),
                            "below_threshold": int(sum(b for b, r in zip(below, other) if r["kind"] == k))}
                        for k in kinds},
        }
    else:
        report["not_pokemon"] = {"n": 0, "note": "data/not-pokemon not built"}
    return report


def targets(report: dict) -> dict[str, dict]:
    got = {
        "test_accuracy": report["test"].get("accuracy"),
        "crossview_accuracy": report.get("crossview", {}).get("accuracy"),
        "photo_like_accuracy": report["photo_like"].get("accuracy"),
        "unseen_art_correct": report["unseen_art"].get("correct"),
    }
    return {k: {"target": TARGETS[k], "measured": v, "met": v is not None and v >= TARGETS[k]} for k, v in got.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m export train-cnn",
        description="Train the CNN on the dataset, export cnn.onnx + cnn.json + cnn-train.json.",
    )
    parser.add_argument("--epochs", type=int, default=Config.epochs, help="most epochs (early stopping may end sooner)")
    parser.add_argument("--crossview-epochs", type=int, default=Config.crossview_epochs,
                        help="epochs of the cross-view diagnostic model (0: skip it)")
    parser.add_argument("--patience", type=int, default=Config.patience,
                        help="stop after this many epochs without a better validation score")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=Config.size, help="input side in pixels")
    parser.add_argument("--channels", type=int, nargs="+", default=list(Config.channels),
                        help="channels of the conv blocks (at least two)")
    parser.add_argument("--restyle", type=float, default=Config.p_restyle,
                        help="share of the training sprites redrawn in another drawing style (export.restyle)")
    parser.add_argument("--out", type=Path, help="folder for the artifacts (default: slides/models; "
                        "with --quick a new temporary folder)")
    parser.add_argument("--dataset", type=Path, default=DEFAULT_OUT, help="the built dataset")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of photo-like/, unseen-art/, not-pokemon/")
    parser.add_argument("--quick", action="store_true", help="a couple of epochs on a small subset (for tests)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--compare", action="store_true",
                        help="first train the recipes of export.cnn_search and score them on validation (slow)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        raise ValueError(f"--epochs must be at least 1, got {args.epochs}")
    if not 0.0 <= args.restyle <= 1.0:
        raise ValueError(f"--restyle is a share from 0 to 1, got {args.restyle}")
    if args.size < 16 or args.size % 4:
        raise ValueError(f"--size must be a multiple of 4 and at least 16, got {args.size}")
    wall = time.perf_counter()
    config = Config(epochs=args.epochs, seed=args.seed, size=args.size, crossview_epochs=args.crossview_epochs,
                    channels=tuple(args.channels), patience=args.patience, p_restyle=args.restyle)
    if args.quick:
        config.epochs = min(config.epochs, 2)
        config.crossview_epochs = min(config.crossview_epochs, 1)
        config.samples_per_epoch, config.batch_size, config.bank_size = 128, 32, 24
    out = args.out or (Path(tempfile.mkdtemp(prefix="pyodemo-cnn-")) if args.quick else MODELS)
    seed_everything(config.seed, config.threads)
    progress = not args.quiet

    manifest = read_csv(args.dataset / "manifest.csv")
    classes = sorted({r["class"] for r in manifest})
    rows = {s: [r for r in manifest if r["split"] == s] for s in ("train", "val", "test")}
    if args.quick:
        rows = {"train": subset(rows["train"], 12, config.seed), "val": subset(rows["val"], 4, config.seed),
                "test": subset(rows["test"], 4, config.seed)}
    for split, items in rows.items():
        if not items:
            raise ValueError(f"the {split} split of {args.dataset} is empty")
    print(f"loading {args.dataset} ({len(classes)} classes)", file=sys.stderr)
    train = load_sprites(rows["train"], args.dataset, classes, config.size, config.resample)
    mean, std = normalisation(train.canonical, config.background)
    spec = make_sidecar(classes, config, mean, std, 0.0)["input"]
    val_y = np.array([classes.index(r["class"]) for r in rows["val"]])
    val_x = cnn_input.batch([args.dataset / r["path"] for r in rows["val"]], spec)
    augmenter = Augmenter(config, mean, std)
    cluttered = cluttered_set(config, mean, std, load_sprites(rows["val"], args.dataset, classes,
                                                              config.size, config.resample))

    comparison = previous_comparison(out / "cnn-train.json", args.dataset / "manifest.csv")
    if args.compare and not args.quick:
        from export import cnn_search

        styles = np.array([r.get("style", ANIMATED_STYLE) not in ("", ANIMATED_STYLE) for r in rows["val"]])
        comparison = cnn_search.compare(config, train, (val_x, val_y), styles, cluttered, len(classes), mean, std,
                                        progress, lambda line: print(line, file=sys.stderr, flush=True))
        comparison["manifest_sha"] = file_sha(args.dataset / "manifest.csv")
        kept = dict(cnn_search.CANDIDATES)[comparison["rule_keeps"]]
        if any(getattr(config, key) != value for key, value in kept.items()):
            print(f"note: the rule keeps {comparison['rule_keeps']!r}, not this run's recipe: change Config",
                  file=sys.stderr)
        seed_everything(config.seed, config.threads)

    start = time.perf_counter()
    model, log, best_epoch = fit(config, train, augmenter, config.epochs, len(classes), (val_x, val_y),
                                 "train-cnn", progress, cluttered=cluttered)
    train_seconds = time.perf_counter() - start

    val_probs = softmax(torch_logits(model, val_x))
    clutter_probs = softmax(torch_logits(model, cluttered[0]))
    top1 = np.concatenate([val_probs.max(1), clutter_probs.max(1)])
    correct = np.concatenate([val_probs.argmax(1) == val_y, clutter_probs.argmax(1) == cluttered[1]])
    threshold = choose_threshold(top1, correct)
    threshold_white_only = choose_threshold(val_probs.max(1), val_probs.argmax(1) == val_y)
    sidecar = make_sidecar(classes, config, mean, std, threshold)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / "cnn.onnx"
    export_onnx(model, onnx_path, config.size, sidecar)
    (out / "cnn.json").write_text(json.dumps(sidecar, indent=1) + "\n")
    session = onnx_session(onnx_path)
    diff = max_difference(model, session, val_x[:64])
    if max(diff.values()) > 1e-4:
        raise ValueError(f"the ONNX model disagrees with torch by {max(diff.values()):.2g} (> 1e-4)")

    report = evaluate_sets(session, spec, classes, rows, args.data, args.dataset, threshold, args.quick,
                           threshold_white_only)
    report["val_cluttered"] = scores(cluttered[1], onnx_logits(session, cluttered[0]).argmax(1), range(len(classes)), digits=None)
    report["val"]["correct_above_threshold"] = float(
        (val_probs.max(1)[val_probs.argmax(1) == val_y] >= threshold).mean())
    report["val_cluttered"]["correct_above_threshold"] = float(
        (clutter_probs.max(1)[clutter_probs.argmax(1) == cluttered[1]] >= threshold).mean())

    crossview_log: list[dict] = []
    crossview_seconds = 0.0
    front = [r for r in manifest if r["crossview"] == "train"]
    back = [r for r in manifest if r["crossview"] == "test"]
    if args.quick:
        front, back = subset(front, 12, config.seed), subset(back, 4, config.seed)
    if config.crossview_epochs > 0 and front and back:
        start = time.perf_counter()
        cv_sprites = load_sprites(front, args.dataset, classes, config.size, config.resample)
        cv_model, crossview_log, _ = fit(config, cv_sprites, augmenter, config.crossview_epochs, len(classes),
                                         None, "cross-view", progress, seed_offset=1)
        crossview_seconds = time.perf_counter() - start
        x = cnn_input.batch([args.dataset / r["path"] for r in back], spec)
        y = np.array([classes.index(r["class"]) for r in back])
        report["crossview"] = {"train": "front views (all splits)", "test": "back views (all splits)",
                               "epochs": len(crossview_log), "selection": "none (last epoch)",
                               **scores(y, torch_logits(cv_model, x).argmax(1), range(len(classes)), digits=None)}
    else:
        report["crossview"] = {"n": 0, "note": "skipped (no views in this dataset, or --crossview-epochs 0)"}

    wall_seconds = time.perf_counter() - wall
    cfg = asdict(config)
    training = {
        "format": "pyodemo-cnn-train",
        "version": 1,
        "quick": args.quick,
        "dataset": str(args.dataset.resolve().relative_to(sp.ROOT)) if args.dataset.resolve().is_relative_to(sp.ROOT) else str(args.dataset),
        "classes": classes,
        "config": cfg,
        "architecture": describe(model),
        "parameters": n_parameters(model),
        "onnx_bytes": onnx_path.stat().st_size,
        "onnx_max_abs_difference": diff,
        "train_pictures": {"rows": len(rows["train"]), "distinct": len(train.labels),
                           "distinct_per_class": {c: int(n) for c, n in zip(classes, np.bincount(train.labels, minlength=len(classes)))}},
        "best_epoch": best_epoch,
        "epochs_run": len(log),
        "epochs": log,
        "threshold": {"value": threshold, "on": "top-1 softmax probability",
                      "rule": THRESHOLD_RULE + "; the validation split both as the browser feeds it (white) "
                              "and on procedural backgrounds",
                      "val_coverage": round(risk_coverage(top1, correct, threshold)[0], 4),
                      "val_risk": round(risk_coverage(top1, correct, threshold)[1], 4),
                      "white_only": {"value": threshold_white_only,
                                     "not_pokemon_below": report["not_pokemon"].get("below_white_only"),
                                     "photo_like_correct_and_sure": report["photo_like"].get("correct_and_sure_white_only")}},
        "metrics": report,
        "targets": None,
        "crossview_epochs": crossview_log,
        "candidate_comparison": comparison,
        "seconds": {"train": round(train_seconds, 1), "crossview": round(crossview_seconds, 1),
                    "wall": round(wall_seconds, 1)},
        "environment": {"torch": torch.__version__, "python": platform.python_version(),
                        "threads": torch.get_num_threads()},
    }
    training["targets"] = targets(report)
    (out / "cnn-train.json").write_text(json.dumps(training, indent=1) + "\n")
    print(summary(training, out))
    return 0


def previous_comparison(log: Path, manifest: Path) -> dict | None:
    """The last ``--compare`` table, kept across runs without it; marked when it measured another dataset."""
    try:
        kept = json.loads(log.read_text()).get("candidate_comparison")
    except (OSError, ValueError):
        return None
    if kept and kept.get("manifest_sha") != file_sha(manifest):
        kept["dataset"] = "an earlier dataset (its manifest.csv differs from this one's): re-measure with --compare"
    return kept


def describe(model: SmallCNN) -> str:
    chans = [b.conv.out_channels for b in model.blocks]
    return (" → ".join(f"[conv3×3 {c} + BN + ReLU + maxpool]" for c in chans)
            + f" → global avg pool → dropout → linear {model.fc.in_features}×{model.fc.out_features}")


def summary(t: dict, out: Path) -> str:
    m = t["metrics"]

    def pct(s: dict, key: str = "accuracy") -> str:
        return f"{100 * s[key]:.1f}%" if key in s else "n/a"

    lines = [
        f"CNN: {t['architecture']}",
        f"  parameters {t['parameters']:,}, ONNX {t['onnx_bytes'] / 1e6:.3f} MB, "
        f"best epoch {t['best_epoch']}/{t['epochs_run']}, max |torch − onnx| {max(t['onnx_max_abs_difference'].values()):.1e}",
        f"  time: train {t['seconds']['train']} s, cross-view {t['seconds']['crossview']} s, wall {t['seconds']['wall']} s",
        f"  validation: accuracy {pct(m['val'])}, macro-F1 {pct(m['val'], 'macro_f1')}",
        f"  test:       accuracy {pct(m['test'])}, macro-F1 {pct(m['test'], 'macro_f1')} ({m['test']['correct']}/{m['test']['n']})",
        f"  cross-view: accuracy {pct(m['crossview'])}, macro-F1 {pct(m['crossview'], 'macro_f1')}",
        f"  photo-like: accuracy {pct(m['photo_like'])}, macro-F1 {pct(m['photo_like'], 'macro_f1')}",
        f"  unseen-art: {m['unseen_art'].get('correct', 'n/a')}/{m['unseen_art']['n']} correct",
        f"  threshold {t['threshold']['value']} on the top-1 probability; not-Pokémon below it: "
        + (f"{m['not_pokemon']['below_threshold']}/{m['not_pokemon']['n']}" if m["not_pokemon"]["n"] else "n/a"),
    ]
    for name, target in t["targets"].items():
        state = "met" if target["met"] else "SHORT"
        lines.append(f"  target {name}: {target['measured']} vs {target['target']} — {state}")
    lines.append(f"wrote {out / 'cnn.onnx'}, {out / 'cnn.json'}, {out / 'cnn-train.json'}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
