"""Crops on their way to the model: a decoded file waiting for its scores (`PreparedFile`), and the batcher that
puts crops of several files into one forward pass and halves the batch on a GPU out-of-memory error."""

from __future__ import annotations

import logging
import sys
from collections import deque
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .bundle import Bundle
from .devices import DeviceInfo
from .errors import MiwakeError
from .results import ErrorKind, EvidenceItem
from .tiling import TileGrid

log = logging.getLogger(__name__)


class Scorer(Protocol):
    """What a scan needs of a model: `core.detector.Detector`, or a `LazyDetector` that loads at first use."""

    bundle: Bundle
    requested_device: str

    @property
    def loaded(self) -> bool: ...

    @property
    def device(self) -> DeviceInfo: ...

    @property
    def default_batch_size(self) -> int: ...

    def logits(self, crops: np.ndarray) -> np.ndarray: ...

    def preload(self) -> None:
        """Start loading the model in the background (a scan calls it when the first file must be scored)."""


@dataclass
class PreparedFile:
    path: Path
    size: int
    mtime_ns: int
    content_hash: str | None = None
    crops: np.ndarray | None = None
    grid: TileGrid | None = None
    width: int = 0
    height: int = 0
    format: str = ""
    found_evidence: tuple[EvidenceItem, ...] | Future[tuple[EvidenceItem, ...]] = ()  # a Future: still being read
    error_kind: ErrorKind | None = None
    error: str | None = None
    logits: np.ndarray | None = None
    filled: int = 0

    def crop(self, i: int) -> np.ndarray:
        assert self.crops is not None, "crops are kept until the model has seen them all"
        return self.crops[i]

    @property
    def evidence(self) -> tuple[EvidenceItem, ...]:
        """The file's evidence, waiting for it when it is still being read beside the model."""
        if isinstance(self.found_evidence, Future):
            try:
                self.found_evidence = self.found_evidence.result()
            except CancelledError:  # the scan ended before it was read
                self.found_evidence = ()
        return self.found_evidence


class ScorerError(RuntimeError):
    """The scorer answered something a scan cannot use (the wrong number of scores)."""


def first_line(text: str, limit: int = 200) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


class Batcher:
    """Crops waiting for the model, one queue per crop shape, so crops of different images share a forward
    pass. On a CUDA out-of-memory error the batch is put back and the batch size halved."""

    def __init__(self, scorer: Scorer, batch_size: int | None) -> None:
        self.scorer = scorer
        # 0: asked of the scorer when the first crop is queued, so a `LazyDetector` whose every file is
        # reused never loads the model (nor imports PyTorch)
        self._batch_size = batch_size or 0
        self.queues: dict[tuple[int, int], deque[tuple[PreparedFile, int]]] = {}
        self.queued = 0

    @property
    def batch_size(self) -> int:
        if not self._batch_size:
            self._batch_size = self.scorer.default_batch_size
        return self._batch_size

    def add(self, item: PreparedFile) -> None:
        assert item.crops is not None
        item.logits = np.zeros(len(item.crops), dtype=np.float32)
        q = self.queues.setdefault((item.crops.shape[1], item.crops.shape[2]), deque())
        q.extend((item, i) for i in range(len(item.crops)))
        self.queued += len(item.crops)

    def _full_shape(self) -> tuple[int, int] | None:
        return next((s for s, q in self.queues.items() if len(q) >= self.batch_size), None)

    def should_collect(self) -> bool:
        """True while no full batch waits (never more than a batch of crops is kept queued)."""
        return not self.queued or (self.queued < self.batch_size and self._full_shape() is None)

    def run(self) -> list[PreparedFile]:
        """One forward pass over a full batch, else the largest partial one; returns the images now complete."""
        size = self.batch_size
        shape = self._full_shape() or max(self.queues, key=lambda s: len(self.queues[s]))
        q = self.queues[shape]
        take = [q.popleft() for _ in range(min(size, len(q)))]
        self.queued -= len(take)
        try:
            logits = self.scorer.logits(np.stack([it.crop(i) for it, i in take]))
        except MiwakeError:  # the model could not be loaded (a damaged bundle, a missing extra): said as it is
            raise
        except Exception as e:  # ONNX Runtime's errors are no RuntimeError; CUDA's are
            if not isinstance(e, RuntimeError) or "out of memory" not in str(e).lower() or len(take) == 1:
                raise ScorerError(f"{type(e).__name__}: {first_line(str(e))}") from e
            torch = sys.modules.get("torch")  # only a real detector runs out of GPU memory
            if torch is not None and torch.cuda.is_available():
                torch.cuda.empty_cache()
            self._batch_size = max(1, len(take) // 2)
            log.warning("Out of GPU memory; batch size reduced to %d", self._batch_size)
            q.extendleft(reversed(take))
            self.queued += len(take)
            return []
        complete = []
        logits = np.asarray(logits).reshape(-1)
        if len(logits) != len(take):  # a scorer that miscounts would misattribute crops: stop instead
            raise ScorerError(f"the model returned {len(logits)} scores for {len(take)} crops")
        for (it, i), z in zip(take, logits, strict=True):
            assert it.logits is not None
            it.logits[i] = z
            it.filled += 1
            if it.filled == it.logits.size:
                it.crops = None  # free the pixels as soon as the model has seen them
                complete.append(it)
        if not q:
            del self.queues[shape]
        return complete
