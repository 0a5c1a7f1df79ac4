"""Page 6: the training job in a child process, with live loss and validation-AUC curves, epoch/step, ETA and
stop/continue. Stopping saves a checkpoint; "Continue" (or reopening the run) resumes from it."""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from miwake.core.discovery import discover
from miwake.core.timefmt import clock_duration
from miwake.training.checkpoint import has_checkpoint
from miwake.training.jobs import TrainJob, free_disk_bytes
from miwake.training.run_state import Stage

from .advice import disk_text, failure_text, fill
from .chart_widget import NEW_COLOR, OLD_COLOR, ChartWidget, Series
from .job_runner import JobRunner
from .wizard_page import MessageLabel, WizardPage

log = logging.getLogger(__name__)

STOP_GRACE_S = 60.0  # Stop waits this long for the step to end and the checkpoint to be saved
DISK_NEEDED = 600 << 20  # checkpoints (model, optimiser, best) and the JPEG copies of the validation images


class TrainingPage(WizardPage):
    def __init__(self, wizard) -> None:
        super().__init__(wizard)
        self.runner = JobRunner(self)
        self.phase = QLabel(self)
        self.phase.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.phase.setStyleSheet("font-weight:bold")
        self.bar = QProgressBar(self)
        self.detail = QLabel(self)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.detail.setWordWrap(True)
        self.loss_chart = ChartWidget(self)
        self.auc_chart = ChartWidget(self, y_range=(0.0, 1.0))
        charts = QHBoxLayout()
        charts.addWidget(self.loss_chart)
        charts.addWidget(self.auc_chart)
        self.message = MessageLabel(self)
        self.stop_button = QPushButton(self)
        self.continue_button = QPushButton(self)
        self.smaller_button = QPushButton(self)
        self.cpu_button = QPushButton(self)
        buttons = QHBoxLayout()
        for b in (self.stop_button, self.continue_button, self.smaller_button, self.cpu_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.phase)
        lay.addWidget(self.bar)
        lay.addWidget(self.detail)
        lay.addLayout(charts, 1)
        lay.addWidget(self.message)
        lay.addLayout(buttons)

        self.loss = Series("", NEW_COLOR)
        self.auc = Series("", NEW_COLOR, markers=True)
        self.auc_jpeg = Series("", OLD_COLOR, dashed=True, markers=True)
        self.loss_chart.set_series([self.loss])
        self.auc_chart.set_series([self.auc, self.auc_jpeg])
        self._status = ""  # running, stopping, stopped, failed, done
        self._stop_started = 0.0
        self._prepare_detail = ""  # the job's own account of its data (the same split the settings page showed)
        self._stopping_timer = QTimer(self)
        self._stopping_timer.setInterval(1000)
        self._stopping_timer.timeout.connect(self._show_stopping)
        self._last_result: dict[str, Any] | None = None
        self._resumed_from: tuple[int, int] | None = None  # (epoch, step) of the first step after a (re)start
        self.first_steps: list[tuple[int, int]] = []  # the first step of each start (tests: resumed, not restarted)
        self.runner.event_received.connect(self._on_event)
        self.runner.job_finished.connect(self._on_job_finished)
        self.stop_button.clicked.connect(self.stop)
        self.continue_button.clicked.connect(self.start)
        self.smaller_button.clicked.connect(lambda: self._restart_with(batch=max(2, self.state.train.batch // 2)))
        self.cpu_button.clicked.connect(lambda: self._restart_with(device="cpu"))
        self.retranslate_ui()
        self._update_buttons()

    @property
    def checkpoint_dir(self):
        return self.state.model_dir / "training" / "checkpoint"

    def has_checkpoint(self) -> bool:
        return bool(self.state.run_id) and has_checkpoint(self.checkpoint_dir)

    # -- running --------------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self.runner.running:
            return
        if self.wizard.other_jobs_running(self.runner):  # one job at a time: the speed test is still ending
            self.phase.setText(self.tr("Waiting for the speed measurement to end…"))
            QTimer.singleShot(200, self.start)
            return
        self.message.clear_message()
        s = self.state
        free = free_disk_bytes(s.folder)
        if free < DISK_NEEDED:
            self._fail_message(lambda: disk_text(DISK_NEEDED, free, str(s.folder)))
            return
        ai = [f for f in s.ai_folders() if next(discover([f]), None) is not None]
        if not ai and not self.has_checkpoint():
            self._fail_message(lambda: self.tr("There are no AI images to train with: go back and add some."))
            return
        self._prefill_history()
        self._resumed_from = None
        self.wizard.set_stage(Stage.TRAINING)
        self._status = "running"
        self.phase.setText(self.tr("Starting…"))
        self.bar.setRange(0, 0)
        self.detail.setText(
            self.tr("Continuing from the last checkpoint…") if self.has_checkpoint() else self.tr("Preparing the data…")
        )
        self.runner.start(TrainJob(s.train_config(), real=tuple(s.human), ai=tuple(ai)).spec())
        self._update_buttons()
        self.changed.emit()

    def stop(self) -> None:
        if self.runner.running:
            self._status = "stopping"
            self._stop_started = time.monotonic()
            self._show_stopping()
            self._stopping_timer.start()
            self.runner.cancel(grace_s=STOP_GRACE_S)
            self._update_buttons()

    def _show_stopping(self) -> None:
        if self._status != "stopping":
            self._stopping_timer.stop()
            return
        waited = int(time.monotonic() - self._stop_started)
        self.detail.setText(
            fill(
                self.tr(
                    "Stopping: the current step finishes, then a checkpoint is saved (%1 s; after %2 s the job "
                    "is ended without a new checkpoint)…"
                ),
                waited,
                int(STOP_GRACE_S),
            )
        )

    def kill(self) -> None:
        self.runner.kill()
        self.runner.wait(15)

    def _restart_with(self, **changes: Any) -> None:
        """New batch size or device: they are part of the checkpoint, so training starts again."""
        for k, v in changes.items():
            setattr(self.state.train, k, v)
        for d in (self.checkpoint_dir, self.checkpoint_dir.with_name("checkpoint.old")):
            shutil.rmtree(d, ignore_errors=True)
        (self.state.model_dir / "training" / "log.jsonl").unlink(missing_ok=True)
        self.wizard.save_state()
        self.start()

    def _fail_message(self, make) -> None:
        self._status = "failed"
        self.message.show_message(make, "error")
        self._update_buttons()
        self.changed.emit()

    # -- events ---------------------------------------------------------------------------------------------------
    def _on_event(self, ev: dict[str, Any]) -> None:
        kind = ev.get("event")
        if kind == "TrainProgress":
            phase, epoch, epochs = ev.get("phase"), int(ev["epoch"]), int(ev["epochs"])
            step, steps = int(ev["step"]), max(1, int(ev["steps"]))
            if phase == "train":
                if self._resumed_from is None:
                    self._resumed_from = (epoch, step)
                    self.first_steps.append((epoch, step))
                self.phase.setText(fill(self.tr("Training: epoch %1 of %2"), epoch, epochs))
                self.bar.setRange(0, steps)
                self.bar.setValue(step)
                loss = ev.get("loss")
                if loss is not None and _charted(step, steps):
                    self.loss.add(epoch - 1 + step / steps, float(loss))
                    self.loss_chart.update()
                speed = ev.get("crops_per_s")
                self.detail.setText(
                    fill(
                        self.tr("Step %1 of %2 · loss %3 · %4 crops/s · about %5 left"),
                        step,
                        steps,
                        f"{loss:.3f}" if loss is not None else "–",
                        f"{speed:.1f}" if speed else "–",
                        clock_duration(ev.get("eta_s")),
                    )
                )
            elif phase == "validate":
                self.phase.setText(
                    fill(self.tr("Validating epoch %1 of %2"), epoch, epochs)
                    if epoch
                    else self.tr("Checking the model you start from on the validation images…")
                )
                self.bar.setRange(0, steps)
                self.bar.setValue(step)
            elif phase == "evaluate":
                self.phase.setText(self.tr("Final validation with the best epoch"))
                self.bar.setRange(0, steps)
                self.bar.setValue(step)
                self.detail.setText("")
            elif phase == "prepare":
                self._prepare_detail = str(ev.get("detail") or "")
                self.detail.setText(self._prepare_detail)
        elif kind == "EpochEnd":
            self._add_epoch(ev)

    def _add_epoch(self, ev: dict[str, Any]) -> None:
        e = float(ev["epoch"])
        for series, key in ((self.auc, "val_auc"), (self.auc_jpeg, "val_auc_jpeg90")):
            v = ev.get(key)
            if v is not None and math.isfinite(float(v)):  # epoch 0 of a fine-tune: the model it starts from
                series.add(e, float(v))
        self.auc_chart.update()

    def _prefill_history(self) -> None:
        """Earlier epochs of a resumed run, from the trainer's log."""
        self.loss.points.clear()
        self.auc.points.clear()
        self.auc_jpeg.points.clear()
        log_path = self.state.model_dir / "training" / "log.jsonl"
        if self.has_checkpoint() and log_path.is_file():
            for line in log_path.read_text(encoding="utf-8").splitlines():
                try:
                    ev = json.loads(line)
                except ValueError:
                    continue
                if ev.get("event") == "loss":  # the same points the live chart drew
                    step, steps = int(ev["step"]), max(1, int(ev["steps"]))
                    if _charted(step, steps):
                        self.loss.add(int(ev["epoch"]) - 1 + step / steps, float(ev["loss"]))
                elif ev.get("event") == "epoch":
                    self._add_epoch(ev)
        self.loss_chart.update()
        self.auc_chart.update()

    def _on_job_finished(self, result: dict[str, Any]) -> None:
        self._last_result = result
        status = result.get("status")
        if status in ("finished", "stopped_early", "diverged"):  # a model was written: on to the results
            self.state.bundle_path = str(result.get("bundle_path") or self.state.model_dir)
            self.state.report_path = str(result.get("report_path") or "")
            self._status = "done"
            self.wizard.set_stage(Stage.TRAINED)
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
            if status == "diverged":
                self.phase.setText(self.tr("Training went wrong: the loss ran away"))
                self.message.show_message(
                    lambda: self.tr(
                        "Training diverged (the loss grew instead of falling), so it was stopped. The "
                        "result keeps the best weights before that — for a fine-tune, usually the model "
                        "you started from. Try fewer epochs or a lower learning rate; the results page "
                        "compares it."
                    ),
                    "warning",
                )
            else:
                self.phase.setText(self.tr("Training finished"))
                self.message.show_message(
                    (
                        lambda: self.tr(
                            "Finished early: the validation AUC stopped improving, so more epochs would not "
                            "have helped. Next: the results."
                        )
                    )
                    if status == "stopped_early"
                    else (lambda: self.tr("Finished. Next: the results.")),
                    "ok",
                )
        elif status == "cancelled" or (self._status == "stopping" and result.get("error_kind") == "crashed"):
            late = status != "cancelled"  # the grace period ran out: ended without a new checkpoint
            self._status = "stopped"
            self._stopping_timer.stop()
            self.detail.setText("")
            self.phase.setText(self.tr("Stopped"))  # not "epoch 3 of 5" over a full bar
            self.bar.setRange(0, 1)
            self.bar.setValue(0)
            if late:
                self.message.show_message(
                    lambda: fill(
                        self.tr(
                            "Stopped without a new checkpoint: the current step did not finish within "
                            "%1 s. Continue resumes from the last saved checkpoint."
                        ),
                        int(STOP_GRACE_S),
                    ),
                    "warning",
                )
                self._update_buttons()
                self.changed.emit()
                return
            self.message.show_message(
                lambda: self.tr(
                    "Stopped. Continue resumes from the last checkpoint (now or after reopening the wizard)."
                ),
                "info",
            )
        else:
            self.bar.setRange(0, 1)
            self._fail_message(lambda: failure_text(result, "train"))
            return
        self._update_buttons()
        self.changed.emit()

    # -- page API -------------------------------------------------------------------------------------------------
    def title(self) -> str:
        return self.tr("Training")

    def subtitle(self) -> str:
        return self.tr(
            "The model learns from your images; after each epoch it is checked on sources it has not seen. You can "
            "stop at any time, even close Miwake: the training continues from its last checkpoint."
        )

    def enter(self, forward: bool) -> None:
        if self.state.stage is Stage.TRAINED:
            self._status = "done"
        elif forward and not self.runner.running and self._status != "done":
            self.start()
        self._update_buttons()

    def is_busy(self) -> bool:
        return self.runner.running

    def is_complete(self) -> bool:
        return self._status == "done" and not self.runner.running

    def can_go_back(self) -> bool:
        return not self.runner.running and not self.has_checkpoint() and self.state.stage is not Stage.TRAINED

    def _update_buttons(self) -> None:
        running = self.runner.running
        self.stop_button.setVisible(running)
        self.stop_button.setEnabled(self._status == "running")
        self.continue_button.setVisible(not running and self._status in ("stopped", "failed"))
        oom = self._status == "failed" and (self._last_result or {}).get("error_kind") == "out_of_memory"
        self.smaller_button.setVisible(oom and self.state.train.batch > 2)
        self.smaller_button.setText(
            fill(self.tr("Retry with batch size %1 (starts again)"), max(2, self.state.train.batch // 2))
        )
        self.cpu_button.setVisible(oom and self.state.train.device != "cpu")

    def retranslate_ui(self) -> None:
        self.loss.name = self.tr("training loss")
        self.auc.name = self.tr("as the files are")
        self.auc_jpeg.name = self.tr("re-encoded as JPEG")
        self.loss_chart.set_labels(
            self.tr("Training loss"),
            self.tr("epoch"),
            self.tr("loss"),
            self.tr("The loss appears after the first steps"),
        )
        self.auc_chart.set_labels(
            self.tr("Validation AUC (1.0 = perfect)"),
            self.tr("epoch"),
            self.tr("AUC"),
            self.tr("Appears after each epoch"),
        )
        self.stop_button.setText(self.tr("Stop"))
        self.continue_button.setText(self.tr("Continue"))
        self.cpu_button.setText(self.tr("Retry on the CPU (starts again)"))
        self._update_buttons()
        self.message.retranslate()


def _charted(step: int, steps: int) -> bool:
    """Whether a step's loss is drawn: an epoch's first steps are noisy, so they are left out (live and resumed)."""
    return step > min(4, steps // 4) or steps <= 4
