"""Damaged stores, full disks, hostile model bundles and settings (issue #16, items 2, 4, 13-19)."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import zipfile
from pathlib import Path

import pytest

from miwake.cli import main
from miwake.core import paths
from miwake.core.errors import BundleError, StoreError
from miwake.core.results import ImageResult, Verdict
from miwake.core.store import ResultStore
from tests.helpers import noise_image


def _folder(tmp_path: Path, n: int) -> Path:
    d = tmp_path / "imgs"
    d.mkdir()
    for i in range(n):
        noise_image(48 + i, 40, i).save(d / f"{i:02d}.png")
    return d


# -- store ------------------------------------------------------------------------------------------------------
def test_a_full_disk_stops_the_scan_cleanly_and_the_record_matches_its_rows(tmp_path, tiny_bundle, monkeypatch, capsys):
    main(["models", "import", str(tiny_bundle.path)])
    d = _folder(tmp_path, 40)
    real_open = ResultStore._open

    def small_disk(self):
        real_open(self)
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        self._db.execute(f"PRAGMA max_page_count = {pages + 3}")  # SQLite's own "database or disk is full"

    monkeypatch.setattr(ResultStore, "_open", small_disk)
    out_csv = tmp_path / "r.csv"
    rc = main(["scan", str(d), "--batch", "1", "--csv", str(out_csv), "--top", "0"])
    err = capsys.readouterr().err
    assert rc == 4 and "full" in err and "Traceback" not in err
    assert out_csv.exists() and len(out_csv.read_text("utf-8-sig").splitlines()) > 1  # what finished
    monkeypatch.setattr(ResultStore, "_open", real_open)
    with ResultStore(paths.store_path()) as s:
        rec = s.last_scan()
        assert rec.status == "failed"
        assert rec.scored + rec.reused + rec.errors == s.count_results(rec.id)


def test_a_malformed_store_is_set_aside_and_a_fresh_one_started(tmp_path, tiny_bundle, capsys):
    main(["models", "import", str(tiny_bundle.path)])
    d = _folder(tmp_path, 2)
    assert main(["scan", str(d), "-q"]) == 0
    store = paths.store_path()
    data = bytearray(store.read_bytes())
    assert len(data) > 3 * 4096
    data[4096:] = b"\xa5" * (len(data) - 4096)  # every page after the first is garbage
    store.write_bytes(bytes(data))
    for side in ("-wal", "-shm"):
        Path(str(store) + side).unlink(missing_ok=True)
    assert main(["scan", str(d), "-q"]) == 0
    err = capsys.readouterr().err
    aside = list(store.parent.glob("results.sqlite3.damaged-*"))
    assert len(aside) == 1 and str(aside[0]) in err and "moved" in err


def test_bad_values_in_stored_rows_are_skipped_and_rescored(tmp_path, tiny_bundle, capsys):
    main(["models", "import", str(tiny_bundle.path)])
    d = _folder(tmp_path, 3)
    assert main(["scan", str(d), "-q"]) == 0
    db = sqlite3.connect(paths.store_path())
    db.execute("UPDATE results SET verdict='maybe' WHERE path LIKE '%00.png'")
    db.execute("UPDATE results SET heatmap='{not json' WHERE path LIKE '%01.png'")
    db.execute("UPDATE results SET error_kind='exploded', evidence='[1' WHERE path LIKE '%02.png'")
    db.commit()
    db.close()
    out = tmp_path / "r.json"
    assert main(["scan", str(d), "-q", "--json", str(out)]) == 0
    assert "0 reused" in capsys.readouterr().out  # every damaged row was scored again
    with ResultStore(paths.store_path()) as s:
        s.last_scan()
        assert all(r.verdict in (Verdict.AI, Verdict.HUMAN, Verdict.UNSURE) for r in s.scan_results(s.last_scan().id))


def test_the_move_it_away_advice_is_only_for_damage(tmp_path):
    ro = tmp_path / "file-not-folder"
    ro.write_text("x")
    with pytest.raises(StoreError) as e:
        ResultStore(ro / "results.sqlite3")
    assert "Move it away" not in str(e.value) and "cannot be created" in str(e.value)


def test_pruning_keeps_the_running_scan_and_ignores_empty_scans(tmp_path):
    with ResultStore(tmp_path / "s.db") as s:
        full = []
        for i in range(3):
            sid = s.begin_scan(["/x"], "m", "m@1", "k", "cpu")
            s.add_result(sid, ImageResult(path=f"/x/{i}"), "m@1", "k")
            s.finish_scan(sid, "finished", 1)
            full.append(sid)
        running = s.begin_scan(["/y"], "m", "m@1", "k", "cpu")  # another window is scanning
        for _ in range(40):  # 40 scans that found nothing
            s.finish_scan(s.begin_scan(["/empty"], "m", "m@1", "k", "cpu"), "finished", 0)
            s.prune(keep_scans=2)
        kept = {r.id for r in s.scans(100)}
        assert running in kept and set(full[-2:]) <= kept and full[0] not in kept
        s.add_result(running, ImageResult(path="/y/late"), "m@1", "k")  # no IntegrityError
        s.commit()


def test_exports_name_a_missing_folder_and_leave_no_part_file(tmp_path, monkeypatch):
    from miwake.core.errors import UsageError
    from miwake.core.reports import write_csv, write_json

    rows = [ImageResult(path="/x.png", probability=0.5, verdict=Verdict.UNSURE)]
    with pytest.raises(UsageError, match="does not exist"):
        write_csv(rows, tmp_path / "missing" / "r.csv")

    import builtins

    real_open = builtins.open

    class FullFile:
        def __init__(self, fh):
            self.fh = fh

        def write(self, s):
            raise OSError(28, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(
        builtins,
        "open",
        lambda p, *a, **k: FullFile(real_open(p, *a, **k)) if str(p).endswith(".part") else real_open(p, *a, **k),
    )
    with pytest.raises(OSError):
        write_json(rows, tmp_path / "r.json")
    monkeypatch.setattr(builtins, "open", real_open)
    assert not list(tmp_path.glob("r.json*"))


def test_an_uncreatable_data_folder_gives_messages_not_tracebacks(tmp_path, monkeypatch, capsys, tiny_bundle):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("MIWAKE_DATA_DIR", str(blocker / "data"))
    assert main(["models", "list"]) == 0
    assert main(["models", "use", "nothing"]) == 2
    d = _folder(tmp_path, 1)
    assert main(["scan", str(d), "-q"]) == 2  # no model installed (and none can be): a message
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert main(["models", "import", str(tiny_bundle.path)]) == 4
    assert "Traceback" not in capsys.readouterr().err


# -- model bundles ----------------------------------------------------------------------------------------------
def test_a_hub_architecture_in_a_card_is_refused_without_network(tmp_path, tiny_bundle, monkeypatch, capsys):
    def no_network(*a, **k):
        raise AssertionError("Miwake tried to connect to the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    src = tmp_path / "hub"
    shutil.copytree(tiny_bundle.path, src)
    card = json.loads((src / "model.json").read_text("utf-8"))
    card["arch"] = "hf-hub:someone/evil"
    (src / "model.json").write_text(json.dumps(card), "utf-8")
    assert main(["models", "import", str(src)]) == 4
    assert "hub" in capsys.readouterr().err


def test_a_zip_bomb_archive_is_refused_before_it_is_unpacked(tmp_path, tiny_bundle):
    from miwake.core.bundle import read_bundle

    bomb = tmp_path / "bomb.miwake"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(tiny_bundle.path / "model.json", "model.json")
        with zf.open("model.safetensors", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros in about 300 KB
                fh.write(block)
    assert bomb.stat().st_size < 2_000_000
    b = read_bundle(bomb)
    with pytest.raises(BundleError, match="more than this archive can hold"):
        b.weights_bytes()


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"crop_size": float("inf")}, "Invalid model card"),
        ({"id": ["a", "list"]}, "plain name"),
        ({"id": "x" * 300}, "plain name"),
        ({"id": "bad\x00id"}, "plain name"),
        ({"id": "=cmd|calc"}, "plain name"),
        ({"display_name": "ok\x1b[2J"}, "control characters"),
        ({"mean": [float("nan"), 0.5, 0.5]}, "finite"),
        ({"std": [0.0, 1.0, 1.0]}, "finite"),
    ],
)
def test_hostile_cards_are_refused_at_import(tmp_path, tiny_bundle, change, problem, capsys):
    src = tmp_path / "card"
    shutil.copytree(tiny_bundle.path, src)
    card = json.loads((src / "model.json").read_text("utf-8"))
    card.update(change)
    (src / "model.json").write_text(json.dumps(card), "utf-8")
    assert main(["models", "import", str(src)]) == 4
    err = capsys.readouterr().err
    assert problem in err and "Traceback" not in err


def test_a_deeply_nested_card_and_a_broken_installed_folder_do_not_break_listing(tmp_path, tiny_bundle, capsys):
    main(["models", "import", str(tiny_bundle.path)])
    broken = paths.user_models_dir() / "broken"
    broken.mkdir()
    (broken / "model.json").write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    inf = paths.user_models_dir() / "inf"
    shutil.copytree(tiny_bundle.path, inf)
    (inf / "model.json").write_text(
        (inf / "model.json").read_text("utf-8").replace('"crop_size": 32', '"crop_size": Infinity')
    )
    assert main(["models", "list"]) == 0
    out = capsys.readouterr()
    assert "tiny" in out.out and "broken (skipped)" in out.err and str(broken) in out.err
    d = _folder(tmp_path, 1)
    assert main(["scan", str(d), "-q"]) == 0


def test_json_reports_never_hold_bare_nan(tmp_path):
    from miwake.core.reports import write_json

    write_json([ImageResult(path="/x.png", probability=float("nan"), verdict=Verdict.UNSURE)], tmp_path / "r.json")
    text = (tmp_path / "r.json").read_text("utf-8")
    assert "NaN" not in text and json.loads(text)["results"][0]["ai_probability"] is None


# -- settings ---------------------------------------------------------------------------------------------------
def test_each_hostile_setting_falls_back_alone(tmp_path, tiny_bundle, capsys):
    from miwake.core.settings import load_settings

    paths.settings_path().write_text(
        json.dumps(
            {
                "language": 5,
                "max_tiles": "abc",
                "unsure_band_override": [0.9, 0.1],
                "batch_size": -1,
                "stride": 64,
                "device": "gpu",
                "recent_folders": ["/ok", 3],
            }
        ),
        "utf-8",
    )
    s = load_settings()
    assert (s.language, s.max_tiles, s.unsure_band_override, s.batch_size, s.device) == (
        "system",
        None,
        None,
        None,
        "auto",
    )
    assert s.stride == 64 and s.recent_folders == ("/ok",)
    main(["models", "import", str(tiny_bundle.path)])
    d = _folder(tmp_path, 2)
    out = tmp_path / "r.json"
    assert main(["scan", str(d), "-q", "--json", str(out)]) == 0
    assert all(r["error_kind"] is None for r in json.loads(out.read_text("utf-8"))["results"])


@pytest.mark.parametrize("flag", ["--batch", "--stride", "--max-tiles"])
@pytest.mark.parametrize("value", ["0", "-1", "x"])
def test_cli_numbers_are_range_checked(tmp_path, flag, value, capsys):
    with pytest.raises(SystemExit) as e:
        main(["scan", str(tmp_path), flag, value])
    assert e.value.code == 2 and flag in capsys.readouterr().err
