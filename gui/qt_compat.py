"""Work-arounds for known bugs in the Qt binding, each detected at run time (never by version number alone).

PySide6 6.12.0 on Python < 3.12 drops references it does not own: one to `True` on every `Signal.emit()`,
one to `None` on every call of a Qt method that returns nothing (`setText`, …) or an empty `QVariant`.
Before 3.12 these objects are not immortal, so after some thousands of calls Python aborts ("bool_dealloc:
deallocating True or False", "none_dealloc"). pyproject excludes that combination; if it is installed
anyway, `install_refcount_guard()` detects the leak and keeps the singletons alive: a padding list holds
spare references and a timer tops it up by what was lost (8 bytes per lost reference), and a warning in
the log says to change the PySide6 version.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

log = logging.getLogger(__name__)

_guard: _BoolRefcountGuard | None = None


class _Probe(QObject):
    pinged = Signal()


_SINGLETONS = (True, False, None)


def binding_leaks_references() -> bool:
    if sys.version_info >= (3, 12):  # the singletons are immortal: a lost reference cannot hurt
        return False
    probe = _Probe()
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(16):
        probe.pinged.emit()
        probe.setObjectName("probe")  # returns void
    return before[0] - sys.getrefcount(True) >= 16 or before[1] - sys.getrefcount(None) >= 16


class _BoolRefcountGuard(QObject):
    def __init__(self, parent: QObject, margin: int, interval_ms: int) -> None:
        super().__init__(parent)
        self._pad: list[object] = [obj for obj in _SINGLETONS for _ in range(margin)]
        self._targets = [sys.getrefcount(obj) for obj in _SINGLETONS]
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.top_up)
        self._timer.start(interval_ms)

    def top_up(self) -> None:
        for obj, target in zip(_SINGLETONS, self._targets, strict=True):
            lost = target - sys.getrefcount(obj)
            if lost > 0:
                self._pad.extend([obj] * lost)

    @property
    def padding(self) -> int:
        return len(self._pad)


def install_refcount_guard(margin: int = 1_000_000, interval_ms: int = 200) -> bool:
    """Install the guard when this binding leaks references on emit; True when it is (now) active."""
    global _guard
    if _guard is not None:
        return True
    app = QCoreApplication.instance()
    if app is None or not binding_leaks_references():
        return False
    import PySide6

    log.warning(
        "PySide6 %s loses references to True/None with Python %d.%d (it would crash); Miwake compensates, but "
        "install another PySide6 version (pip install 'PySide6-Essentials!=6.12.0') or use Python 3.12+.",
        PySide6.__version__,
        *sys.version_info[:2],
    )
    _guard = _BoolRefcountGuard(app, margin, interval_ms)
    return True
