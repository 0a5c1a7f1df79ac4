"""The files a scan works on, found in a thread of their own: scanning starts on the first file found while the
thread keeps looking, so a folder of 100,000 files shows progress at once."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from .discovery import DiscoveryOptions, discover

log = logging.getLogger(__name__)


class FileFeed:
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
