"""What is in the folders the user chose: images, their sources and sizes (Qt-free; runs in a worker).

Sources and images are found by the training API (`training.dataset.from_folders`: a folder's sub-folders are its
sources), so the wizard shows exactly what the training will see; sizes come from the file headers
(`training.data.image_size`), so images smaller than the crop are counted without decoding anything.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Generator, Sequence
from dataclasses import dataclass

from miwake.training.augment import fits
from miwake.training.data import SplitPlan, image_size, plan_split
from miwake.training.dataset import AI, REAL, DatasetError, Sample, from_folders
from miwake.training.train import TrainConfig

log = logging.getLogger(__name__)

FEW_IMAGES = 50  # fewer human-made images than this: warn
DOMINANT_SHARE = 0.6  # one source holding more than this share: warn


@dataclass(frozen=True)
class ScannedImage:
    path: str
    label: int
    source: str
    width: int | None  # None: unreadable header
    height: int | None
    mtime_ns: int
    size: int


@dataclass(frozen=True)
class FolderScan:
    images: tuple[ScannedImage, ...] = ()
    empty_folders: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.images)

    def by_source(self) -> dict[str, int]:
        return dict(Counter(i.source for i in self.images).most_common())

    def dominant(self) -> tuple[str, float] | None:
        """The source holding more than DOMINANT_SHARE of the images, with its share."""
        if not self.images:
            return None
        source, n = Counter(i.source for i in self.images).most_common(1)[0]
        share = n / len(self.images)
        return (source, share) if share > DOMINANT_SHARE else None

    def unreadable(self) -> int:
        return sum(1 for i in self.images if i.width is None)

    def samples(self) -> list[Sample]:
        return [Sample(i.path, i.label, i.source) for i in self.images]

    def too_small(self, crop: int, mode: str) -> int:
        """Readable images a training crop cannot be cut from (crop mode only)."""
        if mode != "crop":
            return 0
        return sum(1 for i in self.images if i.width is not None and not fits(i.width, i.height or 0, crop))

    def usable(self, crop: int, mode: str) -> list[ScannedImage]:
        return [
            i for i in self.images if i.width is not None and (mode != "crop" or fits(i.width, i.height or 0, crop))
        ]

    def merged(self, other: FolderScan) -> FolderScan:
        return FolderScan(self.images + other.images, self.empty_folders + other.empty_folders)


def split_plan(human: FolderScan, ai: FolderScan, crop: int, mode: str) -> SplitPlan:
    """The training API's own split of these images (same seed and fraction as the training job)."""
    both = human.merged(ai)
    sizes = {i.path: (i.width, i.height) if i.width and i.height else None for i in both.images}  # no file read again
    return plan_split(both.samples(), crop, mode, TrainConfig.val_fraction, TrainConfig.seed, size_of=sizes.get)


def scan_folders(
    folders: Sequence[str], label: int = REAL, cancel: threading.Event | None = None
) -> Generator[tuple[int, int], None, FolderScan | None]:
    """Yields (done, total) now and then; returns a `FolderScan` (None when cancelled)."""
    samples = []
    empty = []
    for folder in folders:
        try:
            samples += from_folders(real=[folder]) if label == REAL else from_folders(ai=[folder])
        except (DatasetError, OSError) as e:
            log.info("No images in %s: %s", folder, e)
            empty.append(folder)
        if cancel is not None and cancel.is_set():
            return None
    images = []
    total = len(samples)
    yield 0, total
    for n, s in enumerate(samples, 1):
        if cancel is not None and cancel.is_set():
            return None
        size = image_size(s.path)
        try:
            st = os.stat(s.path)
            mtime, nbytes = st.st_mtime_ns, st.st_size
        except OSError:
            mtime, nbytes, size = 0, 0, None
        w, h = size if size else (None, None)
        images.append(ScannedImage(s.path, label, s.source, w, h, mtime, nbytes))
        if n % 200 == 0:
            yield n, total
    return FolderScan(tuple(images), tuple(empty))


def scan_all(
    human: Sequence[str], ai: Sequence[str], cancel: threading.Event | None = None
) -> Generator[tuple[int, int], None, tuple[FolderScan, FolderScan] | None]:
    """Both classes (for the training settings page); returns (human scan, AI scan)."""
    h = yield from scan_folders(human, REAL, cancel)
    a = yield from scan_folders(ai, AI, cancel)
    if h is None or a is None:
        return None
    return h, a


def benchmark_manifest(human: FolderScan, ai: FolderScan, crop: int, mode: str, rows: int, dest: str) -> bool:
    """A manifest for a speed measurement: `rows` training rows (both classes, repeated if needed) plus one held-out
    image per class in the sources `bench-val-real` / `bench-val-ai`. False when a class has fewer than 2 images."""
    hu, au = human.usable(crop, mode), ai.usable(crop, mode)
    if len(hu) < 2 or len(au) < 2:
        return False
    lines = ["path,label,source,generator"]
    half = max(2, rows // 2)
    for images, label in ((hu, "real"), (au, "ai")):
        step = max(1, len(images) // half)
        picked = images[1::step][:half] or images[1:2]
        for k in range(half):
            img = picked[k % len(picked)]
            lines.append(f"{_csv(img.path)},{label},bench-{label},")
        lines.append(f"{_csv(images[0].path)},{label},bench-val-{label},")
    with open(dest, "w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(lines) + "\n")
    return True


def _csv(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


__all__ = [
    "AI",
    "REAL",
    "FEW_IMAGES",
    "DOMINANT_SHARE",
    "FolderScan",
    "ScannedImage",
    "scan_folders",
    "scan_all",
    "benchmark_manifest",
]
