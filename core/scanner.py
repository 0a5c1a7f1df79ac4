"""The scan engine: files → decode (thread pool) → tiles → batched model → store → events.

`ScanJob.events()` is a plain generator, driven the same way by the CLI and the GUI's worker thread:
it yields `ScanProgress` and one `ImageResult` per file as soon as that file is done, and ends with
`ScanFinished`. `cancel()` (any thread) stops it at the next step; every finished result is already in
the store by then.

Throughput: decoding and tiling run in a thread pool while the model runs (PIL and torch release the
GIL), and crops of different images are batched together. Memory is bounded whatever the folder size:
files are streamed, at most `prefetch` images are decoded ahead, and only their crops (not the decoded
pictures) are kept until the model has seen them.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .bundle import Bundle
from .devices import DeviceInfo
from .discovery import DiscoveryOptions, discover
from .errors import ImageReadError, MiwakeError, StoreError
from .imaging import DEFAULT_MAX_PIXELS, decode_image, file_sha256, not_a_regular_file
from .preprocess import make_inputs, tile_budget
from .results import ErrorKind, EvidenceItem, Heatmap, ImageResult, Verdict
from .scoring import aggregate_logits, decide, sigmoid, verdict_for
from .settings import Settings
from .store import ResultStore
from .tiling import TILING_VERSION, TileGrid
from .timefmt import utc_now

log = logging.getLogger(__name__)

class EvidenceReader(Protocol):
    """Reads a file's provenance evidence (`core.evidence.read_evidence`); `pixels` is its RGB as stored when
    the scan has decoded it already. Results stored with another `evidence_version` are re-read (no model)."""

    def __call__(self, path: Path, *, pixels: np.ndarray | None = None) -> tuple[EvidenceItem, ...]: ...


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


@dataclass(frozen=True)
class ScanOptions:
    batch_size: int | None = None  # crops per forward pass; None = 64 on CUDA, 8 on CPU
    stride: int | None = None  # None = "cover" policy (see core.tiling)
    max_tiles: int | None = None  # None = the model card's tile budget (core.preprocess.tile_budget)
    max_pixels: int = DEFAULT_MAX_PIXELS
    workers: int | None = None  # decode threads; None = min(4, CPU count)
    prefetch: int | None = None  # images decoded ahead of the model; None = 2 x workers + 2
    reuse: bool = True
    unsure_band: tuple[float, float] | None = None  # override the model card's band (verdicts only)
    discovery: DiscoveryOptions = field(default_factory=DiscoveryOptions)
    commit_every: int = 32  # results per store commit (also committed after each model batch)
    library_keep_days: int = 365  # results unseen for this long leave the result library (0: never)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> ScanOptions:
        """The user's saved scan settings (CLI and app alike); `overrides` that are None are ignored."""
        band = settings.unsure_band_override
        kw: dict[str, object] = dict(
            batch_size=settings.batch_size,
            stride=settings.stride,
            max_tiles=settings.max_tiles,
            unsure_band=(float(band[0]), float(band[1])) if band else None,
            library_keep_days=settings.library_keep_days,
        )
        kw.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**kw)  # type: ignore[arg-type]

    def settings_key(self, bundle: Bundle) -> str:
        c = bundle.card
        stride = self.stride if c.input_mode == "crop" else None
        tiles = f"t{TILING_VERSION}:{tile_budget(c, self.max_tiles)}" if c.input_mode == "crop" else "1"
        return f"{c.input_mode}:{c.crop_size}:{stride or 'cover'}:{tiles}:{self.max_pixels}"


@dataclass(frozen=True)
class ScanProgress:
    done: int
    total: int
    reused: int
    errors: int
    images_per_s: float
    eta_s: float | None
    current: str = ""
    discovering: bool = False  # still looking for files: `total` is the count so far


@dataclass(frozen=True)
class ScanFinished:
    scan_id: int | None
    total: int
    scored: int
    reused: int
    errors: int
    cancelled: bool
    elapsed_s: float
    model_id: str
    device: str
    verdicts: dict[str, int]
    skipped_folders: tuple[str, ...] = ()
    unsure_band: tuple[float, float] = (0.5, 0.5)  # the band that decided this scan's pixel verdicts
    band_from_settings: bool = False  # True: the user's override, not the model card's band
    failure: str | None = None  # why the scan stopped early (the store could not be written), else None
    runtime: str = ""  # what scored the crops: pytorch | onnxruntime ("" where nothing was scored)
    precision: str = ""  # fp32 | bf16 | fp16


ScanEvent = ScanProgress | ImageResult | ScanFinished


@dataclass
class _Prepared:
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


class _Rate:
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


