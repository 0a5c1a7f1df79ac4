"""One generic worker for everything that must not run in the GUI thread, and the pools it runs on.

`Worker(func, *args, **kwargs)` is a QRunnable that owns a separate QObject for its signals:
`started`, `yielded(value)` (generator functions), `returned(value)`, `errored(exception)`, `finished`.
`run()` catches everything, logs the traceback in the worker thread and always emits `errored` and/or
`finished`. A strong reference is kept while it runs. `quit()` sets `cancel_event`, the cancel token:
pass it to the function (`cancel=worker.cancel_event`) or let the worker stop a generator between yields.

Only data crosses threads: dataclasses, numpy arrays, `QImage` (never `QPixmap`).
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from miwake.core.errors import MiwakeError

log = logging.getLogger(__name__)

__all__ = ["Worker", "WorkerSignals", "pool", "run_task", "wait_for_workers", "active_workers"]


class WorkerSignals(QObject):
    started = Signal()
    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()


class Worker(QRunnable):
    """Runs `func(*args, **kwargs)` (a plain or generator function) on a thread pool."""

    _active: ClassVar[set[Worker]] = set()

    def __init__(
        self,
        func: Callable[..., Any],
        *args: Any,
        cancel_event: threading.Event | None = None,
        stop_on_cancel: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it (see _active)
        self.signals = WorkerSignals()
        self.cancel_event = cancel_event or threading.Event()
        self._func, self._args, self._kwargs = func, args, kwargs
        self._stop_on_cancel = stop_on_cancel
        self.name = getattr(func, "__qualname__", repr(func))

    # signal pass-through: worker.returned.connect(...)
    @property
    def started(self) -> Signal:
        return self.signals.started

    @property
    def yielded(self) -> Signal:
        return self.signals.yielded

    @property
    def returned(self) -> Signal:
        return self.signals.returned

    @property
    def errored(self) -> Signal:
        return self.signals.errored

    @property
    def finished(self) -> Signal:
        return self.signals.finished

    def quit(self) -> None:
        """Ask the work to stop (sets the cancel token); `finished` still follows."""
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def start(self, thread_pool: QThreadPool | None = None) -> Worker:
        """Queue the work; connect to the signals before calling this."""
        Worker._active.add(self)
        # connected last, so every other finished-slot runs before the reference is dropped
        self.signals.finished.connect(self._release)
        (thread_pool or pool("task")).start(self)
        return self

    def _release(self) -> None:
        Worker._active.discard(self)

    def run(self) -> None:  # called by Qt in a pool thread
        self.signals.started.emit()
        try:
            if inspect.isgeneratorfunction(self._func):
                result = self._drain(self._func(*self._args, **self._kwargs))
            else:
                result = self._func(*self._args, **self._kwargs)
            self.signals.returned.emit(result)
        except BaseException as e:
            if isinstance(e, MiwakeError):  # a typed error meant for the user: no traceback needed
                log.warning("Worker %s: %s", self.name, e)
            else:
                log.error("Worker %s failed", self.name, exc_info=True)
            self.signals.errored.emit(e)
        finally:
            self.signals.finished.emit()

    def _drain(self, gen: Any) -> Any:
        while True:
            if self._stop_on_cancel and self.cancel_event.is_set():
                gen.close()
                return None
            try:
                value = next(gen)
            except StopIteration as stop:
                return stop.value
            self.signals.yielded.emit(value)


# -- pools: one per kind of work (STYLE §4) ----------------------------------------------------------------
_POOL_SIZES = {"scan": 1, "task": 2, "thumbnail": 2, "image": 1}
_pools: dict[str, QThreadPool] = {}


def pool(kind: str) -> QThreadPool:
    """`scan` (one scan at a time), `task` (one-shot jobs), `thumbnail` and `image` (decoding for display)."""
    p = _pools.get(kind)
    if p is None:
        p = QThreadPool()
        p.setMaxThreadCount(_POOL_SIZES.get(kind, 2))
        p.setExpiryTimeout(2000)
        _pools[kind] = p
    return p


def active_workers() -> int:
    return len(Worker._active) + sum(p.activeThreadCount() for p in _pools.values())


def wait_for_workers(msecs: int = 10_000) -> bool:
    """Ask every worker to stop and wait for all pools; True when everything finished in time."""
    for w in list(Worker._active):
        w.quit()
    return all(p.waitForDone(msecs) for p in _pools.values())


def run_task(
    func: Callable[..., Any],
    *args: Any,
    on_done: Callable[..., None] | None = None,
    parent: QObject | None = None,
    thread_pool: QThreadPool | None = None,
    **kwargs: Any,
) -> Worker:
    """Run a one-shot `func` in a worker; `on_done(result=..., error=...)` runs in the GUI thread.

    With `parent`, the callback is skipped once that object is gone (a closed dialog).
    """
    w = Worker(func, *args, **kwargs)
    if on_done is not None:
        alive = [True]
        if parent is not None:
            parent.destroyed.connect(lambda *_: alive.__setitem__(0, False))

        def done_ok(result: Any) -> None:
            if alive[0]:
                on_done(result=result, error=None)

        def done_err(error: BaseException) -> None:
            if alive[0]:
                on_done(result=None, error=error)

        w.returned.connect(done_ok)
        w.errored.connect(done_err)
    return w.start(thread_pool)
