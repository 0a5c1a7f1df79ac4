"""Child-process entry point for long jobs: `python -m training.worker SPEC.json` (from source) or
`miwake train-worker SPEC.json` (frozen). Prints one JSON object per line on stdout — events, then a
final {"event": "JobResult", ...} — and exits 0 (finished), 3 (cancelled) or 1 (failed). SIGTERM (or
SIGINT, or a "cancel" line on stdin) asks the job to stop at its next safe point (training saves a
checkpoint first)."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from .jobs import JobSpec, run_job

EXIT = {"finished": 0, "stopped_early": 0, "cancelled": 3, "failed": 1}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m training.worker SPEC.json", file=sys.stderr)
        return 2
    from core.logsetup import setup_logging

    setup_logging(console=True)
    logging.getLogger().handlers[-1].setLevel(logging.WARNING)
    spec = JobSpec.from_dict(json.loads(Path(args[0]).read_text(encoding="utf-8")))
    cancel = threading.Event()
    lock = threading.Lock()
    out = sys.stdout

    def emit(ev: dict[str, Any]) -> None:
        line = json.dumps(ev, ensure_ascii=False, allow_nan=False, default=str)
        with lock:
            out.write(line + "\n")
            out.flush()

    def on_signal(signum: int, frame: Any) -> None:
        cancel.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def watch_stdin() -> None:
        for line in sys.stdin:
            if line.strip() == "cancel":
                cancel.set()
                return

    threading.Thread(target=watch_stdin, daemon=True, name="stdin-cancel").start()
    result = run_job(spec, emit, cancel)
    emit({"event": "JobResult", **result})
    return EXIT.get(result.get("status", "failed"), 1)


if __name__ == "__main__":
    sys.exit(main())
