"""Thumbnails for the results table: made lazily in the background, cached in memory and on disk.

- `pixmap(path, mtime_ns, size)` is called from the model's `data()` (GUI thread, only for painted rows):
  it answers from an in-memory LRU, or queues the file and answers `None` for now.
- Requests wait in a bounded LIFO: the rows on screen now are decoded first; rows that scrolled past long
  ago fall off the end. Two pool threads decode (`QImageReader` with a scaled size) or read the disk cache
  (`<cache>/thumbnails/<sha1(path|mtime|size)>.jpg`); a `QImage` comes back by signal and becomes a
  `QPixmap` here, in the GUI thread; `thumbnail_ready(path)` then repaints the cell.
- The disk cache is kept small: a thumbnail read from it is touched, and once per run (in a pool thread)
  thumbnails unused for `MAX_AGE_DAYS` go, then the least recently used ones until `MAX_DISK_BYTES` is left —
  every edited file leaves its old thumbnail behind (the key holds the mtime), so without this it only grows.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict, deque
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from miwake.core import paths

from ..image_reader import DisplayImageError, read_scaled
from ..workers import pool

log = logging.getLogger(__name__)

THUMB_SIDE = 96  # pixels on the long side (sharp on HiDPI at 48 px cells)
MAX_DISK_BYTES = 256 * 1024 * 1024  # the disk cache's size after pruning (about 80,000 thumbnails)
MAX_AGE_DAYS = 60  # thumbnails not shown for this long are pruned
DISPLAY_SIDE = 48  # logical pixels in the table
_FAILED = object()


def prune_disk_cache(
    folder: Path, max_bytes: int = MAX_DISK_BYTES, max_age_days: float = MAX_AGE_DAYS, now: float | None = None
) -> tuple[int, int]:
    """Remove thumbnails unused for `max_age_days`, then the least recently used until at most `max_bytes` are
    left; returns (files removed, bytes left). Files that vanish meanwhile (another window prunes) are skipped."""
    now = time.time() if now is None else now
    entries = []
    for f in folder.glob("*/*.jpg"):
        try:
            st = f.stat()
        except OSError:
            continue
        entries.append((st.st_mtime, st.st_size, f))
    entries.sort()  # oldest first
    total = sum(size for _, size, _ in entries)
    removed = 0
    for mtime, size, f in entries:
        if now - mtime <= max_age_days * 86400 and total <= max_bytes:
            break
        try:
            f.unlink()
        except OSError:
            continue
        total -= size
        removed += 1
    return removed, total


def thumbnail_key(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha1(f"{path}|{mtime_ns}|{size}".encode("utf-8", "surrogatepass")).hexdigest()


def _prune_quietly(folder: Path) -> None:
    try:
        removed, left = prune_disk_cache(folder)
        if removed:
            log.info("Thumbnail cache: %d old thumbnails removed, %.0f MB left", removed, left / 1e6)
    except Exception:
        log.exception("Pruning the thumbnail cache failed")


class _ThumbnailTask(QRunnable):
    """Takes requests from the cache's queue (newest first) until it is empty."""

    def __init__(self, cache: ThumbnailCache) -> None:
        super().__init__()
        self.cache = cache

    def run(self) -> None:
        cache = self.cache
        while True:
            req = cache._next_request()  # None ends the task (and counts it done, atomically)
            if req is None:
                return
            path, key = req
            try:
                img = cache._load(path, key)
            except DisplayImageError as e:
                log.debug("No thumbnail for %s: %s", path, e)
                img = None
            except Exception:
                log.exception("Thumbnail of %s failed", path)
                img = None
            try:
                cache._loaded.emit(path, key, img)
            except RuntimeError:  # the cache was deleted (window closed): stop
                return


