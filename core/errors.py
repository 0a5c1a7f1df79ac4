"""Typed errors raised by `core`; callers (CLI, GUI) decide how to show them."""

from __future__ import annotations


class MiwakeError(Exception):
    """Base class: the message is meant for the user and says what to do."""


class BundleError(MiwakeError):
    """A model bundle is missing, malformed, unsafe or does not match its card."""


class UnsafeModelFormatError(BundleError):
    """A pickle-based weights file (.pt/.pth/.ckpt/.bin) was offered; those can run code when loaded."""


class ModelNotFoundError(BundleError):
    """No installed model has the requested id."""


class ImageReadError(MiwakeError):
    """A file could not be decoded as an image; `kind` says why (an `ErrorKind` value)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class StoreError(MiwakeError):
    """The result store could not be opened or written."""


class DeviceError(MiwakeError):
    """The requested compute device is not available."""
