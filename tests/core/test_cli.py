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
    # every file is reused (its result, or its error: these errors depend only on the bytes) except the empty
    # one, which is looked at again rather than looked up (there is nothing to hash)
    assert f"0 scored, {len(HOSTILE_EXPECTED) - 1} reused from earlier scans" in printed, printed


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


def _csv_of(tmp_path: Path, folder: Path) -> list[str]:
    out = tmp_path / "first.csv"
    assert main(["scan", str(folder), "-q", "--csv", str(out)]) == 0
    return out.read_text("utf-8-sig").splitlines()


def _four_scanned_images(tmp_path, tiny_bundle):
    """A folder of four images scanned once with the tiny model, and how many crops each has."""
    from tests.helpers import noise_image

    main(["models", "import", str(tiny_bundle.path)])
    folder = tmp_path / "same"
    folder.mkdir()
    for i in range(4):
        noise_image(64, 48, i).save(folder / f"{i}.png")
    assert main(["scan", str(folder), "--batch", "1", "--no-reuse", "-q"]) == 0
    return folder, int(next(csv.DictReader(_csv_of(tmp_path, folder)))["crops"])


def _interrupt_after(monkeypatch, calls: int, error: BaseException | None = None) -> None:
    """Ctrl-C (or `error`) arrives while the model runs its `calls`-th batch (as SIGINT raises in the main thread),
    whether PyTorch or ONNX Runtime runs it."""
    from miwake.core.detector import Detector
    from miwake.core.onnx_runtime import OnnxDetector

    seen = {"n": 0}
    for cls in (Detector, OnnxDetector):

        def logits(self, crops, real=cls.logits):
            seen["n"] += 1
            if seen["n"] == calls:
                raise error or KeyboardInterrupt()
            return real(self, crops)

        monkeypatch.setattr(cls, "logits", logits)


def test_a_report_path_with_a_typo_is_refused_before_any_file_is_scored(tmp_path, tiny_bundle, image_folder, capsys):
    from miwake.core import paths
    from miwake.core.store import ResultStore

    main(["models", "import", str(tiny_bundle.path)])
    for args in (
        ["--csv", str(tmp_path / "nope" / "x.csv")],
        ["--json", str(tmp_path / "nope" / "x.json")],
        ["--heatmaps", str(tmp_path / "nope" / "deeper" / "hm")],
    ):
        assert main(["scan", str(image_folder), *args]) == 2
        assert "does not exist" in capsys.readouterr().err
    with ResultStore(paths.store_path()) as store:
        assert store.last_scan() is None  # refused before the scan began
    hm = tmp_path / "new-heatmaps"  # a folder that does not exist yet, in one that does, is made
    assert main(["scan", str(image_folder), "--heatmaps", str(hm), "-q"]) == 0 and hm.is_dir()


def test_a_model_failure_mid_scan_writes_the_reports_of_what_finished_and_exits_4(
    tmp_path, tiny_bundle, monkeypatch, capsys
):
    from miwake.core import paths
    from miwake.core.store import ResultStore

    folder, crops = _four_scanned_images(tmp_path, tiny_bundle)
    _interrupt_after(monkeypatch, 2 * crops + 1, RuntimeError("CUDA error: an illegal memory access\nstack..."))
    out_csv = tmp_path / "r.csv"
    rc = main(["scan", str(folder), "--batch", "1", "--no-reuse", "--csv", str(out_csv)])
    err = capsys.readouterr().err
    assert rc == 4
    assert "the model failed: RuntimeError: CUDA error: an illegal memory access" in err and "stack" not in err
    assert "Traceback" not in err
    assert len(list(csv.DictReader(out_csv.read_text("utf-8-sig").splitlines()))) == 2
    with ResultStore(paths.store_path()) as store:
        assert store.last_scan().status == "failed"