class ThumbnailCache(QObject):
    thumbnail_ready = Signal(str)  # path
    _loaded = Signal(str, str, object)  # path, key, QImage | None (from the pool threads)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        capacity: int = 1500,
        queue_limit: int = 96,
        folder: Path | None = None,
        max_tasks: int = 2,
    ) -> None:
        super().__init__(parent)
        self.capacity = capacity
        self._memory: OrderedDict[str, object] = OrderedDict()  # key -> QPixmap | _FAILED
        self._lock = threading.Lock()
        self._queue: deque[tuple[str, str]] = deque()  # (path, key), newest at the right
        self._queued: set[str] = set()
        self._queue_limit = queue_limit
        self._tasks = 0  # pool tasks alive
        self._inflight = 0  # requests taken by a task whose result has not reached the GUI thread yet
        self._max_tasks = max_tasks
        self._folder = folder
        self._placeholder: QPixmap | None = None
        self._pruned = False  # the disk cache is pruned once per run, at its first use
        self._loaded.connect(self._on_loaded)

    @property
    def folder(self) -> Path:
        if self._folder is None:
            self._folder = paths.cache_dir() / "thumbnails"
        self._folder.mkdir(parents=True, exist_ok=True)
        if not self._pruned:
            self._pruned = True
            folder = self._folder
            pool("thumbnail").start(lambda: _prune_quietly(folder))
        return self._folder

    # -- GUI thread ---------------------------------------------------------------------------------------
    def pixmap(self, path: str, mtime_ns: int, size: int) -> QPixmap | None:
        """The thumbnail if ready (a grey placeholder for files that cannot be shown), else None (queued)."""
        key = thumbnail_key(path, mtime_ns, size)
        hit = self._memory.get(key)
        if hit is not None:
            self._memory.move_to_end(key)
            return self.failed_pixmap() if hit is _FAILED else hit
        self._request(path, key)
        return None

    def failed_pixmap(self) -> QPixmap:
        if self._placeholder is None:
            pm = QPixmap(QSize(DISPLAY_SIDE, DISPLAY_SIDE))
            pm.fill(Qt.GlobalColor.transparent)
            p = QPainter(pm)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QColor(160, 160, 160))
            p.setBrush(QColor(235, 235, 235))
            p.drawRoundedRect(pm.rect().adjusted(4, 4, -4, -4), 4, 4)
            p.drawLine(14, 14, pm.width() - 14, pm.height() - 14)
            p.drawLine(pm.width() - 14, 14, 14, pm.height() - 14)
            p.end()
            self._placeholder = pm
        return self._placeholder

    def pending(self) -> int:
        """Thumbnails asked for and not yet delivered."""
        with self._lock:
            return len(self._queue) + self._inflight

    def clear_memory(self) -> None:
        self._memory.clear()

    def _request(self, path: str, key: str) -> None:
        start = False
        with self._lock:
            if key in self._queued:
                return
            self._queue.append((path, key))
            self._queued.add(key)
            while len(self._queue) > self._queue_limit:  # rows long scrolled past
                _, old = self._queue.popleft()
                self._queued.discard(old)
            if self._tasks < self._max_tasks:
                self._tasks += 1
                start = True
        if start:
            pool("thumbnail").start(_ThumbnailTask(self))

    def _on_loaded(self, path: str, key: str, img: QImage | None) -> None:
        with self._lock:
            self._queued.discard(key)
            self._inflight -= 1
        if img is not None and not img.isNull():
            pm = QPixmap.fromImage(img)
            # logical size <= DISPLAY_SIDE: the view draws it whole, and sharp on HiDPI screens
            pm.setDevicePixelRatio(max(1.0, max(img.width(), img.height()) / DISPLAY_SIDE))
            self._memory[key] = pm
        else:
            self._memory[key] = _FAILED
        while len(self._memory) > self.capacity:
            self._memory.popitem(last=False)
        self.thumbnail_ready.emit(path)

    # -- pool threads -------------------------------------------------------------------------------------
    def _next_request(self) -> tuple[str, str] | None:
        with self._lock:
            if self._queue:
                self._inflight += 1
                return self._queue.pop()
            self._tasks -= 1
            return None

    def _load(self, path: str, key: str) -> QImage:
        cached = self.folder / key[:2] / f"{key}.jpg"
        if cached.is_file():
            img = QImage(str(cached))
            if not img.isNull():
                with contextlib.suppress(OSError):
                    os.utime(cached)  # recently used: kept by `prune_disk_cache`
                return img
        img = read_scaled(path, THUMB_SIDE)
        if img.hasAlphaChannel():  # JPEG has no alpha: show transparency over white, as the scan does
            flat = QImage(img.size(), QImage.Format.Format_RGB32)
            flat.fill(QColor(255, 255, 255))
            p = QPainter(flat)
            p.drawImage(0, 0, img)
            p.end()
            img = flat
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(cached.name + ".part.jpg")
            if img.save(str(tmp), "JPG", 85):
                tmp.replace(cached)
        except OSError as e:  # a full or read-only disk must not stop thumbnails
            log.debug("Thumbnail cache write failed: %s", e)
        return img
