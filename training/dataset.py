"""Labelled image sets for training and evaluation, and splits that keep sources apart.

A sample's `source` is where it came from (a website, a game, a camera roll, a generator run): images of
one source look alike, so a source is never split between training and validation. Folders given with
`--real`/`--ai` use the sub-folder under the given folder as the source (or the folder itself when images
sit directly in it); a manifest CSV (`path,label[,source,generator]`) names them explicitly.
"""

from __future__ import annotations

import csv
import logging
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from miwake.core.discovery import DiscoveryOptions, discover
from miwake.core.errors import UsageError

log = logging.getLogger(__name__)

AI, REAL = 1, 0
_LABELS = {"ai": AI, "fake": AI, "generated": AI, "1": AI, "real": REAL, "human": REAL, "0": REAL}


class DatasetError(UsageError, ValueError):
    """The dataset description is unusable (no files, unknown labels, one class missing...)."""


@dataclass(frozen=True)
class Sample:
    path: str
    label: int  # 1 = AI-generated, 0 = human-made
    source: str
    generator: str = ""
    family: str = ""  # coarse generator family (manifest column `family`; "human" for human-made)

    @property
    def label_name(self) -> str:
        return "ai" if self.label == AI else "real"


def _folder_samples(root: Path, label: int) -> list[Sample]:
    out = []
    base = root.name or str(root)
    for p in discover([root], DiscoveryOptions(recursive=True)):
        rel = p.relative_to(root)
        source = f"{base}/{rel.parts[0]}" if len(rel.parts) > 1 else base
        out.append(Sample(os.path.abspath(p), label, source, "" if label == REAL else source))
    if not out:
        raise DatasetError(f"No images found in {root}.")
    return out


def from_folders(
    real: Sequence[str | os.PathLike[str]] = (), ai: Sequence[str | os.PathLike[str]] = ()
) -> list[Sample]:
    samples: list[Sample] = []
    for d in real:
        samples += _folder_samples(Path(d), REAL)
    for d in ai:
        samples += _folder_samples(Path(d), AI)
    return samples


def from_manifest(path: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None) -> list[Sample]:
    """Read `path,label[,source,generator]` rows; relative paths are relative to the manifest's folder."""
    mpath = Path(path)
    base = Path(root) if root else mpath.parent
    samples = []
    with open(mpath, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"path", "label"} <= set(reader.fieldnames):
            raise DatasetError(f"{mpath}: needs at least the columns path,label (has {reader.fieldnames}).")
        for i, row in enumerate(reader, start=2):
            label = _LABELS.get((row.get("label") or "").strip().lower())
            if label is None:
                raise DatasetError(f"{mpath}:{i}: label must be 'ai' or 'real', not {row.get('label')!r}.")
            p = Path(row["path"])
            p = p if p.is_absolute() else base / p
            source = (row.get("source") or "").strip() or p.parent.name
            samples.append(
                Sample(
                    os.path.abspath(p),
                    label,
                    source,
                    (row.get("generator") or "").strip(),
                    (row.get("family") or "").strip(),
                )
            )
    if not samples:
        raise DatasetError(f"{mpath}: no rows.")
    return samples


def load_samples(
    real: Sequence[str] = (), ai: Sequence[str] = (), manifest: str | None = None, *, require_both: bool = True
) -> list[Sample]:
    samples = (from_manifest(manifest) if manifest else []) + from_folders(real, ai)
    if not samples:
        raise DatasetError("No data: give --real/--ai folders or --manifest FILE.")
    if require_both and len({s.label for s in samples}) < 2:
        raise DatasetError("Both classes are needed: some human-made (real) and some AI-generated images.")
    return samples


def filter_sources(samples: Iterable[Sample], include: Sequence[str] = (), exclude: Sequence[str] = ()) -> list[Sample]:
    inc, exc = set(include), set(exclude)
    return [s for s in samples if (not inc or s.source in inc) and s.source not in exc]


def split_by_source(
    samples: Sequence[Sample], val_fraction: float = 0.2, seed: int = 0, val_sources: Sequence[str] = ()
) -> tuple[list[Sample], list[Sample], list[str]]:
    """Split into (train, val) with no source on both sides; returns also warnings for the model card.

    With explicit `val_sources`, exactly those sources are held out. Otherwise, per class, whole sources are
    drawn at random (seeded) until about `val_fraction` of that class's images are held out, keeping at
    least one source of each class for training. A class with a single source can only be split by file:
    that is reported, since its validation figures will then be optimistic.
    """
    warnings: list[str] = []
    if val_sources:
        chosen = set(val_sources)
        unknown = chosen - {s.source for s in samples}
        if unknown:
            raise DatasetError(f"Unknown validation sources: {', '.join(sorted(unknown))}.")
        return [s for s in samples if s.source not in chosen], [s for s in samples if s.source in chosen], warnings
    rng = np.random.default_rng(seed)
    train: list[Sample] = []
    val: list[Sample] = []
    for label in (REAL, AI):
        cls = [s for s in samples if s.label == label]
        if not cls:
            continue
        by_source: dict[str, list[Sample]] = defaultdict(list)
        for s in cls:
            by_source[s.source].append(s)
        names = sorted(by_source)
        target = val_fraction * len(cls)
        if len(names) == 1:
            idx = rng.permutation(len(cls))
            k = max(1, int(round(target)))
            val += [cls[i] for i in idx[:k]]
            train += [cls[i] for i in idx[k:]]
            warnings.append(
                f"All {'AI' if label == AI else 'human-made'} images come from one source ({names[0]}): "
                "validation split by file, so its figures are optimistic."
            )
            continue
        order = [names[i] for i in rng.permutation(len(names))]
        held: list[str] = []
        count = 0
        for name in order:
            if count >= target or len(held) == len(names) - 1:
                break
            # skip a source that would overshoot badly while another one still fits
            fits_better = any(count + len(by_source[o]) <= 2 * target for o in order if o != name and o not in held)
            if count + len(by_source[name]) > 2 * target and fits_better:
                continue
            held.append(name)
            count += len(by_source[name])
        if not held:
            held = [min(names, key=lambda n: len(by_source[n]))]
        for name in names:
            (val if name in held else train).extend(by_source[name])
    if not val or len({s.label for s in val}) < 2:
        warnings.append("The validation split lacks one class; its AUC is undefined.")
    return train, val, warnings


def summarize(samples: Sequence[Sample]) -> dict[str, Any]:
    """Counts per class, source and generator (for logs, the wizard and the model card)."""
    by_label = Counter(s.label_name for s in samples)
    by_source: dict[str, dict[str, Any]] = {}
    for s in samples:
        d = by_source.setdefault(s.source, {"label": s.label_name, "images": 0})
        d["images"] += 1
    gens = Counter(s.generator for s in samples if s.label == AI and s.generator)
    return {
        "images": len(samples),
        "ai": by_label.get("ai", 0),
        "real": by_label.get("real", 0),
        "sources": dict(sorted(by_source.items())),
        "generators": dict(sorted(gens.items())),
    }
