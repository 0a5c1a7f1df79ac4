"""Before Qt starts on Linux: are the system libraries that Qt's xcb platform plugin needs there?

PySide6's xcb plugin (X11, and XWayland) links against a dozen small X libraries that the wheel does not carry
(`libxcb-cursor0`, `libxcb-icccm4`, `libxcb-keysyms1` … — Qt's "Linux/X11 requirements"), and many desktops
lack one or two of them. Without them Qt prints "Could not load the Qt platform plugin "xcb" … Reinstalling the
application may fix this problem" and aborts — advice that does not help. This check loads each of them and
names the packages of exactly those that are missing. Qt-free on purpose: it runs before any Qt module is imported.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

# soname -> package on (Debian/Ubuntu, Fedora/RHEL, Arch, openSUSE): what Qt 6's libqxcb.so and libQt6XcbQpa need
# from the system (read with `ldd` from PySide6's plugin; the OpenGL, fontconfig and glib libraries every desktop
# has are left out)
XCB_LIBRARIES: dict[str, tuple[str, str, str, str]] = {
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb", "libxcb1"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11", "libX11-xcb1"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor", "libxcb-cursor0"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm", "libxcb-icccm4"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image", "libxcb-image0"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms", "libxcb-keysyms1"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb", "libxcb", "libxcb-randr0"),
    "libxcb-render-util.so.0": (
        "libxcb-render-util0",
        "xcb-util-renderutil",
        "xcb-util-renderutil",
        "libxcb-render-util0",
    ),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb", "libxcb", "libxcb-render0"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb", "libxcb", "libxcb-shape0"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb", "libxcb", "libxcb-shm0"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb", "libxcb", "libxcb-sync1"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util", "xcb-util", "libxcb-util1"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb", "libxcb", "libxcb-xfixes0"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb", "libxcb", "libxcb-xkb1"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon", "libxkbcommon0"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11", "libxkbcommon-x11-0"),
}
XCB_CURSOR = "libxcb-cursor.so.0"  # the one most often missing


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


def missing_xcb_libraries(load: Callable[[str], object] = ctypes.CDLL) -> list[str]:
    """The sonames of `XCB_LIBRARIES` that cannot be loaded here."""
    missing = []
    for soname in XCB_LIBRARIES:
        try:
            load(soname)
        except OSError:
            missing.append(soname)
    return missing


def hint(missing: list[str]) -> str:
    """What to say for these missing libraries: their names and the command that installs them, per distribution."""

    def packages(i: int) -> str:
        return " ".join(dict.fromkeys(XCB_LIBRARIES[s][i] for s in missing))

    names = ", ".join(missing)
    return (
        f"Miwake's window needs system libraries that are not installed: {names} (X11).\n"
        "Install them, then start Miwake again:\n"
        f"  Debian, Ubuntu, Mint:  sudo apt install {packages(0)}\n"
        f"  Fedora, RHEL:          sudo dnf install {packages(1)}\n"
        f"  Arch, Manjaro:         sudo pacman -S {packages(2)}\n"
        f"  openSUSE:              sudo zypper install {packages(3)}\n"
        "(On a Wayland desktop you can also start it with QT_QPA_PLATFORM=wayland.)"
    )


# what to say when Qt itself failed to open its platform plugin and nothing above was found missing
HINT = hint(list(XCB_LIBRARIES))


def platform_problem(env: dict[str, str] | None = None, load: Callable[[str], object] = ctypes.CDLL) -> str | None:
    """The message to print instead of starting Qt, or None when nothing is missing."""
    if not uses_xcb(env):
        return None
    missing = missing_xcb_libraries(load)
    return hint(missing) if missing else None
