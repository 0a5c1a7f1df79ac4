"""User settings shared by the CLI and the app (active model, device, tiling...), stored as JSON.

Each setting is declared once, with its default and the check a stored value must pass (`option`, as
MusicBrainz Picard's `Option`); a file written by an older version is brought up to date step by step
(`_UPGRADES`). Unknown keys are kept (a newer or older Miwake may have written them); one bad value costs only
that setting, and a damaged file falls back to defaults instead of stopping the program.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from . import atomic, paths

log = logging.getLogger(__name__)


SETTINGS_VERSION = 2
# `cpu_runtime`: auto = the runtime and precision measured fastest for the model on this CPU (core.runtime_choice)
CPU_RUNTIMES = ("auto", "onnxruntime", "pytorch", "pytorch-bf16")

Check = Callable[[Any], Any]  # a stored value -> the value to use; raises ValueError/TypeError when unusable


def _optional(check: Check) -> Check:
    return lambda v: None if v is None else check(v)


def _int_in(lo: int, hi: int) -> Check:
    def check(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError(f"not a whole number from {lo} to {hi}")
        return v

    return check


def _choice(*options: str) -> Check:
    def check(v: Any) -> str:
        if v not in options:
            raise ValueError(f"not one of {', '.join(options)}")
        return str(v)

    return check


def _band(v: Any) -> tuple[float, float]:
    lo, hi = (float(x) for x in v)
    if not (0.0 <= lo <= hi <= 1.0):
        raise ValueError("need 0 <= lower end <= upper end <= 1")
    return lo, hi


def _text(limit: int) -> Check:
    def check(v: Any) -> str:
        if not isinstance(v, str) or not v or len(v) > limit:
            raise ValueError(f"not text of 1 to {limit} characters")
        return v

    return check


def _folders(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list | tuple):
        raise ValueError("not a list of folders")
    return tuple(str(f) for f in v if isinstance(f, str))[:50]


def option(default: Any, check: Check) -> Any:
    """A setting: its default and the check a value read from the file must pass, declared together."""
    return field(default=default, metadata={"check": check})


@dataclass(frozen=True)
class Settings:
    active_model: str | None = option(None, _optional(_text(200)))
    device: str = option("auto", _choice("auto", "cpu", "cuda", "mps"))
    cpu_runtime: str = option("auto", _choice(*CPU_RUNTIMES))
    batch_size: int | None = option(None, _optional(_int_in(1, 4096)))
    stride: int | None = option(None, _optional(_int_in(1, 65536)))
    max_tiles: int | None = option(None, _optional(_int_in(1, 4096)))  # None = the model card's tile budget
    unsure_band_override: tuple[float, float] | None = option(None, _optional(_band))  # None: the card's band
    language: str = option("system", _choice("system", "en", "ja"))
    version: int = SETTINGS_VERSION
    recent_folders: tuple[str, ...] = option((), _folders)
    last_dialog_folder: str | None = option(None, _optional(_text(4096)))  # where the app's file dialogs open
    library_keep_days: int = option(365, _int_in(0, 36500))  # results unseen this long leave the library; 0 never
    extra: dict[str, Any] = field(default_factory=dict)  # keys this version does not know, kept as they were

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def unsure_band_for(self, card_band: tuple[float, float]) -> tuple[float, float]:
        """The band that decides pixel verdicts: the user's override, else the model card's."""
        return self.unsure_band_override or card_band

    def add_recent(self, folder: str, keep: int = 10) -> Settings:
        rec = [folder] + [f for f in self.recent_folders if f != folder]
        return self.with_(recent_folders=tuple(rec[:keep]))


_CHECKS: dict[str, Check] = {f.name: f.metadata["check"] for f in fields(Settings) if "check" in f.metadata}


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    """Version 1's dialog saved every field, so its `max_tiles` held 64 whether or not the user chose it; since 2,
    None means the model's own tile budget: a 64 from version 1 is read as that default."""
    return {**raw, "max_tiles": None} if raw.get("max_tiles") == 64 else raw


_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}  # version -> step to version + 1


def load_settings(path: Path | None = None) -> Settings:
    p = path or paths.settings_path()
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("not an object")
    except (FileNotFoundError, NotADirectoryError):
        return Settings()
    except (OSError, ValueError) as e:
        log.warning("Ignoring unreadable settings file %s (%s); using defaults.", p, e)
        return Settings()
    version = raw.get("version")
    version = version if isinstance(version, int) and not isinstance(version, bool) else 1
    while version < SETTINGS_VERSION:
        raw = _UPGRADES[version](raw)
        version += 1
    kw: dict[str, Any] = {}
    for k, v in raw.items():
        if k not in _CHECKS:
            continue
        try:
            kw[k] = _CHECKS[k](v)
        except (TypeError, ValueError, OverflowError) as e:  # one bad value costs only that setting
            log.warning("Ignoring the setting %s=%r in %s (%s); using its default.", k, v, p, e)
    known = {f.name for f in fields(Settings)}
    kw["extra"] = {k: v for k, v in raw.items() if k not in known}
    return Settings(**kw)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    p = path or paths.settings_path()
    d = asdict(settings)
    extra = d.pop("extra")
    d = {**extra, **d}
    try:
        atomic.write_text(p, json.dumps(d, indent=2, ensure_ascii=False))
    except OSError as e:  # name the settings file, not the temporary one
        raise OSError(e.errno, f"cannot save the settings: {e.strerror or e}", str(p)) from e
