"""How soon the first result comes (issue #13 item 6): from launching a scan to its first scored file.

    python benchmarks/first_result.py FOLDER [--repeats 3] [--gui]

CLI: a fresh process (as `miwake scan` runs: Python start, imports, the store, the model loaded lazily)
runs the scan the CLI runs (`core.scan_setup.prepare_scan`, evidence on, an empty store) and reports,
measured from the moment the parent launched it, when the first progress and the first scored file came,
and how long loading the model took.
GUI (`--gui`): the app open (offscreen, a fresh process each time), the time from pressing Scan to the first
row in the table: pressed at once (the model loads then), and pressed 6 s after the start, as a person who
chooses a folder first (the app preloads the active model after it starts).
Use a folder of large photos (e.g. 24 MP JPEGs): decoding and tiling them is what the model load can hide.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, sys, time
t0 = float(sys.argv[1])
from miwake.core.results import ImageResult
from miwake.core.scan_setup import prepare_scan
from miwake.core.scan_events import ScanProgress
job = prepare_scan([sys.argv[2]])
first_progress = first = None
for ev in job.events():
    if isinstance(ev, ScanProgress) and first_progress is None:
        first_progress = time.time() - t0
    if isinstance(ev, ImageResult) and ev.ok:
        first = time.time() - t0
        break
print(json.dumps({"first_progress_s": first_progress, "first_result_s": first,
                  "model_load_s": getattr(job.detector, "load_seconds", None)}))
"""


def cli_once(folder: str, data_dir: str) -> dict[str, float]:
    env = {**os.environ, "MIWAKE_DATA_DIR": data_dir}
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, repr(t0), folder], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def gui_once(folder: str, wait_s: float | None) -> float:
    """The app open (offscreen); `wait_s` None: Scan pressed at once (the model loads then); else the app's
    start-up preload runs and Scan is pressed `wait_s` later (a person choosing a folder). Seconds to the first row."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["MIWAKE_DATA_DIR"] = tempfile.mkdtemp(prefix="miwake-bench-")  # an empty store: nothing reused
    from PySide6.QtWidgets import QApplication

    from miwake.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(load_last=False)
    window.show()
    if wait_s is not None:
        window.controller.preload_model(window.settings)
        t_end = time.monotonic() + wait_s
        while time.monotonic() < t_end:
            app.processEvents()
            time.sleep(0.01)
    t0 = time.perf_counter()
    window.controller.start_scan([folder], window.settings)
    while window.model.rowCount() == 0:
        app.processEvents()
        time.sleep(0.005)
    took = time.perf_counter() - t0
    window.controller.shutdown()
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--gui", action="store_true")
    ap.add_argument("--gui-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.gui_child:
        print(json.dumps(gui_once(args.folder, None if args.gui_child == "cold" else float(args.gui_child))))
        return
    folder = str(Path(args.folder).resolve())
    runs = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as data:
            runs.append(cli_once(folder, data))
    for key in ("first_progress_s", "model_load_s", "first_result_s"):
        vals = [r[key] for r in runs if r.get(key) is not None]
        if vals:
            print(
                f"cli {key:<17} median {statistics.median(vals):5.2f} s  (runs: {', '.join(f'{v:.2f}' for v in vals)})"
            )
    if args.gui:
        for mode, what in (
            ("cold", "Scan pressed at start (model loads then)"),
            ("6", "Scan pressed 6 s after start (the start-up preload)"),
        ):
            times = []
            for _ in range(args.repeats):
                out = subprocess.run(
                    [sys.executable, __file__, folder, "--gui-child", mode], capture_output=True, text=True, check=True
                )
                times.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(
                f"gui first row, {what}: median {statistics.median(times):.2f} s "
                f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
            )


if __name__ == "__main__":
    main()