def test_ctrl_c_stores_a_cancelled_scan_and_reports_what_finished(tmp_path, tiny_bundle, monkeypatch, capsys):
    from miwake.core import paths
    from miwake.core.store import ResultStore

    folder, crops = _four_scanned_images(tmp_path, tiny_bundle)
    _interrupt_after(monkeypatch, 2 * crops + 1)  # in the third image: two are finished
    out_csv, out_json = tmp_path / "r.csv", tmp_path / "r.json"
    rc = main(["scan", str(folder), "--batch", "1", "--no-reuse", "--csv", str(out_csv), "--json", str(out_json)])
    captured = capsys.readouterr()
    assert rc == 130
    assert "Nothing to scan" not in captured.err and "interrupted" in captured.err
    assert "[cancelled]" in captured.out
    rows = list(csv.DictReader(out_csv.read_text("utf-8-sig").splitlines()))
    assert len(rows) == 2  # what finished, not nothing
    doc = json.loads(out_json.read_text("utf-8"))
    assert doc["scan"]["cancelled"] is True and len(doc["results"]) == len(rows)
    with ResultStore(paths.store_path()) as store:
        last = store.last_scan()
    assert last is not None and last.status == "cancelled"


def test_ctrl_c_in_the_consumer_still_gives_the_summary(tmp_path, tiny_bundle, image_folder, monkeypatch, capsys):
    """Ctrl-C can also land between two events, in the CLI's own code (the progress bar)."""
    import tqdm

    main(["models", "import", str(tiny_bundle.path)])
    real_update = tqdm.tqdm.update
    seen = {"n": 0}

    def update(self, n=1):
        seen["n"] += 1
        if seen["n"] == 2:
            raise KeyboardInterrupt
        return real_update(self, n)

    monkeypatch.setattr(tqdm.tqdm, "update", update)
    out_csv = tmp_path / "r.csv"
    rc = main(["scan", str(image_folder), "--batch", "1", "--csv", str(out_csv)])
    assert rc == 130 and out_csv.exists()
    assert "[cancelled]" in capsys.readouterr().out


def test_runtime_failures_have_their_own_exit_code(tmp_path, tiny_bundle, image_folder, capsys):
    from miwake.core import paths

    main(["models", "import", str(tiny_bundle.path)])
    weights = paths.user_models_dir() / "tiny" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))  # a damaged model (checksum mismatch) is not a usage error
    rc = main(["scan", str(image_folder)])
    assert rc == 4, capsys.readouterr().err
    main(["models", "import", str(tiny_bundle.path), "--replace"])
    assert main(["scan", str(image_folder), "--device", "mps"]) == 2  # a device this machine lacks is one


def test_the_band_override_decides_scan_verdicts_and_the_report_records_it(tmp_path, tiny_bundle, image_folder):
    from miwake.core.scoring import verdict_for
    from miwake.core.settings import load_settings, save_settings

    main(["models", "import", str(tiny_bundle.path)])
    out = tmp_path / "card.json"
    assert main(["scan", str(image_folder), "-q", "--json", str(out)]) == 0
    doc = json.loads(out.read_text("utf-8"))
    assert doc["decision"]["set_by"] == "model" and doc["decision"]["unsure_band"] == list(tiny_bundle.card.unsure_band)

    probs = sorted(r["ai_probability"] for r in doc["results"])
    band = (probs[0] - 1e-6, probs[1] + 1e-6)  # lowest file: unsure or human; second lowest: unsure; rest: AI
    save_settings(load_settings().with_(unsure_band_override=band))
    out2 = tmp_path / "mine.json"
    assert main(["scan", str(image_folder), "-q", "--json", str(out2)]) == 0  # reused results, re-decided
    doc2 = json.loads(out2.read_text("utf-8"))
    assert doc2["decision"]["set_by"] == "settings" and doc2["decision"]["unsure_band"] == list(band)
    lo, hi = doc2["decision"]["unsure_band"]
    for r in doc2["results"]:  # every verdict follows from the report alone
        assert r["verdict"] == verdict_for(r["ai_probability"], (lo, hi)).value
    assert [r["verdict"] for r in doc2["results"]] != [r["verdict"] for r in doc["results"]]


def test_an_old_threshold_override_in_settings_is_kept_but_decides_nothing(tmp_path):
    from miwake.core import paths
    from miwake.core.settings import load_settings

    paths.settings_path().write_text(json.dumps({"threshold_override": 0.9, "version": 2}), encoding="utf-8")
    s = load_settings()
    assert not hasattr(s, "threshold_override") and s.extra == {"threshold_override": 0.9}


