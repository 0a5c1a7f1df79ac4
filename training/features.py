"""Frozen-backbone features of native-resolution crops, extracted once and reused by every probe and fold.

A linear head on frozen features is cheap to fit on a CPU once the features exist; extracting them is the
expensive part, so it runs once per data set, in shards that a restarted run skips (resume), and stores:

- ``train``: augmented training crops (``training.augment``: the same random re-encoding, blur, downscale and
  flips for both classes, so the file type cannot be learnt), `train_crops` per image;
- ``raw``: scan tiles of the file as it is (``core.tiling``, at most `tiles` spread over the image);
- ``jpeg90``: the same after re-encoding the whole image as JPEG q90;
- ``down05``: the same after a 0.5x (antialiased bicubic) downscale;
- ``resize`` / ``resize_jpeg90`` (only when asked, for the crop-versus-resize comparison): the classic
  pipeline (shorter side resized to the crop size, centre crop; ``core.preprocess.resize_center_crop``) of the
  file as it is and after JPEG q90.

Images smaller than a crop are scored whole at their own size, as a scan does (one "tile", batch of one).
The features are the model's ``pooled(x)`` (``core.archs``), so a head fitted on them is exactly the head of
the model that later scans.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from miwake.core.imaging import decode_image
from miwake.core.preprocess import resize_center_crop
from miwake.core.tiling import extract_tiles, plan_image_tiles

from .augment import AugmentConfig, fits, reencode, train_crop
from .dataset import Sample

log = logging.getLogger(__name__)

KINDS = ("train", "raw", "jpeg90", "down05", "resize", "resize_jpeg90")  # append only: shards store the index


@dataclass(frozen=True)
class FeatureConfig:
    crop: int = 224
    train_crops: int = 3
    tiles: dict[str, int] | None = None  # per evaluation kind, the tile cap
    shard: int = 64
    seed: int = 0
    batch: int = 16
    kinds: tuple[str, ...] = KINDS[:4]
    token_kinds: tuple[str, ...] = ()  # kinds whose crops also keep the backbone's tokens (``extract(tokens=...)``)

    def tile_cap(self, kind: str) -> int:
        caps = self.tiles or {"raw": 8, "jpeg90": 4, "down05": 4}
        return caps[kind]


def variant(rgb: np.ndarray, kind: str) -> np.ndarray:
    if kind == "raw":
        return rgb
    if kind == "jpeg90":
        return reencode(rgb, "JPEG", 90)
    if kind == "down05":
        h, w = rgb.shape[:2]
        im = Image.fromarray(rgb).resize((max(1, w // 2), max(1, h // 2)), Image.Resampling.BICUBIC)
        return np.asarray(im, dtype=np.uint8)
    raise ValueError(kind)


def image_crops(rgb: np.ndarray, cfg: FeatureConfig, rng: np.random.Generator) -> list[tuple[str, np.ndarray]]:
    """(kind, N x H x W x 3 crops) for one decoded image."""
    out: list[tuple[str, np.ndarray]] = []
    h, w = rgb.shape[:2]
    if "train" in cfg.kinds and cfg.train_crops and fits(w, h, cfg.crop):
        aug = AugmentConfig()
        out.append(("train", np.stack([train_crop(rgb, cfg.crop, rng, aug) for _ in range(cfg.train_crops)])))
    for kind in cfg.kinds:
        if kind == "train":
            continue
        if kind.startswith("resize"):
            img = rgb if kind == "resize" else variant(rgb, "jpeg90")
            out.append((kind, resize_center_crop(img, cfg.crop)[None]))
            continue
        img = variant(rgb, kind)
        grid = plan_image_tiles(img, cfg.crop, max_tiles=cfg.tile_cap(kind))
        out.append((kind, extract_tiles(img, grid)))
    return out


class FeatureStore:
    """Shards of features under `root`: ``shard_NNNN.npz`` (features, image index, kind) + ``meta.json``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def shard_path(self, i: int) -> Path:
        return self.root / f"shard_{i:04d}.npz"

    def load(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """(features float32 [M, D], image index [M], kind index into KINDS [M], meta)."""
        meta = json.loads((self.root / "meta.json").read_text())
        feats, idx, kinds = [], [], []
        for i in range(meta["shards"]):
            with np.load(self.shard_path(i)) as z:
                if not len(z["image"]):
                    continue
                feats.append(z["features"].astype(np.float32))
                idx.append(z["image"])
                kinds.append(z["kind"])
        return np.concatenate(feats), np.concatenate(idx), np.concatenate(kinds), meta

    def load_tokens(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Token count n -> (float16 tokens [R, n, C], the row of `load`'s features each belongs to [R])."""
        meta = json.loads((self.root / "meta.json").read_text())
        parts: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        offset = 0
        for i in range(meta["shards"]):
            with np.load(self.shard_path(i)) as z:
                for key in z.files:
                    if key.startswith("tokens_"):
                        n = int(key.removeprefix("tokens_"))
                        parts.setdefault(n, []).append((z[key], z[f"token_row_{n}"] + offset))
                offset += len(z["image"])
        return {
            n: (np.concatenate([t for t, _ in p]), np.concatenate([r for _, r in p])) for n, p in sorted(parts.items())
        }


def extract(
    samples: Sequence[Sample],
    pooled: Callable[[np.ndarray], np.ndarray],
    root: Path,
    cfg: FeatureConfig = FeatureConfig(),
    *,
    describe: dict[str, Any] | None = None,
    tokens: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
) -> FeatureStore:
    """Extract features for `samples` into `root` (resumable: finished shards are kept).

    `pooled` maps N x H x W x 3 uint8 crops to N x D features. For crops of `cfg.token_kinds`, `tokens` replaces
    it and maps them to (N x D features, N x T x C tokens) in one pass: the tokens (float16, e.g. a ViT's tokens
    after some block, for fine-tuning the blocks after it) are stored beside the features with the index of
    their feature row in the shard, per token count n (``tokens_n``, ``token_row_n``; `FeatureStore.load_tokens`)."""
    if cfg.token_kinds and tokens is None:
        raise ValueError("token_kinds needs a tokens function")
    root.mkdir(parents=True, exist_ok=True)
    store = FeatureStore(root)
    n_shards = (len(samples) + cfg.shard - 1) // cfg.shard
    meta = {
        "samples": [
            {"path": s.path, "label": s.label, "source": s.source, "generator": s.generator, "family": s.family}
            for s in samples
        ],
        "kinds": list(KINDS),
        "shards": n_shards,
        "config": {**cfg.__dict__},
        **(describe or {}),
    }
    _check_resumable(root / "meta.json", meta)
    if (root / "meta.json").exists():
        meta["seconds"] = json.loads((root / "meta.json").read_text()).get("seconds", 0.0)
    (root / "meta.json").write_text(json.dumps(meta))
    t0, done = time.time(), 0
    for si in range(n_shards):
        path = store.shard_path(si)
        if path.exists():
            continue
        feats, idx, kinds, toks, tok_rows = [], [], [], [], []
        rows = 0
        for ii in range(si * cfg.shard, min(len(samples), (si + 1) * cfg.shard)):
            rng = np.random.default_rng([cfg.seed, ii])
            try:
                rgb = decode_image(samples[ii].path).rgb
            except Exception as e:
                log.warning("skipped %s: %s", samples[ii].path, e)
                continue
            for kind, crops in image_crops(rgb, cfg, rng):
                for b in range(0, len(crops), cfg.batch):
                    if kind in cfg.token_kinds:
                        assert tokens is not None
                        f, t = tokens(crops[b : b + cfg.batch])
                        toks.append(t.astype(np.float16))
                        tok_rows.append(np.arange(rows, rows + len(f), dtype=np.int32))
                    else:
                        f = pooled(crops[b : b + cfg.batch])
                    rows += len(f)
                    feats.append(f.astype(np.float16))
                    idx.append(np.full(len(f), ii, np.int32))
                    kinds.append(np.full(len(f), KINDS.index(kind), np.int8))
            done += 1
        tmp = path.with_suffix(".tmp.npz")
        if not feats:  # every image of the shard was unreadable
            feats, idx, kinds = [np.zeros((0, 0), np.float16)], [np.zeros(0, np.int32)], [np.zeros(0, np.int8)]
        arrays: dict[str, Any] = {
            "features": np.concatenate(feats),
            "image": np.concatenate(idx),
            "kind": np.concatenate(kinds),
        }
        for n in sorted({t.shape[1] for t in toks}):  # crops of other sizes (small images) have other token counts
            same = [i for i, t in enumerate(toks) if t.shape[1] == n]
            arrays[f"tokens_{n}"] = np.concatenate([toks[i] for i in same])
            arrays[f"token_row_{n}"] = np.concatenate([tok_rows[i] for i in same])
        np.savez(tmp, **arrays)
        tmp.replace(path)
        rate = done / max(1e-6, time.time() - t0)
        print(f"shard {si + 1}/{n_shards} written ({rate:.2f} images/s)", flush=True)
    meta["seconds"] = round(meta.get("seconds", 0.0) + time.time() - t0, 1)  # extraction time, over all resumes
    (root / "meta.json").write_text(json.dumps(meta))
    return store


_RESUME_KEYS = ("crop", "train_crops", "tiles", "shard", "seed", "token_kinds")
_RESUME_DEFAULTS: dict[str, Any] = {"token_kinds": []}


def _check_resumable(meta_path: Path, meta: dict[str, Any]) -> None:
    """Shards already in the folder must come from the same images and settings, or rows would be misread."""
    if not meta_path.exists():
        return
    old = json.loads(meta_path.read_text())
    same = old.get("samples") == meta["samples"] and all(
        _listed(old.get("config", {}).get(k, _RESUME_DEFAULTS.get(k))) == _listed(meta["config"].get(k))
        for k in _RESUME_KEYS
    )
    if not same or old.get("config", {}).get("kinds", list(KINDS[:4])) != list(meta["config"]["kinds"]):
        raise ValueError(f"{meta_path.parent} holds features of other images or settings; use another folder")


def _listed(v: Any) -> Any:
    """A config value as JSON gives it back (tuples are lists)."""
    return list(v) if isinstance(v, tuple) else v


def torch_pooled(
    model: Any, mean: Sequence[float], std: Sequence[float], features: Callable[[Any], Any] | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    """`pooled` for a ``core.archs`` model on the CPU, with the card's input normalisation; `features` replaces
    the model's own ``pooled`` (e.g. only the first DINOv2 blocks)."""
    features = features or model.pooled
    import torch

    m = torch.tensor(mean).view(1, 3, 1, 1) * 255.0
    s = torch.tensor(std).view(1, 3, 1, 1) * 255.0
    model.eval()

    def run(crops: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(crops)).permute(0, 3, 1, 2).float()
            return features((x - m) / s).float().numpy()

    return run


def numpy_pooled(features: Callable[[Any], Any], dims: int) -> Callable[[np.ndarray], np.ndarray]:
    """`pooled` for a function of B x 3 x H x W pixel tensors (no network, no normalisation): `dims` numbers a crop."""

    def run(crops: np.ndarray) -> np.ndarray:
        import torch

        if not len(crops):
            return np.zeros((0, dims), np.float32)
        with torch.inference_mode():
            return features(torch.from_numpy(np.ascontiguousarray(crops)).permute(0, 3, 1, 2)).numpy()

    return run


def residual_pooled(crops: np.ndarray) -> np.ndarray:
    """`pooled` of the noise-residual features (`core.residual`, 24 per crop; the forensic candidates of #23)."""
    from miwake.core.residual import DIMS, residual_features

    return numpy_pooled(residual_features, DIMS)(crops)
