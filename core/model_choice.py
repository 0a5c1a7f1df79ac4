"""The user's choice of model: kept in settings (`Settings.active_model`), resolved against the registry.

The registry only knows which models are installed; what the user picked is a setting, written here.
"""

from __future__ import annotations

import logging

from .bundle import Bundle
from .registry import ModelRegistry
from .settings import load_settings, save_settings

log = logging.getLogger(__name__)


def active_model_id(registry: ModelRegistry | None = None) -> str:
    """The model scans use: the one chosen with `models use` (or in the app), else the bundled default."""
    return (registry or ModelRegistry()).active_id(load_settings().active_model)


def active_model(registry: ModelRegistry | None = None) -> Bundle:
    reg = registry or ModelRegistry()
    return reg.get(reg.active_id(load_settings().active_model))


def use_model(model_id: str, registry: ModelRegistry | None = None) -> Bundle:
    """Make `model_id` (it must be installed) the active model."""
    b = (registry or ModelRegistry()).get(model_id)
    save_settings(load_settings().with_(active_model=b.id))
    return b


def delete_model(model_id: str, registry: ModelRegistry | None = None) -> Bundle:
    """Remove a user model (and its cached ONNX export); when it was the active one, scans fall back to the default."""
    from . import onnx_runtime

    b = (registry or ModelRegistry()).delete(model_id)
    settings = load_settings()
    if settings.active_model == b.id:  # first: whatever happens to the cache, scans must not ask for it
        save_settings(settings.with_(active_model=None))
    try:
        onnx_runtime.forget(b)
    except OSError as e:  # Windows: a scan of this process still holds the export open; it is only a cache
        log.warning("The ONNX export of %s could not be removed now (%s); it is left in the cache", b.id, e)
    return b