class _Discovery:
    """`discover()` in its own thread, feeding a queue the scan takes files from as they are found."""

    def __init__(
        self,
        roots: Sequence[str],
        options: DiscoveryOptions,
        cancel: threading.Event,
        on_error: Callable[[str, str], None],
    ) -> None:
        self._queue: deque[Path] = deque()
        self._found = threading.Event()  # set whenever a file arrives or discovery ends
        self._done = threading.Event()
        self._stop = threading.Event()
        self._cancel = cancel
        self.count = 0
        self._thread = threading.Thread(
            target=self._run, args=(roots, options, on_error), daemon=True, name="miwake-discovery"
        )
        self._thread.start()

    def _run(self, roots: Sequence[str], options: DiscoveryOptions, on_error: Callable[[str, str], None]) -> None:
        try:
            for p in discover(roots, options, on_error=on_error):
                if self._stop.is_set() or self._cancel.is_set():
                    break
                self._queue.append(p)
                self.count += 1
                self._found.set()
        except Exception:  # discovery reports folder problems itself; anything else must not hang the scan
            log.exception("File discovery failed")
        finally:
            self._done.set()
            self._found.set()

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    @property
    def pending(self) -> bool:
        return bool(self._queue)

    def next(self) -> Path | None:
        """The next file found, or None when none is waiting (yet)."""
        try:
            return self._queue.popleft()
        except IndexError:
            self._found.clear()
            if self._queue:  # one arrived between the two calls
                return self._queue.popleft()
            return None

    def wait(self, timeout: float) -> None:
        self._found.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


class _Tally:
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


class ScorerError(RuntimeError):
    """The scorer answered something a scan cannot use (the wrong number of scores)."""


def first_line(text: str, limit: int = 200) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


class _Batcher:
    """Crops waiting for the model, one queue per crop shape, so crops of different images share a forward
    pass. On a CUDA out-of-memory error the batch is put back and the batch size halved."""

    def __init__(self, scorer: Scorer, batch_size: int | None) -> None:
        self.scorer = scorer
        # 0: asked of the scorer when the first crop is queued, so a `LazyDetector` whose every file is
        # reused never loads the model (nor imports PyTorch)
        self._batch_size = batch_size or 0
        self.queues: dict[tuple[int, int], deque[tuple[_Prepared, int]]] = {}
        self.queued = 0

    @property
    def batch_size(self) -> int:
        if not self._batch_size:
            self._batch_size = self.scorer.default_batch_size
        return self._batch_size

    def add(self, item: _Prepared) -> None:
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

    def run(self) -> list[_Prepared]:
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


@dataclass
class _Run:
    """The moving parts of one `ScanJob.events()` run."""

    found: _Discovery
    tally: _Tally
    batcher: _Batcher
    executor: ThreadPoolExecutor
    prefetch: int
    settings_key: str
    t_start: float
    inflight: deque[Future[_Prepared | ImageResult]] = field(default_factory=deque)  # decoding, or evidence re-read
    exhausted: bool = False  # discovery is done and every file found was handed out
    rate: _Rate = field(default_factory=_Rate)

    def __post_init__(self) -> None:
        self.rate.add(self.t_start, 0)

    def progress(self, current: str = "") -> ScanProgress:
        now = time.monotonic()
        done = self.tally.done
        r = self.rate.add(now, done)
        total = self.found.count
        eta = (total - done) / r if r > 0 and self.found.finished else None
        t = self.tally
        return ScanProgress(done, total, t.reused, t.errors, r, eta, current, discovering=not self.found.finished)


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
    def _prepare(self, path: Path, size: int, mtime_ns: int, beside: ThreadPoolExecutor | None = None) -> _Prepared:
        """Read, decode and tile one file, and read its evidence. With `beside` (the first file of a scan), the
        evidence is read in that pool while the crops already go to the model: the first result does not wait
        for both one after the other (a 24 MP photo: about 0.4 s of watermark decoding)."""
        item = _Prepared(path, size, mtime_ns)
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

    def _result(self, item: _Prepared) -> ImageResult:
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

    def _refreshed(self, r: ImageResult, path: Path, size: int, mtime_ns: int) -> ImageResult | _Prepared:
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
        """Progress, then one result per file as soon as it is done, then the summary (see the module doc)."""
        opts = self.options
        t_start = time.monotonic()
        settings_key = opts.settings_key(self.bundle)
        store = self.store
        scan_id = None
        if store is not None:
            store.prune(keep_days=opts.library_keep_days)
            scan_id = store.begin_scan(self.roots, self.bundle.id, self.bundle.key, settings_key, self.detector.device.description)
        # Discovery streams: scanning starts on the first files found while a thread keeps looking (a folder of
        # 100,000 files shows progress at once); `total` grows until discovery is done. Started after the store
        # is ready, so a store that cannot be opened leaves no thread behind.
        found = _Discovery(self.roots, opts.discovery, self._cancel, lambda p, m: self._skipped.append(f"{p}: {m}"))
        tally = _Tally(store, scan_id, self.bundle.key, settings_key, self.evidence_version, opts.commit_every)
        batcher = _Batcher(self.detector, opts.batch_size)
        workers = opts.workers or min(4, os.cpu_count() or 1)
        run = _Run(found, tally, batcher, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="miwake-decode"),
                   prefetch=opts.prefetch or 2 * workers + 2, settings_key=settings_key, t_start=t_start)
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
        yield ScanFinished(
            scan_id=scan_id,
            total=found.count,
            scored=tally.scored,
            reused=tally.reused,
            errors=tally.errors,
            cancelled=status == "cancelled",
            elapsed_s=time.monotonic() - t_start,
            model_id=self.bundle.id,
            device=self._device_name(),
            runtime=self.detector.device.runtime if self.detector.loaded else "",
            precision=self.detector.device.precision if self.detector.loaded else "",
            verdicts=dict(tally.verdicts),
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
        limit = run.prefetch if run.tally.done else 1
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

    def _take(self, item: _Prepared, run: _Run) -> ImageResult | None:
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
