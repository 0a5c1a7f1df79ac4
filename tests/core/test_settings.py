"""Settings files from older Miwake versions keep meaning what the user chose."""

from __future__ import annotations

import json
from pathlib import Path

from miwake.core.settings import SETTINGS_VERSION, Settings, load_settings, save_settings


def test_a_version_1_file_with_the_old_default_tile_count_follows_the_model(tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    p.write_text(json.dumps({"max_tiles": 64, "device": "cpu"}))  # what every old dialog OK wrote
    s = load_settings(p)
    assert s.max_tiles is None and s.device == "cpu"


def test_a_version_1_file_with_a_chosen_tile_count_keeps_it(tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    p.write_text(json.dumps({"max_tiles": 16}))
    assert load_settings(p).max_tiles == 16


def test_a_saved_64_stays_64(tmp_path: Path) -> None:
    p = tmp_path / "settings.json"
    save_settings(Settings(max_tiles=64), p)
    assert json.loads(p.read_text())["version"] == SETTINGS_VERSION
    assert load_settings(p).max_tiles == 64


def test_every_setting_is_declared_with_its_check(tmp_path: Path) -> None:
    """Issue #27: each option carries its default and check in one place; a bad value costs only that option."""
    from dataclasses import fields

    from miwake.core.settings import _CHECKS, Settings, load_settings

    assert set(_CHECKS) == {f.name for f in fields(Settings)} - {"version", "extra"}
    p = tmp_path / "settings.json"
    p.write_text('{"version": 2, "device": "tpu", "batch_size": 4, "stride": true, "someday": [1]}', encoding="utf-8")
    s = load_settings(p)
    assert (s.device, s.batch_size, s.stride) == ("auto", 4, None)  # the bad ones fell back, the good one stayed
    assert s.extra == {"someday": [1]}  # unknown keys are kept for the version that wrote them
