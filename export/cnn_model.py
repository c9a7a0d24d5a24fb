"""The CNN itself: its recipe (`Config`), `SmallCNN` and the export form `ExportedCNN`.

**Model** (`SmallCNN`): four blocks conv 3×3 → batch norm → ReLU → max-pool 2×2 with 16, 32, 64 and
128 channels, global average pooling, dropout and one linear layer — LeCun et al. (1998) shape,
Ioffe & Szegedy (2015) batch norm, about 100 k parameters. For export each batch norm is folded
into its convolution (``w' = w γ/σ``, ``b' = β − μ γ/σ``); the ONNX outputs are the ``logits``, the
post-ReLU activations of the first two blocks, ``conv1`` and ``conv2``, for the feature-map widget, and
the pooled ``embedding``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn


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


def describe(model: SmallCNN) -> str:
    chans = [b.conv.out_channels for b in model.blocks]
    return (" → ".join(f"[conv3×3 {c} + BN + ReLU + maxpool]" for c in chans)
            + f" → global avg pool → dropout → linear {model.fc.in_features}×{model.fc.out_features}")
