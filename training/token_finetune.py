"""Partial fine-tuning of DINOv2's last block(s) on tokens cached after the frozen ones: a linear probe first,
then the probe and the last block trained together (LP-FT).

Why: a linear head on frozen DINOv2 features stopped improving on pool v3 (issue #23: every lever of three
stops moved the mean held-out-source AUC by at most 0.025); the next lever is letting the last block adapt to
generator traces. On a CPU that is affordable only because the frozen blocks run once: ``features --layers
--blocks 6 --tokens-after 5`` keeps every crop's tokens after block 5 beside its features, and each training
step runs block 6 alone (about a sixth of the network, forward and backward).

- The head starts at the linear probe's solution (``probe.fit_head`` on the same rows, in standardised
  terms) and the block at the pretrained weights: fine-tuning from a fitted head distorts the pretrained
  features less than from a random one, which keeps accuracy on data unlike the training data (Kumar et al.,
  "Fine-Tuning can Distort Pretrained Features", ICLR 2022) — exactly what a held-out source tests.
- The features of the frozen blocks are read from the store; only the trained blocks' [class, mean patch]
  features are recomputed, through DINOv2's final norm (frozen: the frozen blocks' features go through it too).
- Rows are weighted as the probe weighs them (sources balanced, classes equal); each epoch draws
  `crops_per_image` of an image's training crops and scan tiles, so an epoch costs the same for every image.
- Crops of images smaller than a crop have fewer tokens; they are batched by token count.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from miwake.core.archs import pool_blocks

from .probe import LinearHead, fit_head, row_weights


@dataclass(frozen=True)
class FinetuneConfig:
    epochs: int = 3
    crops_per_image: int = 2  # drawn afresh every epoch from the image's training rows
    lr: float = 2e-5  # the block's learning rate (AdamW)
    head_lr: float = 1e-4  # the head's, in standardised feature terms
    weight_decay: float = 0.01
    batch: int = 32
    seed: int = 0
    c: float = 0.1  # the linear probe's regularisation (as ``probe.fit_head``)


class CachedTokens:
    """The tokens a feature store keeps (``FeatureStore.load_tokens``), looked up by feature row."""

    def __init__(self, tokens: dict[int, tuple[np.ndarray, np.ndarray]], n_rows: int) -> None:
        self.tokens = {n: t for n, (t, _) in tokens.items()}
        self.count = np.zeros(n_rows, np.int32)  # token count of each row's crop, 0: none kept
        self.pos = np.full(n_rows, -1, np.int64)
        for n, (_, rows) in tokens.items():
            self.count[rows] = n
            self.pos[rows] = np.arange(len(rows))

    def batches(self, rows: np.ndarray, size: int) -> Iterator[tuple[np.ndarray, torch.Tensor]]:
        """(rows, float32 tokens) in batches of one token count each, in the order of `rows` within a count."""
        if (self.count[rows] == 0).any():
            raise ValueError("rows without cached tokens")
        for n in np.unique(self.count[rows]):
            same = rows[self.count[rows] == n]
            for b in range(0, len(same), size):
                r = same[b : b + size]
                yield r, torch.from_numpy(self.tokens[int(n)][self.pos[r]].astype(np.float32))


class LastBlocks(nn.Module):
    """The blocks after the cached tokens, DINOv2's final norm (frozen) and a linear head over the frozen
    blocks' features followed by these blocks' features, standardised by the probe's statistics."""

    mu: torch.Tensor
    sd: torch.Tensor

    def __init__(self, vit: Any, first: int, head: LinearHead, mu: np.ndarray, sd: np.ndarray) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(copy.deepcopy(list(vit.blocks[first:])))
        self.norm = copy.deepcopy(vit.norm).requires_grad_(False)
        self.register_buffer("mu", torch.from_numpy(mu.astype(np.float32)))
        self.register_buffer("sd", torch.from_numpy(sd.astype(np.float32)))
        self.head = nn.Linear(len(mu), 1)
        with torch.no_grad():  # the probe's head in standardised terms: w_std = w * sd, b_std = b + w . mu
            self.head.weight.copy_(torch.from_numpy((head.weight * sd).astype(np.float32)).view(1, -1))
            self.head.bias.fill_(float(head.bias + head.weight @ mu))

    def forward(self, tokens: torch.Tensor, frozen: torch.Tensor) -> torch.Tensor:
        feats, _ = pool_blocks(self, tokens, self.blocks)
        x = torch.cat([frozen, feats], dim=1)
        return self.head((x - self.mu) / self.sd).squeeze(1)


