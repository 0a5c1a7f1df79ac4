"""Typed errors of Stable Diffusion data generation; each message says what to do next."""

from __future__ import annotations

from miwake.core.errors import MiwakeError, UsageError


class GenerateError(MiwakeError):
    """Base class for generation and reconstruction failures."""


class ModelFilesError(GenerateError, UsageError):
    """The model (Hub id, folder or checkpoint) is missing, incomplete or not a supported Stable Diffusion model."""


class HubUnreachableError(GenerateError):
    """A Hub id is not in the local cache and huggingface.co cannot be reached (or downloads are turned off)."""


class OutOfGpuMemoryError(GenerateError):
    """The GPU ran out of memory while loading or running the model."""


class InsufficientDiskSpaceError(GenerateError):
    """The output folder's disk has too little free space for the images still to make."""


class RunMismatchError(GenerateError, UsageError):
    """The output folder holds a run made with different settings; resuming would mix two data sets."""


class PromptsError(GenerateError, UsageError):
    """The prompt preset is unknown or the prompt file is unreadable or empty."""


class GenerateUsageError(GenerateError, UsageError):
    """The options do not fit together, or name nothing to work on (no images to reconstruct)."""
