"""The app names the missing system libraries before Qt aborts with "Reinstalling the application may fix this"."""

from __future__ import annotations

import sys

import pytest

from miwake.gui.platform_check import XCB_LIBRARIES, platform_problem, uses_xcb


def _missing(name):
    raise OSError(f"{name}: cannot open shared object file")


def _present(name):
    return object()


def _without(*absent):
    def load(name):
        if name in absent:
            raise OSError(f"{name}: cannot open shared object file")
        return object()

    return load


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux-only")


@linux_only
def test_a_missing_libxcb_cursor_is_named_with_the_package_to_install():
    msg = platform_problem({"DISPLAY": ":0"}, load=_without("libxcb-cursor.so.0"))
    assert msg is not None and "sudo apt install libxcb-cursor0\n" in msg and "xcb-util-cursor" in msg
    assert platform_problem({"DISPLAY": ":0"}, load=_present) is None
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}, load=_missing) is None  # not xcb: not needed
    assert platform_problem({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, load=_missing) is None
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"})


@linux_only
def test_only_the_libraries_actually_missing_are_named():
    """Issue #24: without icccm and keysyms the message named libxcb-cursor0, which was installed."""
    msg = platform_problem({"DISPLAY": ":0"}, load=_without("libxcb-icccm.so.4", "libxcb-keysyms.so.1"))
    assert msg is not None
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1\n" in msg
    assert "sudo dnf install xcb-util-wm xcb-util-keysyms\n" in msg
    assert "cursor" not in msg


@linux_only
def test_every_library_qts_xcb_plugin_links_against_is_checked():
    """The table covers what PySide6's own plugin needs from the system (read from its ELF with ldd)."""
    import shutil
    import subprocess
    from pathlib import Path

    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    libs = [qt / "plugins" / "platforms" / "libqxcb.so", *sorted((qt / "lib").glob("libQt6XcbQpa.so*"))[:1]]
    if not shutil.which("ldd") or not all(p.exists() for p in libs):
        pytest.skip("no ldd or no xcb plugin in this PySide6")
    needed = set()
    for lib in libs:
        for line in subprocess.run(["ldd", str(lib)], capture_output=True, text=True).stdout.splitlines():
            name = line.strip().split(" ")[0]
            if name.startswith(("libxcb", "libX11-xcb", "libxkbcommon")):
                needed.add(name)
    assert needed and needed <= set(XCB_LIBRARIES), needed - set(XCB_LIBRARIES)


@linux_only
def test_miwake_gui_stops_before_qt_with_the_hint(monkeypatch, capsys):
    from miwake.cli import main
    from miwake.gui import platform_check

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(platform_check, "missing_xcb_libraries", lambda load=None: ["libxcb-keysyms.so.1"])
    assert main(["gui"]) == 2
    err = capsys.readouterr().err
    assert "sudo apt install libxcb-keysyms1" in err and "cursor" not in err
