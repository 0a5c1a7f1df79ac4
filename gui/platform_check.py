"""Before Qt starts on Linux: is the system library the xcb platform plugin needs there?

PySide6's xcb plugin (X11, and XWayland) needs `libxcb-cursor.so.0`, which many desktops do not install. Without
it Qt prints "Could not load the Qt platform plugin "xcb" … Reinstalling the application may fix this problem"
and aborts — advice that does not help. This check names the package instead. Qt-free on purpose: it runs
before any Qt module is imported.
"""

from __future__ import annotations

import ctypes
import os
import sys

XCB_CURSOR = "libxcb-cursor.so.0"
HINT = (
    "Miwake's window needs the system library libxcb-cursor0 (X11), which is not installed.\n"
    "Install it, then start Miwake again:\n"
    "  Debian, Ubuntu, Mint:  sudo apt install libxcb-cursor0\n"
    "  Fedora, RHEL:          sudo dnf install xcb-util-cursor\n"
    "  Arch, Manjaro:         sudo pacman -S xcb-util-cursor\n"
    "  openSUSE:              sudo zypper install libxcb-cursor0\n"
    "(On a Wayland desktop you can also start it with QT_QPA_PLATFORM=wayland.)"
)


def uses_xcb(env: dict[str, str] | None = None) -> bool:
    """Whether Qt will pick its xcb plugin: Linux, and no other platform chosen (Wayland is tried after xcb only
    when asked for, as in Qt's default order on most desktops)."""
    env = dict(os.environ if env is None else env)
    if not sys.platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def missing_xcb_library(load=ctypes.CDLL) -> bool:
    try:
        load(XCB_CURSOR)
        return False
    except OSError:
        return True


def platform_problem(env: dict[str, str] | None = None, load=ctypes.CDLL) -> str | None:
    """The message to print instead of starting Qt, or None when nothing is missing."""
    if uses_xcb(env) and missing_xcb_library(load):
        return HINT
    return None
