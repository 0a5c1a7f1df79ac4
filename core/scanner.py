"""The scan engine: files → decode (thread pool) → tiles → batched model → store → events.

`ScanJob.events()` is a plain generator, driven the same way by the CLI and the GUI's worker thread:
it yields `ScanProgress` and one `ImageResult` per file as soon as that file is done, and ends with
`ScanFinished`. `cancel()` (any thread) stops it at the next step; every finished result is already in
the store by then.

Throughput: decoding and tiling run in a thread pool while the model runs (PIL and torch release the
GIL), and crops of different images are batched together. Memory is bounded whatever the folder size:
files are streamed, at most `prefetch` images are decoded ahead, and only their crops (not the decoded
pictures) are kept until the model has seen them.

The rooms around the job: `scan_options` (what is asked), `scan_feed` (files found in a thread),
`scan_batching` (crops to the model), `scan_tally` (counts and the result library), `scan_events` (what the
driver is told).
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .errors import ImageReadError, StoreError
from .imaging import decode_image, file_sha256, not_a_regular_file
from .preprocess import make_inputs
from .results import ErrorKind, EvidenceItem, Heatmap, ImageResult, Verdict
from .scan_batching import Batcher, PreparedFile, Scorer, ScorerError
from .scan_events import ScanEvent, ScanFinished, ScanProgress
from .scan_feed import FileFeed
from .scan_options import ScanOptions
from .scan_tally import Rate, Tally, finished, progress
from .scoring import aggregate_logits, decide, sigmoid, verdict_for
from .store import ResultStore
from .timefmt import utc_now

log = logging.getLogger(__name__)


class EvidenceReader(Protocol):
    """Reads a file's provenance evidence (`core.evidence.read_evidence`); `pixels` is its RGB as stored when
    the scan has decoded it already. Results stored with another `evidence_version` are re-read (no model)."""

    def __call__(self, path: Path, *, pixels: np.ndarray | None = None) -> tuple[EvidenceItem, ...]: ...


@dataclass
class _Run:
    """The moving parts of one `ScanJob.events()` run."""

    found: FileFeed
    tally: Tally
    batcher: Batcher
    executor: ThreadPoolExecutor
    prefetch: int
    settings_key: str
    t_start: float
    inflight: deque[Future[PreparedFile | ImageResult]] = field(default_factory=deque)  # decoding, or evidence re-read
    exhausted: bool = False  # discovery is done and every file found was handed out
    rate: Rate = field(default_factory=Rate)

    def __post_init__(self) -> None:
        self.rate.add(self.t_start, 0)

    def progress(self, current: str = "") -> ScanProgress:
        return progress(self.tally, self.found, self.rate, current)


class ScanJob:
    """One scan of `roots` with one model. Iterate `events()` once; `cancel()` from any thread."""

    def __init__(
        self,
        roots: Sequence[str | os.PathLike[str]],
        detector: Scorer,
        *,
        options: ScanOptions | None = None,
        store: ResultStore | None = None,
        evidence_reader: EvidenceReader | None = None,
        evidence_version: int = 0,
        cancel_event: threading.Event | None = None,
    ) -> None:
        self.roots = [str(r) for r in roots]
        self.detector = detector
        self.bundle = detector.bundle
        self.options = options or ScanOptions()
        self.store = store
        self.evidence_reader = evidence_reader
        self.evidence_version = evidence_version
        self._cancel = cancel_event or threading.Event()
        self._skipped: list[str] = []

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # -- per-file work (thread pool) -------------------------------------------------------------------
    def _prepare(self, path: Path, size: int, mtime_ns: int, beside: ThreadPoolExecutor | None = None) -> PreparedFile:
        """Read, decode and tile one file, and read its evidence. With `beside` (the first file of a scan), the
        evidence is read in that pool while the crops already go to the model: the first result does not wait
        for both one after the other (a 24 MP photo: about 0.4 s of watermark decoding)."""
        item = PreparedFile(path, size, mtime_ns)
        if self._cancel.is_set():
            return item
        try:
            try:
                regular = stat.S_ISREG(os.stat(path).st_mode)
            except OSError:  # gone, a link loop, no permission: decode_image names it
                regular = None
            if regular is False:
                raise not_a_regular_file()
            img = None
            try:
                img = decode_image(path, self.options.max_pixels)
            finally:  # decoded once: evidence gets the pixels (and an undecodable file still has its metadata)
                if self.evidence_reader is not None and regular:
                    stored = img.rgb if img is not None and img.as_stored else None
                    if beside is not None and img is not None:
                        item.found_evidence = beside.submit(self._read_evidence, path, stored)
                    else:
                        item.found_evidence = self._read_evidence(path, stored)
            item.content_hash = file_sha256(path)
            item.width, item.height, item.format = img.width, img.height, img.format
            item.crops, item.grid = make_inputs(
                img.rgb, self.bundle.card, stride=self.options.stride, max_tiles=self.options.max_tiles
            )
        except ImageReadError as e:
            item.error_kind, item.error = ErrorKind(e.kind), str(e)
        except Exception as e:  # never let one file stop the scan
            log.exception("Unexpected error while reading %s", path)
            item.error_kind, item.error = ErrorKind.INTERNAL, f"Unexpected error: {type(e).__name__}: {e}"
        return item

    def _read_evidence(self, path: Path, pixels: np.ndarray | None) -> tuple[EvidenceItem, ...]:
        assert self.evidence_reader is not None
        try:
            return self.evidence_reader(path, pixels=pixels)
        except Exception:  # the pixels can still be scored; the log keeps the details
            log.warning("Evidence reading failed for %s", path, exc_info=True)
            return ()

    def _result(self, item: PreparedFile) -> ImageResult:
        base: dict[str, Any] = dict(
            path=str(item.path),
            size=item.size,
            mtime_ns=item.mtime_ns,
            content_hash=item.content_hash,
            model_id=self.bundle.id,
            evidence=item.evidence,
            scanned_at=utc_now(),
        )
        if item.error_kind is not None:
            return self._with_evidence_verdict(
                ImageResult(**base, error_kind=item.error_kind, error=item.error, verdict=Verdict.ERROR)
            )
        assert item.logits is not None and item.grid is not None
        card = self.bundle.card
        prob = aggregate_logits(item.logits, card.aggregation)
        crop_probs = np.asarray(sigmoid(item.logits))
        g = item.grid
        by_cell = dict(zip(g.cells(), (float(v) for v in crop_probs), strict=True))
        rows = tuple(tuple(by_cell.get((r, c)) for c in range(len(g.xs))) for r in range(len(g.ys)))
        return self._with_evidence_verdict(
            ImageResult(
                **base,
                probability=prob,
                verdict=verdict_for(prob, self._band),
                heatmap=Heatmap(g.xs, g.ys, g.tile_w, g.tile_h, rows),
                width=item.width,
                height=item.height,
                format=item.format,
                crops=int(item.logits.size),
                max_crop_probability=float(np.max(crop_probs)),
            )
        )

    def _device_name(self) -> str:
        """The device and the runtime and precision that scored this scan's crops (`DeviceInfo.description`)."""
        if not self.detector.loaded:  # a LazyDetector that nothing needed
            return "no model needed (every result reused)"
        return self.detector.device.description

    @property
    def _band(self) -> tuple[float, float]:
        return self.options.unsure_band or self.bundle.card.unsure_band

    def _with_evidence_verdict(self, r: ImageResult) -> ImageResult:
        return decide(r, self._band)

    def _try_reuse(self, path: Path, size: int, mtime_ns: int, settings_key: str) -> tuple[ImageResult, bool] | None:
        """The stored result of an unchanged file, and whether its evidence must be read again (it was read by
        another `EVIDENCE_VERSION`: the pixels' scores stand, the metadata readers changed)."""
        if self.store is None or not self.options.reuse:
            return None
        hit = self.store.lookup(str(path), size, mtime_ns, self.bundle.key, settings_key)
        if hit is None:
            return None
        r, ev_version = hit
        stale = self.evidence_reader is not None and ev_version != self.evidence_version
        return r, stale

    def _refreshed(self, r: ImageResult, path: Path, size: int, mtime_ns: int) -> ImageResult | PreparedFile:
        """In a decode thread: the stored result with its evidence read again; where that fails, the file is
        prepared for scoring like a new one."""
        assert self.evidence_reader is not None
        try:
            fresh = r.with_(evidence=self.evidence_reader(path))
        except Exception:
            log.exception("Evidence re-read failed for %s", path)
            return self._prepare(path, size, mtime_ns, None)
        return self._with_evidence_verdict(fresh.with_(reused=True))

    # -- the pipeline ---------------------------------------------------------------------------------
    def events(self) -> Iterator[ScanEvent]:
        """Progress, then one result per file as soon as it is done, then the summary (see the module doc).

        Kept whole: the loop and its five endings (finished, cancelled, the consumer gone, the store or the model
        failing) share the cleanup in `finally` and the summary after it; the steps themselves are methods."""
        opts = self.options
        t_start = time.monotonic()
        settings_key = opts.settings_key(self.bundle)
        store = self.store
        scan_id = None
        if store is not None:
            store.prune(keep_days=opts.library_keep_days)
            scan_id = store.begin_scan(
                self.roots, self.bundle.id, self.bundle.key, settings_key, self.detector.device.description
            )
        # Discovery streams: scanning starts on the first files found while a thread keeps looking (a folder of
        # 100,000 files shows progress at once); `total` grows until discovery is done. Started after the store
        # is ready, so a store that cannot be opened leaves no thread behind.
        found = FileFeed(self.roots, opts.discovery, self._cancel, lambda p, m: self._skipped.append(f"{p}: {m}"))
        tally = Tally(store, scan_id, self.bundle.key, settings_key, self.evidence_version, opts.commit_every)
        batcher = Batcher(self.detector, opts.batch_size)
        workers = opts.workers or min(4, os.cpu_count() or 1)
        run = _Run(
            found,
            tally,
            batcher,
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="miwake-decode"),
            prefetch=opts.prefetch or 2 * workers + 2,
            settings_key=settings_key,
            t_start=t_start,
        )
        status = "failed"
        failure: str | None = None
        try:
            yield run.progress()
            while not self._cancel.is_set():
                yield from self._feed(run)  # 1. keep the decoders busy
                if batcher.should_collect():  # 2. no full batch waits: collect decoded images
                    if (yield from self._collect(run)):
                        continue
                    if not batcher.queued:
                        if run.exhausted and not run.inflight:
                            break
                        if not run.inflight:  # waiting for discovery to find the next file
                            found.wait(0.05)
                        continue
                yield from self._score_batch(run)  # 3. a full batch, or the largest partial one
            status = "cancelled" if self._cancel.is_set() else "finished"
        except GeneratorExit:  # the consumer stopped iterating: same as a cancel
            self._cancel.set()
            status = "cancelled"
            raise
        except KeyboardInterrupt:  # Ctrl-C while the scan was working: a cancel, and the summary still comes
            self._cancel.set()
            status = "cancelled"
        except StoreError as e:  # the store cannot be written (disk full…): stop; what finished is reported
            self._cancel.set()
            status, failure = "failed", str(e)
            log.error("The scan stopped: %s", e)
        except ScorerError as e:  # the model failed (ONNX Runtime, a CUDA fault): stop; what finished is reported
            self._cancel.set()
            status, failure = "failed", f"the model failed: {e}"
            log.error("The scan stopped: the model failed", exc_info=True)
        finally:
            found.stop()
            run.executor.shutdown(wait=True, cancel_futures=True)
            tally.close(status, found.count, self._device_name())
        yield finished(
            tally,
            scan_id,
            found.count,
            t_start,
            cancelled=status == "cancelled",
            model_id=self.bundle.id,
            device=self._device_name(),
            runtime=self.detector.device.runtime if self.detector.loaded else "",
            precision=self.detector.device.precision if self.detector.loaded else "",
            skipped_folders=tuple(self._skipped),
            unsure_band=self._band,
            band_from_settings=self.options.unsure_band is not None,
            failure=failure,
        )

    def _emit(self, run: _Run, r: ImageResult) -> Iterator[ScanEvent]:
        run.tally.record(r)
        yield r
        yield run.progress(r.path)

    def _feed(self, run: _Run) -> Iterator[ScanEvent]:
        """Hand files to the decoders until `prefetch` are in flight; unchanged files are answered from the
        store without being read."""
        # Until the first file is done, one at a time: on a small CPU, files decoded side by side would make the
        # first result wait for all of them (24 MP photos, 2 cores: the first row came 1 s later)
        limit = run.prefetch if run.tally.done or not self.options.first_file_alone else 1
        while not run.exhausted and len(run.inflight) < limit and not self._cancel.is_set():
            path = run.found.next()
            if path is None:
                run.exhausted = run.found.finished and not run.found.pending
                return
            try:
                st = path.stat()
                size, mtime_ns = st.st_size, st.st_mtime_ns
            except OSError:
                size = mtime_ns = 0
            hit = self._try_reuse(path, size, mtime_ns, run.settings_key) if size else None
            if hit is not None and hit[1]:  # evidence to read again: in the decode pool, as a new file's is
                run.inflight.append(run.executor.submit(self._refreshed, hit[0], path, size, mtime_ns))
            elif hit is not None:
                yield from self._emit(run, self._with_evidence_verdict(hit[0].with_(reused=True)))
            else:
                self.detector.preload()  # loads while the decoders read this file (no-op once started)
                beside = run.executor if not run.tally.done and not run.inflight else None  # the first file
                run.inflight.append(run.executor.submit(self._prepare, path, size, mtime_ns, beside))

    def _collect(self, run: _Run) -> Generator[ScanEvent, None, bool]:
        """Take the decoded images that are ready (waiting briefly when crops are queued, else until one is);
        returns (as the generator's value) whether any was taken."""
        ready = [f for f in run.inflight if f.done()]
        if not ready and run.inflight:
            wait(list(run.inflight), timeout=0.002 if run.batcher.queued else None, return_when=FIRST_COMPLETED)
            ready = [f for f in run.inflight if f.done()]
        for f in ready:
            run.inflight.remove(f)
            done = f.result()
            r = done if isinstance(done, ImageResult) else self._take(done, run)
            if r is not None:
                yield from self._emit(run, r)
        return bool(ready)

    def _take(self, item: PreparedFile, run: _Run) -> ImageResult | None:
        """Queue a decoded image's crops; returns a result when it needs no model run."""
        if item.error_kind is not None:
            return self._result(item)
        if item.crops is None:  # skipped because the scan was cancelled
            return None
        if self.store is not None and self.options.reuse and item.content_hash:
            hit = self.store.lookup_hash(item.content_hash, item.size, self.bundle.key, run.settings_key)
            if hit is not None:  # the same bytes under another name or time: reuse
                return self._with_evidence_verdict(
                    hit[0].with_(path=str(item.path), mtime_ns=item.mtime_ns, reused=True, evidence=item.evidence)
                )
        run.batcher.add(item)
        return None

    def _score_batch(self, run: _Run) -> Iterator[ScanEvent]:
        results = [self._result(item) for item in run.batcher.run()]
        for r in results:
            run.tally.record(r)
        run.tally.commit()  # committed before anyone sees them
        for r in results:
            yield r
            yield run.progress(r.path)

    def run(self, on_event: Callable[[ScanEvent], None] | None = None) -> ScanFinished:
        """Drive `events()` to the end (for scripts and tests); returns the summary."""
        last: ScanFinished | None = None
        for ev in self.events():
            if on_event:
                on_event(ev)
            if isinstance(ev, ScanFinished):
                last = ev
        assert last is not None
        return last
