"""Every path Miwake uses, from source or frozen (PyInstaller), with env-var overrides.

Tests and portable builds set the overrides; code never branches on them.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import os
import sys
from pathlib import Path

import platformdirs

APP_ID = "miwake"
IS_FROZEN: bool = bool(getattr(sys, "frozen", False) and hasattr(sys, "_MEIPASS"))

_ENV_DATA = "MIWAKE_DATA_DIR"
_ENV_LOG = "MIWAKE_LOG_DIR"
_ENV_CACHE = "MIWAKE_CACHE_DIR"
_ENV_RESOURCES = "MIWAKE_RESOURCES_DIR"


def _ensure(path: Path) -> Path:
    """Create `path` if it can be; on a read-only or uncreatable location return it anyway: reading then finds
    nothing there, and a write says clearly what failed (instead of every command failing at start)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return path


def resources_dir() -> Path:
    """Read-only resources: `sys._MEIPASS/resources` when frozen, else the `miwake.resources` package data
    (the wheel's `site-packages/miwake/resources`; in a checkout the top-level `resources/`, through the
    `miwake/resources` link or the package path `miwake.layout` extends)."""
    override = os.environ.get(_ENV_RESOURCES)
    if override:
        return Path(override)
    if IS_FROZEN:
        return Path(sys._MEIPASS) / "resources"  # type: ignore[attr-defined]
    spec = importlib.util.find_spec("miwake.resources")  # a namespace package: its folder, wherever found
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(str(importlib.resources.files("miwake") / "resources"))


def bundled_models_dir() -> Path:
    return resources_dir() / "models"


def samples_dir() -> Path:
    return resources_dir() / "samples"


def data_dir() -> Path:
    """User data (models, result store, settings)."""
    override = os.environ.get(_ENV_DATA)
    return _ensure(Path(override) if override else Path(platformdirs.user_data_dir(APP_ID, appauthor=False)))


def user_models_dir() -> Path:
    return _ensure(data_dir() / "models")


def store_path() -> Path:
    return data_dir() / "results.sqlite3"


def settings_path() -> Path:
    return data_dir() / "settings.json"


def log_dir() -> Path:
    override = os.environ.get(_ENV_LOG)
    return _ensure(Path(override) if override else Path(platformdirs.user_log_dir(APP_ID, appauthor=False)))


def cache_dir() -> Path:
    override = os.environ.get(_ENV_CACHE)
    return _ensure(Path(override) if override else Path(platformdirs.user_cache_dir(APP_ID, appauthor=False)))
