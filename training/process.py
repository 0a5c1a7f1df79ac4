"""Run a job in a child process and follow its JSON-lines events (Qt-free; the wizard wraps it).

A crash, an out-of-memory kill or a native abort in the job ends the child, never the app. `cancel()`
asks politely (a "cancel" line on stdin, and SIGTERM on POSIX) and kills the process tree if it has not stopped in time.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .jobs import JobSpec

log = logging.getLogger(__name__)


def worker_command(spec_path: str) -> list[str]:
    """`python -m miwake.training.worker SPEC` from source; frozen, the bundle's console executable (`miwake`):
    a windowed executable has no stdout on Windows, so the GUI never runs jobs through itself."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable)
        console = exe.with_name("miwake" + exe.suffix)
        return [str(console if console.exists() else exe), "train-worker", spec_path]
    return [sys.executable, "-m", "miwake.training.worker", spec_path]


class JobProcess:
    """One job in a child process. Events arrive through `on_event` on a reader thread."""

    def __init__(
        self, spec: JobSpec, on_event: Callable[[dict[str, Any]], None], *, workdir: Path | None = None
    ) -> None:
        self.spec = spec
        self.on_event = on_event
        self.result: dict[str, Any] | None = None
        self.returncode: int | None = None
        self._stderr_tail: list[str] = []
        fd, self.spec_path = tempfile.mkstemp(prefix=f"miwake-{spec.kind}-", suffix=".json", dir=workdir)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(spec.to_dict(), fh)
        self._proc: subprocess.Popen[str] | None = None
        self._done = threading.Event()

    def start(self) -> None:
        kw: dict[str, Any] = {}
        if os.name == "posix":
            kw["start_new_session"] = True  # its own process group: cancel reaches the loader workers too
        else:
            kw["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) | getattr(
                subprocess, "CREATE_NO_WINDOW", 0
            )
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self._proc = subprocess.Popen(
            worker_command(self.spec_path),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            **kw,
        )
        threading.Thread(target=self._read_stdout, daemon=True, name="job-stdout").start()
        threading.Thread(target=self._read_stderr, daemon=True, name="job-stderr").start()

    def _read_stdout(self) -> None:
        assert self._proc and self._proc.stdout
        for line in self._proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                log.info("job: %s", line)
                continue
            if ev.get("event") == "JobResult":
                self.result = ev
            try:
                self.on_event(ev)
            except Exception:
                log.exception("Job event handler failed")
        self.returncode = self._proc.wait()
        if self.result is not None and self.result.get("status") == "failed":
            self.result["stderr_tail"] = "".join(self._stderr_tail[-20:])[-2000:]
        if self.result is None:  # died without a word: a crash or a kill
            tail = "".join(self._stderr_tail[-20:]).strip()
            self.result = {
                "event": "JobResult",
                "status": "failed",
                "error_kind": "crashed",
                "message": f"The job stopped unexpectedly (exit code {self.returncode}). {tail[-800:]}",
                "stderr_tail": tail[-2000:],
            }
            try:
                self.on_event(self.result)
            except Exception:
                log.exception("Job event handler failed")
        try:
            os.unlink(self.spec_path)
        except OSError:
            pass
        self._done.set()

    def _read_stderr(self) -> None:
        assert self._proc and self._proc.stderr
        for line in self._proc.stderr:
            self._stderr_tail.append(line)
            del self._stderr_tail[:-50]
            log.debug("job stderr: %s", line.rstrip())

    @property
    def running(self) -> bool:
        return self._proc is not None and not self._done.is_set()

    def cancel(self, grace_s: float = 20.0) -> None:
        """Ask the job to stop at its next safe point; kill the process group after `grace_s`."""
        p = self._proc
        if p is None or self._done.is_set():
            return
        try:
            if p.stdin:
                p.stdin.write("cancel\n")
                p.stdin.flush()
        except OSError:
            pass
        if os.name == "posix":  # on Windows send_signal(SIGTERM) is terminate(): no checkpoint; the line above asks
            try:
                p.send_signal(signal.SIGTERM)
            except OSError:
                pass

        def reaper() -> None:
            if not self._done.wait(grace_s):
                self.kill()

        threading.Thread(target=reaper, daemon=True, name="job-reaper").start()

    def kill(self) -> None:
        p = self._proc
        if p is None or p.poll() is not None:
            return
        try:
            if os.name == "posix":
                os.killpg(p.pid, signal.SIGKILL)
            else:
                p.kill()
        except OSError:
            pass

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)
