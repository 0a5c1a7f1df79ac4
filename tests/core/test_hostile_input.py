"""Hostile and exotic input (issue #16): nothing runs, nothing hangs, bad input is never "internal".

Every hostile file here is made by the test; nothing is downloaded.
"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from miwake.core.errors import ImageReadError
from miwake.core.imaging import decode_image
from miwake.core.results import ErrorKind
from tests.helpers import noise_image

EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nnewpath 0 0 moveto 10 10 lineto stroke showpage\n%%EOF\n"


@pytest.fixture
def no_programs(monkeypatch):
    """Fail the test if anything starts an external program (Pillow's EPS plugin runs Ghostscript)."""
    started: list[object] = []

    def refuse(*args, **kwargs):
        started.append(args)
        raise AssertionError(f"an external program was started: {args[:1]}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(subprocess, "check_call", refuse)
    monkeypatch.setattr(subprocess, "run", refuse)
    return started


def test_postscript_disguised_as_an_image_is_never_handed_to_a_program(tmp_path, no_programs):
    from miwake.core.evidence import read_evidence

    for name in ("drawing.jpg", "drawing.png", "drawing.tif"):
        p = tmp_path / name
        p.write_bytes(EPS)
        with pytest.raises(ImageReadError) as e:
            decode_image(p)
        assert e.value.kind == ErrorKind.NOT_IMAGE
        read_evidence(p)  # the evidence readers open the file too
    assert no_programs == []


def test_inspect_without_model_does_not_run_ghostscript(tmp_path, no_programs, capsys):
    from miwake.cli import main

    p = tmp_path / "x.jpg"
    p.write_bytes(EPS)
    main(["inspect", str(p), "--no-model"])
    assert no_programs == []


def _tiff_with_ifds(n: int) -> bytes:
    """A valid 1x1 8-bit greyscale TIFF whose IFD chain is `n` long (all frames share one strip)."""
    entries = [
        (256, 3, 1, 1),
        (257, 3, 1, 1),
        (258, 3, 1, 8),
        (259, 3, 1, 1),
        (262, 3, 1, 1),
        (273, 4, 1, 8),
        (278, 3, 1, 1),
        (279, 4, 1, 1),
    ]
    ifd_size = 2 + 12 * len(entries) + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", 9) + b"\x80")  # header, first IFD at 9, the strip byte at 8
    for i in range(n):
        out += struct.pack("<H", len(entries))
        for tag, typ, count, value in entries:
            out += struct.pack("<HHI", tag, typ, count) + (
                struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value)
            )
        out += struct.pack("<I", 9 + (i + 1) * ifd_size if i + 1 < n else 0)
    return bytes(out)


def test_a_tiff_with_a_huge_ifd_chain_is_not_walked(tmp_path, monkeypatch):
    from PIL import TiffImagePlugin

    p = tmp_path / "chain.tif"
    p.write_bytes(_tiff_with_ifds(20_000))

    def walked(self):
        raise AssertionError("n_frames walks the whole IFD chain")

    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "n_frames", property(walked))
    img = decode_image(p)
    assert (img.width, img.height) == (1, 1)


def test_decoder_crashes_on_damaged_files_are_corrupt_not_internal(tmp_path, monkeypatch):
    noise_image(20, 20).save(tmp_path / "a.tif")
    for exc, kind in (
        (TypeError("Missing dimensions"), ErrorKind.CORRUPT),
        (RuntimeError("avif decode"), ErrorKind.CORRUPT),
        (NotImplementedError("DX10 variant"), ErrorKind.UNSUPPORTED),
        (KeyError(99), ErrorKind.CORRUPT),
    ):

        def load(self, exc=exc):
            raise exc

        monkeypatch.setattr(Image.Image, "load", load)
        with pytest.raises(ImageReadError) as e:
            decode_image(tmp_path / "a.tif")
        assert e.value.kind == kind
    monkeypatch.undo()


