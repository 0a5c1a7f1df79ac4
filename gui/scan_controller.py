"""Drives a `core.scanner.ScanJob` (or a read of the last stored scan) in a worker and feeds the results model.

Worker thread: loads the model, opens its own `ResultStore` (one SQLite connection per thread), iterates
`ScanJob.events()` and drops each event into a mailbox. Only when the mailbox goes from empty to full does
it signal the GUI thread, so results cross in batches, however fast they come, and never wait behind a
slow model run. GUI thread: drains the mailbox, inserts rows in time-boxed batches (50 ms, then yields to
the event loop), and reports progress at most ~10 times a second. `scan_finished` fires once every row is
in the model.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from miwake.core import paths
from miwake.core.errors import MiwakeError
from miwake.core.model_choice import active_model
from miwake.core.results import ImageResult
from miwake.core.scan_batching import Scorer
from miwake.core.scan_events import ScanFinished, ScanProgress
from miwake.core.scan_setup import fits, prepare_scan
from miwake.core.scorers import LazyDetector
from miwake.core.settings import Settings
from miwake.core.store import ResultStore, ScanRecord, open_store

from .models.results_model import ResultsModel
from .workers import Worker, pool

log = logging.getLogger(__name__)

INSERT_BUDGET_S = 0.05
INSERT_CHUNK = 256
PROGRESS_INTERVAL_MS = 100
STORE_CHUNK = 500


class ScanState(Enum):
    IDLE = "idle"
    SCANNING = "scanning"
    STOPPING = "stopping"
    LOADING = "loading"


class _Mailbox:
    """Events from the worker thread; `put` says whether the GUI needs a nudge (it was empty)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._results: list[ImageResult] = []
        self._progress: ScanProgress | None = None
        self._finished: ScanFinished | None = None
        self._notified = False

    def put(self, ev: Any) -> bool:
        with self._lock:
            if isinstance(ev, ImageResult):
                self._results.append(ev)
            elif isinstance(ev, list):
                self._results.extend(ev)
            elif isinstance(ev, ScanProgress):
                self._progress = ev
            elif isinstance(ev, ScanFinished):
                self._finished = ev
            if self._notified:
                return False
            self._notified = True
            return True

    def take(self) -> tuple[list[ImageResult], ScanProgress | None, ScanFinished | None]:
        with self._lock:
            out = (self._results, self._progress, self._finished)
            self._results, self._progress, self._finished = [], None, None
            self._notified = False
            return out


def _open_store(notices: list[str]) -> ResultStore | None:
    """The store, or None when it cannot be used (the scan still runs); what happened goes to `notices`."""
    store, notice = open_store(paths.store_path())
    if notice:
        notices.append(notice)
    return store


def _scan_work(
    roots: list[str],
    settings: Settings,
    mailbox: _Mailbox,
    cancel: threading.Event,
    cached: Scorer | None,
    notices: list[str],
) -> Iterator[None]:
    store = _open_store(notices)
    with contextlib.closing(store) if store is not None else contextlib.nullcontext():
        # `cached` is reused when it is for the same model and device; the model loads when a file needs it
        job = prepare_scan(roots, settings=settings, store=store, detector=cached, cancel_event=cancel)
        for ev in job.events():
            if mailbox.put(ev):
                yield None
    return job.detector  # kept for the next scan


def _load_work(mailbox: _Mailbox, cancel: threading.Event, notices: list[str]) -> Iterator[None]:
    store = _open_store(notices)
    if store is None:
        return None
    with contextlib.closing(store):
        record = store.last_scan()
        if record is None:
            return None
        buf: list[ImageResult] = []
        for r in store.iter_scan_results(record.id):
            if cancel.is_set():
                break
            buf.append(r)
            if len(buf) >= STORE_CHUNK:
                if mailbox.put(buf):
                    yield None
                buf = []
        if buf and mailbox.put(buf):
            yield None
    return record


