"""User settings shared by the CLI and the app (active model, device, tiling...), stored as JSON.

Unknown keys are kept (a newer or older Miwake may have written them); a damaged file falls back to
defaults instead of stopping the program.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from . import atomic, paths

log = logging.getLogger(__name__)


# 2: `max_tiles` None means "the model's tile budget". Version 1 files hold 64 there whether or not the user
# chose it (the dialog saved every field), so a 64 in them is read as the default.
SETTINGS_VERSION = 2
# `cpu_runtime`: auto = the runtime and precision measured fastest for the model on this CPU (core.runtime_choice)
CPU_RUNTIMES = ("auto", "onnxruntime", "pytorch", "pytorch-bf16")


@dataclass(frozen=True)
class Settings:
    active_model: str | None = None
    device: str = "auto"  # auto | cpu | cuda | mps
    cpu_runtime: str = "auto"  # one of CPU_RUNTIMES
    batch_size: int | None = None
    stride: int | None = None
    max_tiles: int | None = None  # None = the model's own tile budget (its card), else 64
    unsure_band_override: tuple[float, float] | None = None  # None = the model card's band decides verdicts
    language: str = "system"  # system | en | ja
    version: int = SETTINGS_VERSION
    recent_folders: tuple[str, ...] = ()
    last_dialog_folder: str | None = None  # where the app's file dialogs open next
    library_keep_days: int = 365  # results no scan has seen for this long leave the result library; 0 = never
    extra: dict[str, Any] = field(default_factory=dict)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def unsure_band_for(self, card_band: tuple[float, float]) -> tuple[float, float]:
        """The band that decides pixel verdicts: the user's override, else the model card's."""
        return self.unsure_band_override or card_band

    def add_recent(self, folder: str, keep: int = 10) -> Settings:
        rec = [folder] + [f for f in self.recent_folders if f != folder]
        return self.with_(recent_folders=tuple(rec[:keep]))


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
    known = {f.name for f in fields(Settings)}
    kw: dict[str, Any] = {}
    for k, v in raw.items():
        if k not in known or k in ("extra", "version"):
            continue
        try:
            kw[k] = _VALIDATORS[k](v)
        except (TypeError, ValueError, OverflowError) as e:  # one bad value costs only that setting
            log.warning("Ignoring the setting %s=%r in %s (%s); using its default.", k, v, p, e)
    kw["extra"] = {k: v for k, v in raw.items() if k not in known}
    version = raw.get("version")
    if (version if isinstance(version, int) else 1) < 2 and kw.get("max_tiles") == 64:
        kw["max_tiles"] = None
    kw["version"] = SETTINGS_VERSION
    return Settings(**kw)


def _optional(check: Any) -> Any:
    return lambda v: None if v is None else check(v)


def _int_in(lo: int, hi: int) -> Any:
    def check(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError(f"not a whole number from {lo} to {hi}")
        return v

    return check


def _choice(*options: str) -> Any:
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


def _text(limit: int) -> Any:
    def check(v: Any) -> str:
        if not isinstance(v, str) or not v or len(v) > limit:
            raise ValueError(f"not text of 1 to {limit} characters")
        return v

    return check


def _folders(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list | tuple):
        raise ValueError("not a list of folders")
    return tuple(str(f) for f in v if isinstance(f, str))[:50]


_VALIDATORS: dict[str, Any] = {
    "active_model": _optional(_text(200)),
    "device": _choice("auto", "cpu", "cuda", "mps"),
    "cpu_runtime": _choice(*CPU_RUNTIMES),
    "batch_size": _optional(_int_in(1, 4096)),
    "stride": _optional(_int_in(1, 65536)),
    "max_tiles": _optional(_int_in(1, 4096)),
    "unsure_band_override": _optional(_band),
    "language": _choice("system", "en", "ja"),
    "recent_folders": _folders,
    "last_dialog_folder": _optional(_text(4096)),
    "library_keep_days": _int_in(0, 36500),
}


def save_settings(settings: Settings, path: Path | None = None) -> None:
    p = path or paths.settings_path()
    d = asdict(settings)
    extra = d.pop("extra")
    d = {**extra, **d}
    try:
        atomic.write_text(p, json.dumps(d, indent=2, ensure_ascii=False))
    except OSError as e:  # name the settings file, not the temporary one
        raise OSError(e.errno, f"cannot save the settings: {e.strerror or e}", str(p)) from e
