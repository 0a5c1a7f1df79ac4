"""Runs one `training.process.JobProcess` at a time and brings its events to the GUI thread.

JobProcess calls back on its reader thread; the callback only emits a private signal, which reaches this object
in the GUI thread through a queued connection. Each event gets `received_at` (monotonic seconds, stamped on the
reader thread) for measurements. `job_finished` carries the final `JobResult` dict (a crash or a kill comes back as
a failed result, never as an exception).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from miwake.training.jobs import JobSpec
from miwake.training.process import JobProcess

log = logging.getLogger(__name__)


class JobRunner(QObject):
    event_received = Signal(dict)  # every event of the current job except the JobResult
    job_finished = Signal(dict)  # the JobResult: status finished | stopped_early | cancelled | failed
    _relay = Signal(object, object)  # (JobProcess, event) from the reader thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job: JobProcess | None = None
        self._killed: JobProcess | None = None  # the job `kill()` ended (its result is "cancelled", not a crash)
        self._alive = [True]
        self._relay.connect(self._on_relay, Qt.ConnectionType.QueuedConnection)
        self.destroyed.connect(lambda *_: self._alive.__setitem__(0, False))

    @property
    def running(self) -> bool:
        """True from `start()` until `job_finished` has been emitted."""
        return self._job is not None

    @property
    def kind(self) -> str:
        return self._job.spec.kind if self._job is not None else ""

    def start(self, spec: JobSpec) -> bool:
        """Start `spec` in a child process; False when a job is still running."""
        if self._job is not None:
            return False
        holder: list[JobProcess] = []
        relay, alive = self._relay, self._alive

        def on_event(ev: dict[str, Any]) -> None:  # reader thread
            ev["received_at"] = time.monotonic()
            if alive[0] and holder:
                try:
                    relay.emit(holder[0], ev)
                except RuntimeError:  # the runner is gone (window closed)
                    pass

        job = JobProcess(spec, on_event)
        holder.append(job)
        self._job = job
        try:
            job.start()
        except OSError as e:  # the worker executable could not be started
            log.error("Could not start the %s job: %s", spec.kind, e)
            result = {"event": "JobResult", "status": "failed", "error_kind": "crashed", "message": str(e)}
            QTimer.singleShot(0, lambda: self._on_relay(job, result))
        log.info("Started a %s job", spec.kind)
        return True

    def cancel(self, grace_s: float = 20.0) -> None:
        """Ask the job to stop at its next safe point (training saves a checkpoint); killed after `grace_s`."""
        if self._job is not None:
            self._job.cancel(grace_s)

    def kill(self) -> None:
        """End the job now (nothing to save, or its grace is over): it ends as "cancelled", not as a crash."""
        if self._job is not None:
            self._killed = self._job
            self._job.kill()

    def wait(self, timeout_s: float) -> bool:
        """Block until the child process has ended (shutdown and tests); True when it has."""
        job = self._job
        return job is None or job.wait(timeout_s)

    def _on_relay(self, job: JobProcess, ev: dict[str, Any]) -> None:
        if job is not self._job:
            return
        if ev.get("event") == "JobResult":
            self._job = None
            if self._killed is job and ev.get("status") == "failed":  # Miwake ended it on purpose
                ev = {**ev, "status": "cancelled", "error_kind": "killed", "killed": True}
            self._killed = None
            if ev.get("status") == "failed":
                log.warning(
                    "The %s job failed (%s): %s\n--- the job's last output on stderr:\n%s",
                    job.spec.kind,
                    ev.get("error_kind"),
                    ev.get("message"),
                    ev.get("stderr_tail") or "(none)",
                )
            else:
                log.info("The %s job ended: %s", job.spec.kind, ev.get("status"))
            self.job_finished.emit(ev)
        else:
            self.event_received.emit(ev)
