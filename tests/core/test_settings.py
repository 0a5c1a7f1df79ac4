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