def test_a_png_with_a_large_comfyui_workflow_decodes(tmp_path):
    import json
    import random

    rnd = random.Random(0)
    nodes = {
        str(i): {"class_type": "KSampler", "inputs": {"seed": rnd.getrandbits(60), "text": "x" * rnd.randint(50, 400)}}
        for i in range(9000)
    }
    text = json.dumps({"prompt": nodes})
    assert len(text) > 1_500_000
    info = PngImagePlugin.PngInfo()
    info.add_text("workflow", text, zip=True)
    p = tmp_path / "comfy.png"
    noise_image(64, 64).save(p, pnginfo=info)
    img = decode_image(p)
    assert img.width == 64


# -- names, terminals, odd paths ----------------------------------------------------------------------------------
def test_terminal_output_escapes_control_characters_and_undecodable_bytes():
    from miwake.core.textsafe import for_terminal, json_text

    assert for_terminal("a\x1b]0;owned\x07b\x1b[2Jc\rd") == "a\\x1b]0;owned\\x07b\\x1b[2Jc\\rd"
    assert for_terminal("caf\udce9.png") == "caf\\xe9.png"
    assert for_terminal("日本語\u0085") == "日本語\\x85"
    assert for_terminal("two\nlines\x1b", keep_newlines=True) == "two\nlines\\x1b"
    import json

    assert json.loads(json_text({"p": "caf\udce9"})) == {"p": "caf\udce9"}