def test_the_table_ranks_metadata_ai_first_then_by_verdict_and_probability():
    import io

    from miwake.core.results import ImageResult, Reason, Verdict
    from miwake.core.scan_cli import print_table

    rows = [
        ImageResult("/u1.png", size=1, probability=0.6, verdict=Verdict.UNSURE, crops=1),
        ImageResult("/meta.png", size=1, probability=0.1, verdict=Verdict.AI, reason=Reason.METADATA, crops=1),
        ImageResult("/h.png", size=1, probability=0.2, verdict=Verdict.HUMAN, crops=1),
        ImageResult("/ai.png", size=1, probability=0.95, verdict=Verdict.AI, crops=1),
        ImageResult("/u2.png", size=1, probability=0.7, verdict=Verdict.UNSURE, crops=1),
        ImageResult("/err.png", size=1, verdict=Verdict.ERROR, error="broken"),
    ]
    out = io.StringIO()
    print_table(rows, top=2, out=out)
    lines = out.getvalue().splitlines()
    assert [ln.split()[-1] for ln in lines[1:3]] == ["/meta.png", "/ai.png"]  # metadata AI survives --top 2
    assert lines[3].split()[-1] == "/err.png" and "error" in lines[3]  # the unreadable file is named all the same
    assert lines[4] == "  ... 3 more rows (use --top 0 or --csv to see all)"
    out = io.StringIO()
    print_table(rows, top=0, out=out)
    assert [ln.split()[-1] for ln in out.getvalue().splitlines()[1:]] == [
        "/meta.png",
        "/ai.png",
        "/u2.png",
        "/u1.png",
        "/h.png",
        "/err.png",
    ]


def test_usage_mistakes_exit_2_and_say_so(tmp_path, capsys):
    assert main(["models", "import", str(tmp_path / "nothing-here")]) == 2
    assert main(["inspect", str(tmp_path / "missing.png")]) == 2
    assert (
        main(["train", "--real", str(tmp_path / "none"), "--ai", str(tmp_path / "none"), "--out", str(tmp_path / "o")])
        == 2
    )
    err = capsys.readouterr().err
    assert "no such file" in err and "No images found" in err and "Traceback" not in err


def test_metadata_with_a_lone_surrogate_reaches_every_report(tmp_path, tiny_bundle, capsys):
    """Issue #25: a NovelAI Comment holding {"prompt": "\\ud800 cat"} made --json raise UnicodeEncodeError."""
    from tests.evidence_helpers import novelai_texts, png_bytes

    main(["models", "import", str(tiny_bundle.path)])
    folder = tmp_path / "odd"
    folder.mkdir()
    texts = {**novelai_texts(), "Comment": '{"prompt": "\\ud800 cat", "steps": 28}'}
    texts.pop("Description")
    (folder / "nai.png").write_bytes(png_bytes(texts=texts))
    out_csv, out_json, hm = tmp_path / "r.csv", tmp_path / "r.json", tmp_path / "hm"
    rc = main(["scan", str(folder), "--csv", str(out_csv), "--json", str(out_json), "--heatmaps", str(hm)])
    assert rc == 0, capsys.readouterr().err
    doc = json.loads(out_json.read_text("utf-8"))
    shown = json.dumps(doc["results"][0]["evidence"])
    assert "cat" in shown and "\\\\ud800" in shown  # escaped, visibly, not dropped
    assert "nai" in out_csv.read_text("utf-8-sig") and len(list(hm.iterdir())) == 1


def test_the_training_workers_event_lines_carry_any_text():
    from miwake.core.textsafe import json_line

    line = json_line({"event": "x", "path": "/data/\udcff.png", "detail": "\ud800"})
    line.encode("utf-8")  # writable to a UTF-8 pipe
    assert json.loads(line) == {"event": "x", "path": "/data/\udcff.png", "detail": "\ud800"}


def test_a_reader_that_leaves_early_gets_no_traceback(tiny_bundle):
    """`miwake models info default | head -3` ended in a BrokenPipeError traceback."""
    main(["models", "import", str(tiny_bundle.path)])
    proc = subprocess.Popen(
        [sys.executable, "-m", "miwake", "models", "info", "tiny"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # the reader is gone before a line is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err, err
