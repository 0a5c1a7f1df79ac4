"""PyInstaller entry point of the `miwake-gui` windowed executable (the desktop app)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from miwake.cli import gui_main

    sys.exit(gui_main())
