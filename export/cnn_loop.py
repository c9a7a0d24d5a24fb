"""The CNN's training loop (`fit`: AdamW, cosine learning rate with warm-up, label smoothing, a moving
average of the weights, the best validation epoch kept, early stopping), seeding, and torch inference.
"""

from __future__ import annotations

import copy
import math
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from export.cnn_augment import Augmenter, Sprites
from export.cnn_model import Config, SmallCNN
from export.metrics import scores


@torch.no_grad()
def torch_logits(model: nn.Module, x: np.ndarray | torch.Tensor, batch: int = 256) -> np.ndarray:
    model.eval()
    x = torch.as_tensor(x)
    out = [model(x[i : i + batch].contiguous(memory_format=torch.channels_last)) for i in range(0, len(x), batch)]
    return torch.cat(out).numpy() if out else np.zeros((0, 0), np.float32)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


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