def test_inspect_prints_metadata_without_raw_escape_sequences(tmp_path, capsys):
    from miwake.cli import main

    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a cat\x1b]0;pwned\x07\x1b[2J\nSteps: 20, Sampler: Euler, Seed: 1, Model: sd15")
    p = tmp_path / "esc\x1b[31m.png"
    noise_image(32, 32).save(p, pnginfo=info)
    main(["inspect", str(p), "--no-model"])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b" in out


def test_a_file_name_that_is_not_utf8_is_scanned_stored_and_reported(tmp_path, tiny_bundle, capsys):
    import csv
    import json
    import os

    from miwake.cli import main

    d = tmp_path / "odd"
    d.mkdir()
    noise_image(40, 40, 1).save(d / "good.png")
    bad = os.fsdecode(os.fsencode(str(d)) + b"/caf\xe9.png")  # Latin-1 bytes: not UTF-8
    noise_image(40, 40, 2).save(bad, format="PNG")
    main(["models", "import", str(tiny_bundle.path)])
    out_csv, out_json = tmp_path / "r.csv", tmp_path / "r.json"
    assert main(["scan", str(d), "--csv", str(out_csv), "--json", str(out_json)]) == 0
    rows = list(csv.DictReader(out_csv.read_text("utf-8-sig").splitlines()))
    assert sorted(Path(r["path"]).name for r in rows) == ["caf\\xe9.png", "good.png"]
    assert all(r["verdict"] != "error" for r in rows)
    doc = json.loads(out_json.read_text("utf-8"))
    assert len(doc["results"]) == 2
    assert "caf\\xe9.png" in capsys.readouterr().out
    assert main(["scan", str(d), "-q"]) == 0  # the rescan finds the stored row (exact bytes)
    assert "2 reused" in capsys.readouterr().out


def test_a_fifo_on_the_command_line_gets_a_row_without_being_opened(tmp_path, tiny_bundle, capsys):
    import os

    from miwake.cli import main

    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    noise_image(40, 40, 1).save(tmp_path / "ok.png")
    main(["models", "import", str(tiny_bundle.path)])
    out = tmp_path / "r.json"
    assert main(["scan", str(fifo), str(tmp_path / "ok.png"), "--json", str(out)]) == 0  # would block forever
    import json

    kinds = {Path(r["path"]).name: r["error_kind"] for r in json.loads(out.read_text("utf-8"))["results"]}
    assert kinds == {"pipe.png": "unsupported", "ok.png": None}


def _lock(monkeypatch, folder: Path) -> None:
    """Make `folder` unreadable, also for root (which ignores chmod): stat/scandir/open below it are refused."""
    import builtins
    import os

    folder.chmod(0)
    if not os.access(folder, os.R_OK):
        return
    real_stat, real_scandir, real_open = os.stat, os.scandir, builtins.open

    def inside(p) -> bool:
        try:
            return str(folder) in os.fsdecode(p) if not isinstance(p, int) else False
        except TypeError:
            return False

    def deny(p):
        raise PermissionError(13, "Permission denied", os.fsdecode(p))

    monkeypatch.setattr(
        os, "stat", lambda p, *a, **k: deny(p) if inside(p) and os.fsdecode(p) != str(folder) else real_stat(p, *a, **k)
    )
    monkeypatch.setattr(os, "scandir", lambda p=".": deny(p) if inside(p) else real_scandir(p))
    monkeypatch.setattr(builtins, "open", lambda p, *a, **k: deny(p) if inside(p) else real_open(p, *a, **k))


def test_symlink_loops_and_unreadable_folders_on_the_command_line_become_rows(tmp_path, tiny_bundle, monkeypatch):
    import json

    from miwake.cli import main

    loop = tmp_path / "loop.png"
    loop.symlink_to(loop)
    locked = tmp_path / "locked"
    locked.mkdir()
    noise_image(40, 40, 1).save(locked / "inside.png")
    main(["models", "import", str(tiny_bundle.path)])
    _lock(monkeypatch, locked)
    try:
        out = tmp_path / "r.json"
        assert main(["scan", str(loop), str(locked / "inside.png"), "--json", str(out)]) == 0
        kinds = {Path(r["path"]).name: r["error_kind"] for r in json.loads(out.read_text("utf-8"))["results"]}
        assert kinds == {"loop.png": "not_found", "inside.png": "permission"}
    finally:
        monkeypatch.undo()
        locked.chmod(0o755)


def test_a_symlink_loop_alone_on_the_command_line_is_reported(tmp_path, tiny_bundle, capsys):
    import json

    from miwake.cli import main

    loop = tmp_path / "loop.png"
    loop.symlink_to(loop)
    main(["models", "import", str(tiny_bundle.path)])
    out = tmp_path / "r.json"
    assert main(["scan", str(loop), "--json", str(out)]) == 0
    assert json.loads(out.read_text("utf-8"))["results"][0]["error_kind"] == "not_found"


def test_metadata_ai_with_undecodable_pixels_reads_the_same_in_table_and_csv():
    from miwake.core.results import EvidenceItem, ImageResult, Reason, Verdict
    from miwake.core.scan_cli import verdict_label

    r = ImageResult(
        "/x.png",
        size=5,
        verdict=Verdict.AI,
        reason=Reason.METADATA,
        error_kind=ErrorKind.CORRUPT,
        error="bad",
        evidence=(EvidenceItem("c2pa", "trainedAlgorithmicMedia", True),),
    )
    assert verdict_label(r).startswith("AI (metadata")


def test_skipped_folders_are_reported_once(tmp_path, tiny_bundle, capsys, monkeypatch):
    from miwake.cli import main

    d = tmp_path / "d"
    (d / "locked").mkdir(parents=True)
    noise_image(40, 40, 1).save(d / "a.png")
    main(["models", "import", str(tiny_bundle.path)])
    capsys.readouterr()
    _lock(monkeypatch, d / "locked")
    try:
        assert main(["scan", str(d), "-q"]) == 0
        assert capsys.readouterr().err.count("locked") == 1
    finally:
        monkeypatch.undo()
        (d / "locked").chmod(0o755)


def test_library_warnings_and_tracebacks_stay_out_of_the_console(tmp_path, capsys):
    import logging

    from miwake.core import logsetup

    monkey_root = logging.getLogger()
    before = list(monkey_root.handlers)
    logsetup._configured = False
    try:
        logsetup.setup_logging()
        logging.getLogger("PIL.TiffImagePlugin").error("libtiff says: odd tag")
        logging.getLogger("py.warnings").warning("Pillow: something about a file")  # where captured warnings go
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("miwake.core.scanner").exception("Unexpected error while reading x")
        err = capsys.readouterr().err
        assert "odd tag" not in err and "something about a file" not in err
        assert "Unexpected error while reading x (details in the log file)" in err and "Traceback" not in err
        log_text = (Path(logsetup.paths.log_dir()) / "miwake.log").read_text("utf-8")
        assert "odd tag" in log_text and "Traceback" in log_text
    finally:
        for h in monkey_root.handlers[len(before) :]:
            monkey_root.removeHandler(h)
        logging.captureWarnings(False)
        logsetup._configured = True
