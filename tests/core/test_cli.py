import csv
import json
import subprocess
import sys
from pathlib import Path

from miwake.cli import main
from tests.helpers import HOSTILE_EXPECTED, make_hostile_folder


def test_scan_end_to_end(tmp_path, tiny_bundle, capsys):
    assert main(["models", "import", str(tiny_bundle.path)]) == 0
    d = make_hostile_folder(tmp_path / "folder")
    out_csv, out_json, hm = tmp_path / "r.csv", tmp_path / "r.json", tmp_path / "hm"
    rc = main(["scan", str(d), "--csv", str(out_csv), "--json", str(out_json), "--heatmaps", str(hm), "--top", "0"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert f"{len(HOSTILE_EXPECTED)} files" in printed and "0 reused" in printed

    rows = list(csv.DictReader(out_csv.read_text("utf-8-sig").splitlines()))
    assert len(rows) == len(HOSTILE_EXPECTED)
    by_rel = {}
    for r in rows:
        p = r["path"][1:] if r["path"].startswith("'") else r["path"]
        by_rel[str(Path(p).relative_to(d))] = r
    assert sorted(by_rel) == sorted(HOSTILE_EXPECTED)
    for name, kind in HOSTILE_EXPECTED.items():
        r = by_rel[name]
        if kind:
            assert r["error_kind"] == kind and r["ai_probability"] == "" and r["verdict"] == "error"
        else:
            assert 0 <= float(r["ai_probability"]) <= 1 and r["verdict"] in ("ai", "human", "unsure") and not r["error"]
    assert by_rel["rotated.jpg"]["width"] == "40" and by_rel["rotated.jpg"]["height"] == "60"

    doc = json.loads(out_json.read_text("utf-8"))
    assert len(doc["results"]) == len(HOSTILE_EXPECTED) and doc["model"]["id"] == "tiny"
    assert len(list(hm.iterdir())) == sum(1 for k in HOSTILE_EXPECTED.values() if k is None)

    assert main(["scan", str(d), "-q"]) == 0
    printed = capsys.readouterr().out
    assert f"{len(HOSTILE_EXPECTED) - 1} reused" in printed or "reused from earlier scans" in printed


def test_exit_codes(tmp_path, tiny_bundle, capsys):
    main(["models", "import", str(tiny_bundle.path)])
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["scan", str(empty)]) == 3
    assert main(["scan", str(empty), "--model", "nope"]) == 2
    assert "No installed model" in capsys.readouterr().err


def test_models_commands(tmp_path, tiny_bundle, capsys):
    assert main(["models", "import", str(tiny_bundle.path)]) == 0
    assert main(["models", "list"]) == 0
    assert "tiny" in capsys.readouterr().out
    assert main(["models", "info", "tiny"]) == 0
    assert "test_efficientnet" in capsys.readouterr().out
    assert main(["models", "export", "tiny", str(tmp_path / "t.miwake")]) == 0
    assert main(["models", "import", str(tmp_path / "t.miwake"), "--id", "t2"]) == 0
    assert main(["models", "use", "t2"]) == 0
    assert main(["models", "delete", "t2"]) == 0
    bad = tmp_path / "model.pt"
    bad.write_bytes(b"\x80\x04not really")
    assert main(["models", "import", str(bad)]) == 2
    assert "pickle" in capsys.readouterr().err


def test_entry_point_runs(tmp_path):
    r = subprocess.run([sys.executable, "-m", "miwake", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and "miwake" in r.stdout
    r = subprocess.run([sys.executable, "-m", "miwake", "scan"], capture_output=True, text=True)
    assert r.returncode == 2
