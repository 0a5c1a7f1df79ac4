"""Typed errors raised by `core`; callers (CLI, GUI) decide how to show them."""

from __future__ import annotations


class MiwakeError(Exception):
    """Base class: the message is meant for the user and says what to do."""


class UsageError(MiwakeError):
    """The command asked for something that does not exist here (a model id, a device, an architecture, an extra).

    The CLI exits 2 for these, as for argument errors; every other `MiwakeError` is a runtime failure (exit 4).
    """


class MissingExtraError(UsageError):
    """An optional dependency group (`pip install "miwake[training]"`) is not installed."""


class UnknownArchitectureError(UsageError):
    """The architecture is not a plain timm name known to the installed timm (typos, hub names)."""


class BundleError(MiwakeError):
    """A model bundle is missing, malformed, unsafe or does not match its card."""


class UnsafeModelFormatError(BundleError, UsageError):
    """A pickle-based weights file (.pt/.pth/.ckpt/.bin) was offered; those can run code when loaded."""


class ReadOnlyModelError(BundleError, UsageError):
    """A bundled model was asked to be deleted or replaced."""


class BundleNotFoundError(BundleError, UsageError):
    """The bundle path given does not exist."""


class ModelNotFoundError(BundleError, UsageError):
    """No installed model has the requested id."""


class ImageReadError(MiwakeError):
    """A file could not be decoded as an image; `kind` says why (an `ErrorKind` value)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class StoreError(MiwakeError):
    """The result store could not be opened or written."""


class DeviceError(UsageError):
    """The requested compute device is not available."""
