"""Training batches: augmented native-resolution crops, drawn with class- and source-balanced sampling.

Everything random is derived from (seed, epoch, position), so an epoch's batches are the same whether it
runs in one go or is resumed half-way, with any number of loader workers.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from miwake.core.imaging import decode_image, open_image
from miwake.core.preprocess import resize_center_crop

from .augment import AugmentConfig, fits, reencode, train_crop
from .dataset import AI, Sample, split_by_source

log = logging.getLogger(__name__)


def image_size(path: str) -> tuple[int, int] | None:
    """Width and height from the header (after EXIF rotation), without decoding; None if unreadable."""
    try:
        with open_image(path) as im:
            w, h = im.size
            orientation = im.getexif().get(0x0112, 1)
        return (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    except Exception:
        return None


def usable_for_training(
    samples: Sequence[Sample], crop: int, mode: str, size_of: Callable[[str], tuple[int, int] | None] = image_size
) -> tuple[list[Sample], list[str]]:
    """Samples a training crop can be cut from; the rest with the reason (reported in the model card)."""
    keep, skipped = [], []
    for s in samples:
        size = size_of(s.path)
        if size is None:
            skipped.append(f"{s.path}: unreadable")
        elif mode == "crop" and not fits(*size, crop):
            skipped.append(f"{s.path}: {size[0]}x{size[1]} is smaller than the {crop}px crop")
        else:
            keep.append(s)
    return keep, skipped


@dataclass(frozen=True)
class SplitPlan:
    """What a training run will use: the training images (large enough for the crop), the held-out validation
    images (whole sources), and what was left out. The trainer and the wizard both show this one plan."""

    train: list[Sample]
    val: list[Sample]
    skipped: list[str]  # training-side images left out, with the reason (too small, unreadable)
    warnings: list[str]

    @property
    def held_out_sources(self) -> list[str]:
        return sorted({s.source for s in self.val})

    def describe(self) -> str:
        ai_train = sum(1 for s in self.train if s.label == AI)
        ai_val = sum(1 for s in self.val if s.label == AI)
        return (
            f"{len(self.train)} training images ({ai_train} AI), {len(self.val)} validation images ({ai_val} AI) "
            f"from the held-out sources {', '.join(self.held_out_sources) or '-'}; "
            f"{len(self.skipped)} too small or unreadable for training"
        )


def plan_split(
    samples: Sequence[Sample],
    crop: int,
    mode: str,
    val_fraction: float = 0.2,
    seed: int = 0,
    val_sources: Sequence[str] = (),
    size_of: Callable[[str], tuple[int, int] | None] = image_size,
) -> SplitPlan:
    """Split by source (`split_by_source`), then drop training images a crop cannot be cut from."""
    train, val, warnings = split_by_source(samples, val_fraction, seed, val_sources)
    usable, skipped = usable_for_training(train, crop, mode, size_of)
    return SplitPlan(usable, val, skipped, warnings)


def sampling_weights(samples: Sequence[Sample], source_power: float = 0.5) -> np.ndarray:
    """Both classes drawn equally often; within a class, a source with n images weighs n**source_power,
    so one huge source does not drown the others (0 = sources equal, 1 = images equal)."""
    per_source = Counter(s.source for s in samples)
    w = np.array([per_source[s.source] ** (source_power - 1.0) for s in samples], dtype=np.float64)
    for label in (0, 1):
        mask = np.array([s.label == label for s in samples])
        if mask.any():
            w[mask] *= 0.5 / w[mask].sum()
    return w / w.sum()


def epoch_plan(weights: np.ndarray, n_items: int, seed: int, epoch: int) -> np.ndarray:
    """Image indices for one epoch (drawn with replacement by weight); depends only on seed and epoch."""
    rng = np.random.default_rng([seed, epoch, 7])
    return rng.choice(len(weights), size=n_items, replace=True, p=weights)


class _LRU:
    """Decoded images kept per worker, bounded by bytes (big images are decoded once, cropped many times)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.items: OrderedDict[str, np.ndarray] = OrderedDict()
        self.bytes = 0

    def get(self, path: str) -> np.ndarray:
        if path in self.items:
            self.items.move_to_end(path)
            return self.items[path]
        arr = decode_image(path).rgb
        if arr.nbytes <= self.max_bytes:
            self.items[path] = arr
            self.bytes += arr.nbytes
            while self.bytes > self.max_bytes:
                _, old = self.items.popitem(last=False)
                self.bytes -= old.nbytes
        return arr


class TrainCrops:
    """A torch-style dataset: item k of the current epoch plan = `crops_per_image` crops of one image."""

    def __init__(
        self,
        samples: Sequence[Sample],
        *,
        crop: int,
        mode: str,
        augment: AugmentConfig,
        seed: int,
        crops_per_image: int = 2,
        cache_bytes: int = 1 << 30,
    ) -> None:
        self.samples = list(samples)
        self.crop, self.mode, self.augment = crop, mode, augment
        self.seed, self.k = seed, crops_per_image
        self.plan = np.arange(len(self.samples))
        self.epoch = 0
        self.offset = 0
        self._cache = _LRU(cache_bytes)

    def set_plan(self, plan: np.ndarray, epoch: int, offset: int = 0) -> None:
        """Use `plan[offset:]` for this epoch (offset > 0 when resuming half-way)."""
        self.plan, self.epoch, self.offset = plan, epoch, offset

    def __len__(self) -> int:
        return len(self.plan) - self.offset

    def __getitem__(self, i: int):
        import torch

        pos = i + self.offset
        s = self.samples[int(self.plan[pos])]
        rng = np.random.default_rng([self.seed, self.epoch, pos])
        rgb = self._cache.get(s.path)
        if self.mode == "crop":
            crops = [train_crop(rgb, self.crop, rng, self.augment) for _ in range(self.k)]
        else:
            crops = [self._resize_crop(rgb, rng) for _ in range(self.k)]
        x = torch.from_numpy(np.stack(crops))  # K x H x W x 3 uint8
        y = torch.full((self.k,), float(s.label == AI))
        return x, y

    def _resize_crop(self, rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The classic pipeline, with the same format-blind re-encoding: resize, random crop, encode."""
        big = resize_center_crop(rgb, int(self.crop * 1.15), "bicubic")
        y, x = (int(v) for v in rng.integers(0, big.shape[0] - self.crop + 1, size=2))
        out = np.ascontiguousarray(big[y : y + self.crop, x : x + self.crop])
        if self.augment.enabled:
            if self.augment.hflip and rng.random() < 0.5:
                out = np.ascontiguousarray(out[:, ::-1])
            u = rng.random()
            if u < self.augment.jpeg_prob:
                out = reencode(out, "JPEG", int(rng.integers(*self.augment.jpeg_quality)))
            elif u < self.augment.jpeg_prob + self.augment.webp_prob:
                out = reencode(out, "WEBP", int(rng.integers(*self.augment.webp_quality)))
        return out


def collate(batch):
    import torch

    xs, ys = zip(*batch)
    return torch.cat(xs), torch.cat(ys)
