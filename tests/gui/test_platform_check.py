"""The app names the missing system library before Qt aborts with "Reinstalling the application may fix this"."""

from __future__ import annotations

import sys

import pytest

from miwake.gui.platform_check import HINT, platform_problem, uses_xcb


def _missing(name):
    raise OSError(f"{name}: cannot open shared object file")


def _present(name):
    return object()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux-only")
def test_a_missing_libxcb_cursor_is_named_with_the_package_to_install():
    assert platform_problem({"DISPLAY": ":0"}, load=_missing) == HINT
    assert "libxcb-cursor0" in HINT and "apt install" in HINT
    assert platform_problem({"DISPLAY": ":0"}, load=_present) is None
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}, load=_missing) is None  # not xcb: not needed
    assert platform_problem({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, load=_missing) is None
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"})


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux-only")
def test_miwake_gui_stops_before_qt_with_the_hint(monkeypatch, capsys):
    from miwake.cli import main
    from miwake.gui import platform_check

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(platform_check, "missing_xcb_library", lambda load=None: True)
    assert main(["gui"]) == 2
    assert "sudo apt install libxcb-cursor0" in capsys.readouterr().err
