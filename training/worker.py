"""Child-process entry point for long jobs: `python -m miwake.training.worker SPEC.json` (from source) or
`miwake train-worker SPEC.json` (frozen). Prints one JSON object per line on stdout — events, then a
final {"event": "JobResult", ...} — and exits 0 (finished), 3 (cancelled) or 1 (failed). SIGTERM (or
SIGINT, or a "cancel" line on stdin) asks the job to stop at its next safe point (training saves a
checkpoint first)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from miwake.core.cli import EXIT_ERROR, EXIT_FAILED, EXIT_OK
from miwake.core.textsafe import json_line

from .jobs import JobSpec, run_job

# the command line's exit codes (core.cli, README): a stopped job is 1, a failed one 4 — never 3 ("nothing to scan")
EXIT = {
    "finished": EXIT_OK,
    "stopped_early": EXIT_OK,
    "diverged": EXIT_OK,
    "cancelled": EXIT_ERROR,
    "failed": EXIT_FAILED,
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m miwake.training.worker SPEC.json", file=sys.stderr)
        return 2
    from miwake.core.logsetup import setup_logging

    setup_logging(console=True)
    logging.getLogger().handlers[-1].setLevel(logging.WARNING)
    spec = JobSpec.from_dict(json.loads(Path(args[0]).read_text(encoding="utf-8")))
    cancel = threading.Event()
    lock = threading.Lock()
    out = sys.stdout

    def emit(ev: dict[str, Any]) -> None:
        line = json_line(ev, allow_nan=False, default=str)  # lone surrogates (odd metadata, names) escaped
        with lock:
            out.write(line + "\n")
            out.flush()

    def on_signal(signum: int, frame: Any) -> None:
        cancel.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    # The cancel line is read from a duplicate of fd 0 with os.read, and sys.stdin becomes /dev/null. A thread
    # blocked in sys.stdin's readline holds that file's lock; the DataLoader's forked workers close sys.stdin
    # at start and would wait for that lock forever (training never started, and Stop could only kill it).
    stdin_fd = os.dup(0)
    sys.stdin = open(os.devnull, encoding="utf-8")

    def watch_stdin() -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(stdin_fd, 256)
            except OSError:
                return
            if not chunk:
                return
            pending += chunk
            *lines, pending = pending.split(b"\n")
            if any(line.strip() == b"cancel" for line in lines):
                cancel.set()
                return
            pending = pending[-64:]

    threading.Thread(target=watch_stdin, daemon=True, name="stdin-cancel").start()
    result = run_job(spec, emit, cancel)
    emit({"event": "JobResult", **result})
    return EXIT.get(result.get("status", "failed"), EXIT_FAILED)


if __name__ == "__main__":
    sys.exit(main())