@dataclass
class Rows:
    """Training or test rows (crops): store row numbers with their features, labels, source and image."""

    rows: np.ndarray
    feats: np.ndarray  # the frozen blocks' features followed by the blocks to train's (from the store)
    labels: np.ndarray
    sources: np.ndarray
    image: np.ndarray


def linear_probe(train: Rows, c: float) -> tuple[LinearHead, np.ndarray, np.ndarray]:
    """The probe (``probe.fit_head``: the head the frozen model would ship) and its standardisation."""
    x = np.asarray(train.feats, dtype=np.float32)
    head = fit_head(x, train.labels, train.sources, c=c)
    return head, x.mean(axis=0), x.std(axis=0) + 1e-6


def finetune(
    vit: Any,
    first: int,
    frozen_dims: int,
    train: Rows,
    tokens: CachedTokens,
    cfg: FinetuneConfig = FinetuneConfig(),
    log: Any = print,
    probe: tuple[LinearHead, np.ndarray, np.ndarray] | None = None,
) -> LastBlocks:
    """LP-FT: the linear probe on `train`'s features (or `probe`, ``linear_probe``'s answer for them), then the
    blocks after `first` (of `vit`) and the head trained together on the cached tokens for `cfg.epochs` (0: the
    probe alone, through the same code)."""
    model = LastBlocks(vit, first, *(probe or linear_probe(train, cfg.c)))
    if cfg.epochs <= 0:
        return model.eval()
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    weights = row_weights(train.labels, train.sources)
    opt = torch.optim.AdamW(
        [
            {"params": model.blocks.parameters(), "lr": cfg.lr},
            {"params": model.head.parameters(), "lr": cfg.head_lr, "weight_decay": 0.0},
        ],
        weight_decay=cfg.weight_decay,
    )
    by_image: dict[int, list[int]] = {}
    for i, img in enumerate(train.image):
        by_image.setdefault(int(img), []).append(i)
    groups = [np.asarray(v) for v in by_image.values()]
    model.train()
    for epoch in range(cfg.epochs):
        pick = np.concatenate([rng.choice(g, min(len(g), cfg.crops_per_image), replace=False) for g in groups])
        rng.shuffle(pick)
        total, seen = 0.0, 0
        for rows, toks in _shuffled_batches(tokens, train.rows[pick], cfg.batch, rng):
            at = _positions(train.rows, rows)
            frozen = torch.from_numpy(train.feats[at, :frozen_dims].astype(np.float32))
            y = torch.from_numpy(train.labels[at].astype(np.float32))
            w = torch.from_numpy(weights[at].astype(np.float32))
            loss = (nn.functional.binary_cross_entropy_with_logits(model(toks, frozen), y, reduction="none") * w).sum()
            loss = loss / w.sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(rows)
            seen += len(rows)
        log(f"  epoch {epoch + 1}/{cfg.epochs}: loss {total / max(1, seen):.4f} ({seen} crops)")
    return model.eval()


def crop_logits(model: LastBlocks, frozen_dims: int, test: Rows, tokens: CachedTokens, batch: int = 64) -> np.ndarray:
    """The model's logit of every test row."""
    out = np.zeros(len(test.rows))
    with torch.inference_mode():
        for rows, toks in tokens.batches(test.rows, batch):
            at = _positions(test.rows, rows)
            frozen = torch.from_numpy(test.feats[at, :frozen_dims].astype(np.float32))
            out[at] = model(toks, frozen).numpy()
    return out


def image_mean(values: np.ndarray, image: np.ndarray, images: np.ndarray) -> np.ndarray:
    """The mean of `values` per image of `images` (NaN where an image has none), as a scan pools crop logits."""
    if not len(images):
        return np.zeros(0)
    order = np.argsort(images)
    at = np.searchsorted(images, image, sorter=order).clip(0, len(images) - 1)
    mine = images[order[at]] == image  # values of images not asked for are left out
    j = order[at[mine]]
    s = np.bincount(j, weights=values[mine], minlength=len(images))
    n = np.bincount(j, minlength=len(images))
    with np.errstate(invalid="ignore"):
        return s / np.where(n > 0, n, np.nan)


def _positions(all_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
    order = np.argsort(all_rows)
    return order[np.searchsorted(all_rows, rows, sorter=order)]


def _shuffled_batches(
    tokens: CachedTokens, rows: np.ndarray, size: int, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, torch.Tensor]]:
    batches = list(tokens.batches(rows, size))
    for i in rng.permutation(len(batches)):
        yield batches[i]
