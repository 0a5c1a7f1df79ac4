"""PyInstaller entry point of the `miwake` console executable (the CLI, `--self-test` and `train-worker`)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # spawned DataLoader workers on Windows/macOS re-enter here
    from miwake.cli import main

    sys.exit(main())