class ScanController(QObject):
    state_changed = Signal(object)  # ScanState
    scan_started = Signal(list)  # roots
    progress_changed = Signal(object)  # ScanProgress, at most ~10 Hz
    scan_finished = Signal(object)  # ScanFinished, once every row is in the model
    scan_failed = Signal(object)  # the exception (the model is left with the rows so far)
    last_scan_loaded = Signal(object)  # ScanRecord | None, once every row is in the model
    store_notice = Signal(str)  # the result store was set aside (damaged) or cannot be written

    def __init__(self, model: ResultsModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.state = ScanState.IDLE
        self._worker: Worker | None = None
        self._mailbox = _Mailbox()
        self._pending: deque[ImageResult] = deque()
        self._summary: ScanFinished | None = None
        self._record: ScanRecord | None = None
        self._worker_done = True
        self._failed: BaseException | None = None
        self._notices: list[str] = []  # appended by the worker thread (list.append is atomic), read at the end
        self._pump_scheduled = False
        self._detector: Scorer | None = None  # the last scan's, reused by the next one when it fits
        self._last_progress: ScanProgress | None = None
        self._progress_sent = 0.0
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.timeout.connect(self._send_progress)

    # -- commands -------------------------------------------------------------------------------------
    def is_busy(self) -> bool:
        return self.state is not ScanState.IDLE

    def start_scan(self, roots: Sequence[str], settings: Settings) -> bool:
        """Clear the table and scan `roots` with the active model; False when a scan is already running."""
        if self.is_busy():
            return False
        roots = [str(r) for r in roots]
        self._begin(ScanState.SCANNING)
        cancel = threading.Event()  # the worker's token; the ScanJob honours it between steps
        w = Worker(
            _scan_work,
            roots,
            settings,
            self._mailbox,
            cancel,
            self._detector,
            self._notices,
            cancel_event=cancel,
            stop_on_cancel=False,
        )
        w.returned.connect(self._keep_detector)
        self._run(w)
        self.scan_started.emit(roots)
        return True

    def preload_model(self, settings: Settings) -> None:
        """Load the active model in the background (after the app starts), so the first Scan shows its first
        row without waiting for PyTorch and the weights; the next scan uses it when model and device still fit.
        Not while a scan runs (one started from the command line, or within the delay): it loads its own, which
        the controller keeps when it ends; a second load would only compete with it."""
        if self.state is ScanState.SCANNING:
            return
        try:
            bundle = active_model()
        except MiwakeError as e:  # no model installed: the Scan button says so when pressed
            log.info("No model to preload: %s", e)
            return
        if not fits(self._detector, bundle, settings.device, settings.cpu_runtime):
            self._detector = LazyDetector(bundle, settings.device, settings.cpu_runtime)
        self._detector.preload()

    def load_last_scan(self) -> bool:
        """Show the newest scan from the result store (read in a worker)."""
        if self.is_busy():
            return False
        self._begin(ScanState.LOADING)
        cancel = threading.Event()
        w = Worker(_load_work, self._mailbox, cancel, self._notices, cancel_event=cancel, stop_on_cancel=False)
        w.returned.connect(self._on_record_loaded)
        self._run(w)
        return True

    def stop(self) -> None:
        """Cancel the scan; the rows so far stay, and `scan_finished` reports `cancelled`."""
        if self._worker is not None and self.state in (ScanState.SCANNING, ScanState.LOADING):
            self._worker.quit()
            if self.state is ScanState.SCANNING:
                self._set_state(ScanState.STOPPING)

    def shutdown(self, msecs: int = 10_000) -> None:
        """Stop whatever runs and wait for it (window closing)."""
        if self._worker is not None:
            self._worker.quit()
        pool("scan").waitForDone(msecs)

    # -- internals ------------------------------------------------------------------------------------
    def _begin(self, state: ScanState) -> None:
        self.model.clear()
        self._pending.clear()
        self._mailbox.take()
        self._summary = None
        self._record = None
        self._last_progress = None
        self._worker_done = False
        self._failed = None
        self._set_state(state)

    def _run(self, w: Worker) -> None:
        self._worker = w
        w.yielded.connect(self._on_mail)
        w.errored.connect(self._on_worker_errored)
        w.finished.connect(self._on_worker_finished)
        w.start(pool("scan"))

    def _keep_detector(self, det: Scorer | None) -> None:
        if det is not None:
            self._detector = det

    def _on_record_loaded(self, record: ScanRecord | None) -> None:
        self._record = record

    def _set_state(self, state: ScanState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state)

    def _on_mail(self, _: object = None) -> None:
        results, progress, finished = self._mailbox.take()
        self._pending.extend(results)
        if progress is not None:
            self._last_progress = progress
            if not self._progress_timer.isActive():
                wait = PROGRESS_INTERVAL_MS - (time.monotonic() - self._progress_sent) * 1000
                self._progress_timer.start(max(0, int(wait)))
        if finished is not None:
            self._summary = finished
        self._schedule_pump()

    def _send_progress(self) -> None:
        if self._last_progress is not None and self.state in (ScanState.SCANNING, ScanState.STOPPING):
            self._progress_sent = time.monotonic()
            self.progress_changed.emit(self._last_progress)

    def _schedule_pump(self) -> None:
        if not self._pump_scheduled:
            self._pump_scheduled = True
            QTimer.singleShot(0, self._pump)

    def _pump(self) -> None:
        """Insert pending rows for at most INSERT_BUDGET_S, then let the event loop breathe."""
        self._pump_scheduled = False
        t0 = time.monotonic()
        while self._pending and time.monotonic() - t0 < INSERT_BUDGET_S:
            n = min(INSERT_CHUNK, len(self._pending))
            self.model.append_results([self._pending.popleft() for _ in range(n)], resort=False)
        self.model.resort()  # once per slice: new rows move to their sorted place
        if self._pending:
            self._schedule_pump()
        elif self._worker_done:
            self._complete()

    def _on_worker_errored(self, error: BaseException) -> None:
        self._failed = error

    def _on_worker_finished(self) -> None:
        self._on_mail()  # anything left in the mailbox
        self._worker_done = True
        self._worker = None

    def _complete(self) -> None:
        state = self.state
        if state is ScanState.IDLE:
            return
        error, self._failed = self._failed, None
        self._progress_timer.stop()
        self._set_state(ScanState.IDLE)
        notices, self._notices[:] = list(self._notices), []
        for text in notices:
            self.store_notice.emit(text)
        if error is not None:
            self.scan_failed.emit(error)
        elif state is ScanState.LOADING:
            self.last_scan_loaded.emit(self._record)
        else:
            summary = self._summary or ScanFinished(
                scan_id=None,
                total=0,
                scored=0,
                reused=0,
                errors=0,
                cancelled=True,
                elapsed_s=0.0,
                model_id="",
                device="",
                verdicts={},
            )
            self.scan_finished.emit(summary)
