"""A scan's counts and its rate, and every result written to the result library as it comes."""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any

from .errors import StoreError
from .results import ImageResult
from .scan_events import ScanFinished, ScanProgress
from .scan_feed import FileFeed
from .store import ResultStore

log = logging.getLogger(__name__)


class Rate:
    """Images/s over a sliding window (the last ~10 s), for a steady ETA."""

    def __init__(self, window: float = 10.0) -> None:
        self.window = window
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, t: float, done: int) -> float:
        self.samples.append((t, done))
        while len(self.samples) > 2 and t - self.samples[0][0] > self.window:
            self.samples.popleft()
        t0, d0 = self.samples[0]
        return (done - d0) / (t - t0) if t > t0 else 0.0


class Tally:
    """A scan's counts, and every result written to the store (committed each `commit_every` results and
    after each model batch)."""

    def __init__(
        self,
        store: ResultStore | None,
        scan_id: int | None,
        model_key: str,
        settings_key: str,
        evidence_version: int,
        commit_every: int,
    ) -> None:
        self._store = store if scan_id is not None else None
        self._scan_id = scan_id
        self._keys = (model_key, settings_key, evidence_version)
        self._commit_every = commit_every
        self._uncommitted = 0
        self.done = self.reused = self.errors = self.scored = 0
        self.verdicts: dict[str, int] = {}

    def record(self, r: ImageResult) -> None:
        self.done += 1
        if r.reused:
            self.reused += 1
        elif r.ok:
            self.scored += 1
        if not r.ok:
            self.errors += 1
        self.verdicts[r.verdict.value] = self.verdicts.get(r.verdict.value, 0) + 1
        if self._store is not None and self._scan_id is not None:
            self._store.add_result(self._scan_id, r, *self._keys)
            self._uncommitted += 1
            if self._uncommitted >= self._commit_every:
                self.commit()

    def commit(self) -> None:
        if self._store is not None:
            self._store.commit()
            self._uncommitted = 0

    def close(self, status: str, total: int, device: str) -> None:
        """Commit what fits and close the scan's record; a store that fails now is logged, not raised."""
        if self._store is None or self._scan_id is None:
            return
        try:
            self._store.commit()
        except StoreError:
            self._store.rollback()  # the rows that did not fit are dropped; the record counts the rest
        try:
            self._store.finish_scan(self._scan_id, status, total, device=device)
        except StoreError as e:
            log.error("The scan's record could not be closed: %s", e)


def progress(tally: Tally, found: FileFeed, rate: Rate, current: str = "", workers: int | None = None) -> ScanProgress:
    """Where a scan stands now: files done of those found so far, the rate over the last seconds and the time left
    (once discovery has counted every file)."""
    done = tally.done
    r = rate.add(time.monotonic(), done)
    total = found.count
    eta = (total - done) / r if r > 0 and found.finished else None
    return ScanProgress(
        done, total, tally.reused, tally.errors, r, eta, current, discovering=not found.finished, workers=workers
    )


def finished(
    tally: Tally, scan_id: int | None, total: int, t_start: float, *, cancelled: bool, **rest: Any
) -> ScanFinished:
    """A scan's summary: its counts from `tally`, its time since `t_start`; `rest` says the model, device and band."""
    return ScanFinished(
        scan_id=scan_id,
        total=total,
        scored=tally.scored,
        reused=tally.reused,
        errors=tally.errors,
        cancelled=cancelled,
        elapsed_s=time.monotonic() - t_start,
        verdicts=dict(tally.verdicts),
        **rest,
    )
