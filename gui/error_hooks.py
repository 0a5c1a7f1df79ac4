"""Unhandled errors: logged with their traceback to the log folder, shown as a non-modal notification.

`install_hooks()` replaces `sys.excepthook` (the GUI thread and Qt slots) and `threading.excepthook` (other
threads); the app keeps running. `describe_error()` turns an exception into a message that says what
happened and what to do, never a traceback.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from miwake.core import paths
from miwake.core.errors import (
    BundleError,
    DeviceError,
    MiwakeError,
    ModelNotFoundError,
    StoreError,
)

log = logging.getLogger(__name__)
translate = QCoreApplication.translate


class ErrorBridge(QObject):
    """Carries error reports from any thread to the GUI thread (queued signal)."""

    error_reported = Signal(str, str)  # title, message


def describe_error(exc: BaseException) -> str:
    """What happened and what to do, for a person (core's own errors already say both)."""
    if isinstance(exc, DeviceError):
        return str(exc) + " " + translate("Errors", "You can change the device in Settings.")
    if isinstance(exc, ModelNotFoundError):
        return str(exc) + " " + translate("Errors", "In the app: Tools → Models… → Import.")
    if isinstance(exc, BundleError):
        return str(exc)
    if isinstance(exc, (StoreError, MiwakeError)):
        return str(exc)
    if isinstance(exc, MemoryError):
        return translate(
            "Errors",
            "The computer ran out of memory. Close other programs, or lower the batch size "
            "and the maximum tiles in Settings, then try again.",
        )
    if isinstance(exc, PermissionError):
        return translate(
            "Errors", "Miwake was not allowed to use %1. Check the file's permissions and try again."
        ).replace("%1", str(exc.filename or ""))
    if isinstance(exc, FileNotFoundError):
        return translate("Errors", "%1 does not exist (any more). Check the path and try again.").replace(
            "%1", str(exc.filename or "")
        )
    if isinstance(exc, OSError):
        return translate(
            "Errors", "A file operation failed: %1. Check that the disk is available and not full."
        ).replace("%1", exc.strerror or str(exc))
    return (
        translate(
            "Errors",
            "Something unexpected went wrong (%1). Miwake keeps running; the details are in the "
            "log folder %2. Please report it with that log.",
        )
        .replace("%1", type(exc).__name__)
        .replace("%2", str(paths.log_dir()))
    )


_previous: dict[str, Any] = {}
_bridge: ErrorBridge | None = None


def _report(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, where: str) -> None:
    log.error("Unhandled error in %s", where, exc_info=(exc_type, exc, tb))
    try:
        if _bridge is not None:
            _bridge.error_reported.emit(translate("Errors", "Something went wrong"), describe_error(exc))
        else:
            raise RuntimeError("no bridge")
    except Exception:  # the last resort must not fail
        print(f"miwake: unhandled {exc_type.__name__}: {exc}", file=sys.stderr)


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        QCoreApplication.quit()
        return
    _report(exc_type, exc, tb, "the main thread")


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    _report(args.exc_type, args.exc_value, args.exc_traceback, f"thread {getattr(args.thread, 'name', '?')}")


def install_hooks(bridge: ErrorBridge) -> None:
    global _bridge
    if not _previous:
        _previous["sys"] = sys.excepthook
        _previous["threading"] = threading.excepthook
    _bridge = bridge
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def uninstall_hooks() -> None:
    global _bridge
    if _previous:
        sys.excepthook = _previous.pop("sys")
        threading.excepthook = _previous.pop("threading")
    _bridge = None
