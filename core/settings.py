"""User settings shared by the CLI and the app (active model, device, tiling...), stored as JSON.

Unknown keys are kept (a newer or older Miwake may have written them); a damaged file falls back to
defaults instead of stopping the program.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from . import paths

log = logging.getLogger(__name__)


# 2: `max_tiles` None means "the model's tile budget". Version 1 files hold 64 there whether or not the user
# chose it (the dialog saved every field), so a 64 in them is read as the default.
SETTINGS_VERSION = 2


@dataclass(frozen=True)
class Settings:
    active_model: str | None = None
    device: str = "auto"  # auto | cpu | cuda | mps
    batch_size: int | None = None
    stride: int | None = None
    max_tiles: int | None = None  # None = the model's own tile budget (its card), else 64
    unsure_band_override: tuple[float, float] | None = None  # None = the model card's band decides verdicts
    language: str = "system"  # system | en | ja
    version: int = SETTINGS_VERSION
    recent_folders: tuple[str, ...] = ()
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
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as e:
        log.warning("Ignoring unreadable settings file %s (%s); using defaults.", p, e)
        return Settings()
    known = {f.name for f in fields(Settings)}
    kw: dict[str, Any] = {k: v for k, v in raw.items() if k in known and k != "extra"}
    kw["extra"] = {k: v for k, v in raw.items() if k not in known}
    if int(raw.get("version") or 1) < 2 and kw.get("max_tiles") == 64:
        kw["max_tiles"] = None
    kw["version"] = SETTINGS_VERSION
    for k in ("recent_folders", "unsure_band_override"):
        if kw.get(k) is not None:
            kw[k] = tuple(kw[k])
    try:
        return Settings(**kw)
    except TypeError as e:
        log.warning("Ignoring malformed settings (%s); using defaults.", e)
        return Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    p = path or paths.settings_path()
    d = asdict(settings)
    extra = d.pop("extra")
    d = {**extra, **d}
    tmp = p.with_name(p.name + ".part")
    tmp.write_text(json.dumps(d, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, p)
