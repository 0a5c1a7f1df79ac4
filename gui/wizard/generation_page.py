"""Page 4: make the AI images (Stable Diffusion txt2img, then VAE reconstructions of each human-made folder), each
job in a child process, with a live preview of the images as they arrive, progress, ETA and stop/continue.

Resumable: the training API skips finished images, so "Continue" (or reopening the run) makes only what is missing.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from miwake.core.timefmt import clock_duration
from miwake.training.generate import MANIFEST_NAME
from miwake.training.jobs import GenerateJob, ReconstructJob, free_disk_bytes
from miwake.training.run_state import Stage

from ..image_reader import read_scaled
from ..workers import run_task
from .advice import disk_text, failure_text, fill
from .job_runner import JobRunner
from .preview_strip import PreviewStrip
from .wizard_page import MessageLabel, WizardPage, open_folder

log = logging.getLogger(__name__)

PREVIEW_SIDE = 224
DISK_MARGIN = 200 << 20


def _has_png(folder: Path) -> bool:
    return folder.is_dir() and next(folder.rglob("*.png"), None) is not None


class GenerationPage(WizardPage):
    def __init__(self, wizard) -> None:
        super().__init__(wizard)
        self.runner = JobRunner(self)
        self.plan = QLabel(self)
        self.plan.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.plan.setWordWrap(True)
        self.phase = QLabel(self)
        self.phase.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.phase.setStyleSheet("font-weight:bold")
        self.bar = QProgressBar(self)
        self.detail = QLabel(self)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.detail.setWordWrap(True)
        self.latest = QLabel(self)
        self.latest.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.latest.setFixedSize(PREVIEW_SIDE, PREVIEW_SIDE)
        self.latest.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.latest.setStyleSheet("background:rgba(0,0,0,0.06); border-radius:4px; color:#777")
        self.strip = PreviewStrip(self, limit=40)
        self.message = MessageLabel(self)
        self.stop_button = QPushButton(self)
        self.continue_button = QPushButton(self)
        self.offload_button = QPushButton(self)
        self.cpu_button = QPushButton(self)
        self.open_button = QPushButton(self)
        self.folder_label = QLabel(self)
        self.folder_label.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setStyleSheet("color:#555")
        buttons = QHBoxLayout()
        for b in (self.stop_button, self.continue_button, self.offload_button, self.cpu_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        right = QVBoxLayout()
        right.addWidget(self.phase)
        right.addWidget(self.bar)
        right.addWidget(self.detail)
        right.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.latest)
        top.addLayout(right, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.plan)
        lay.addLayout(top)
        lay.addWidget(self.strip)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        lay.addWidget(self.folder_label)
        lay.addStretch(1)

        self._queue: list[tuple[str, GenerateJob | ReconstructJob]] = []
        self._current = ""
        self._last_result: dict[str, Any] | None = None
        self._summaries: dict[str, dict[str, Any]] = {}
        self._preview_busy = False
        self._preview_next = ""
        self._latest_path = ""
        self._eta_text = ""
        self._status = ""  # "", running, stopping, stopped, failed, done
        self.runner.event_received.connect(self._on_event)
        self.runner.job_finished.connect(self._on_job_finished)
        self.stop_button.clicked.connect(self.stop)
        self.continue_button.clicked.connect(self.start)
        self.offload_button.clicked.connect(lambda: self._retry_with(cpu_offload=True))
        self.cpu_button.clicked.connect(lambda: self._retry_with(device="cpu"))
        self.open_button.clicked.connect(lambda: open_folder(str(self.state.folder)))
        self.retranslate_ui()
        self._update_buttons()

    # -- plan -----------------------------------------------------------------------------------------------------
    def pending_jobs(self) -> list[tuple[str, GenerateJob | ReconstructJob]]:
        return [(k, p) for k, p in self.state.generation_jobs() if k not in self.state.done_jobs]

    def has_output(self) -> bool:
        return bool(self.state.run_id) and any(_has_png(d) for d in self.state.made_folders())

    def _need_bytes(self) -> int:
        g, need = self.state.gen, DISK_MARGIN
        for key, _ in self.pending_jobs():
            if key == "generate":
                have = len(list(self.state.generated_dir.glob("gen_*.png"))) if self.state.generated_dir.is_dir() else 0
                need += max(0, g.count - have) * (g.width or 1024) * (g.height or 1024) * 2
            elif self.wizard.human_scan is not None:
                folder = os.path.join(os.path.abspath(self.state.human[int(key.split(":")[1])]), "")
                need += 3 * sum(i.size for i in self.wizard.human_scan.images if i.path.startswith(folder))
        return need

    # -- running --------------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self.runner.running:
            return
        self.message.clear_message()
        if not self.has_output():  # settings may have changed since an earlier try that made nothing
            self.state.done_jobs.clear()
        self._queue = self.pending_jobs()
        if not self._queue:
            self._all_done()
            return
        need, free = self._need_bytes(), free_disk_bytes(self.state.folder)
        if free < need:
            self._status = "failed"
            self.message.show_message(lambda: disk_text(need, free, str(self.state.folder)), "error")
            self._update_buttons()
            return
        if not _has_png(self.state.generated_dir):  # nothing made yet: settings may have changed since a failed try
            (self.state.generated_dir / MANIFEST_NAME).unlink(missing_ok=True)
        self.state.write_prompts()
        self.wizard.set_stage(Stage.GENERATING)
        self._run_next()

    def _run_next(self) -> None:
        key, job = self._queue.pop(0)
        self._current = key
        self._status = "running"
        self.bar.setRange(0, 0)
        self.detail.setText(self.tr("Starting (loading the model can take a minute)…"))
        self._show_phase()
        self.runner.start(job.spec())
        self._update_buttons()
        self.changed.emit()

    def stop(self) -> None:
        if self.runner.running:
            self._status = "stopping"
            self.detail.setText(self.tr("Stopping after the current image…"))
            self.runner.cancel()
            self._update_buttons()

    def kill(self) -> None:
        self._queue.clear()
        self.runner.kill()
        self.runner.wait(15)

    def _retry_with(self, **changes: Any) -> None:
        for k, v in changes.items():
            setattr(self.state.gen, k, v)
        self.wizard.ai_page.load()
        self.wizard.save_state()
        self.start()

    def _on_event(self, ev: dict[str, Any]) -> None:
        kind = ev.get("event")
        if kind == "GenerateStarted":
            self.bar.setRange(0, max(1, int(ev["total"])))
            self.bar.setValue(int(ev["total"]) - int(ev["todo"]))
            self._eta_text = fill(
                self.tr("Running on %1: %2 of %3 images still to make."), ev.get("device", ""), ev["todo"], ev["total"]
            )
            self.detail.setText(self._eta_text)
        elif kind == "StepProgress":
            if self._current == "generate":
                step = fill(self.tr("Image %1: denoising step %2 of %3"), int(ev["index"]) + 1, ev["step"], ev["steps"])
                self.detail.setText(f"{self._eta_text}\n{step}" if self._eta_text else step)
        elif kind == "GenerateProgress":
            self.bar.setRange(0, max(1, int(ev["total"])))
            self.bar.setValue(int(ev["done"]))
            spi = ev.get("seconds_per_image")
            self._eta_text = fill(
                self.tr("%1 of %2 images · %3 s per image · about %4 left"),
                ev["done"],
                ev["total"],
                f"{spi:.1f}" if spi else "–",
                clock_duration(ev.get("eta_s")),
            )
            self.detail.setText(self._eta_text)
            if ev.get("last_path"):
                self._show_latest(str(ev["last_path"]))

    def _on_job_finished(self, result: dict[str, Any]) -> None:
        self._last_result = result
        status = result.get("status")
        if status == "finished":
            self._summaries[self._current] = result.get("summary") or {}
            if self._current not in self.state.done_jobs:
                self.state.done_jobs.append(self._current)
            self.wizard.save_state()
            if self._queue and self._status != "stopping":
                self._run_next()
                return
            if not self._queue:
                self._all_done()
                return
        self._queue.clear()
        if status in ("cancelled", "finished"):  # finished: stopped between two jobs
            self._status = "stopped"
            self.message.show_message(
                lambda: self.tr(
                    "Stopped. The images made so far are kept; Continue makes the rest (now or after "
                    "reopening the wizard)."
                ),
                "info",
            )
        else:
            self._status = "failed"
            self.message.show_message(lambda: failure_text(result, "generate"), "error")
        self.bar.setRange(0, max(1, self.bar.maximum()))
        self._update_buttons()
        self.changed.emit()

    def _all_done(self) -> None:
        self._status = "done"
        self.wizard.set_stage(Stage.GENERATED)
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.detail.setText("")
        self._show_phase()
        made = sum(1 for d in self.state.made_folders() for _ in d.rglob("*.png"))
        self.message.show_message(
            lambda: (
                fill(self.tr("All AI images are ready: this run made %1. Next: training settings."), made)
                if self.state.generation_jobs()
                else self.tr("Nothing to generate: the AI images come from the folders you chose.")
            ),
            "ok",
        )
        self._update_buttons()
        self.changed.emit()

    # -- preview --------------------------------------------------------------------------------------------------
    def _show_latest(self, path: str) -> None:
        self.strip.push(path)
        if self._preview_busy:
            self._preview_next = path
            return
        self._preview_busy = True
        self._latest_path = path
        run_task(read_scaled, path, PREVIEW_SIDE, on_done=self._on_latest_loaded, parent=self)

    def _on_latest_loaded(self, result: QImage | None, error: BaseException | None) -> None:
        self._preview_busy = False
        if result is not None and not result.isNull():
            pm = QPixmap.fromImage(result).scaled(
                self.latest.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            self.latest.setPixmap(pm)
            self.latest.setToolTip(self._latest_path)
        nxt, self._preview_next = self._preview_next, ""
        if nxt:
            self._show_latest(nxt)

    # -- page API -------------------------------------------------------------------------------------------------
    def title(self) -> str:
        return self.tr("Making the AI images")

    def subtitle(self) -> str:
        return self.tr(
            "This can take a while (seconds per image on a graphics card, minutes on the CPU). You can stop at any "
            "time, even close Miwake: reopening the wizard continues where it stopped."
        )

    def enter(self, forward: bool) -> None:
        self.wizard.ensure_run()
        self._show_plan()
        self._show_phase()
        if not self.runner.running and forward and self._status not in ("done",):
            self.start()
        self._update_buttons()

    def is_busy(self) -> bool:
        return self.runner.running

    def is_complete(self) -> bool:
        return not self.runner.running and self._status == "done"

    def can_go_back(self) -> bool:
        return not self.runner.running and not self.has_output()

    def _show_plan(self) -> None:
        s = self.state
        parts = []
        if s.gen.enabled:
            parts.append(fill(self.tr("%1 images with Stable Diffusion"), s.gen.count))
        if s.gen.reconstruct:
            parts.append(fill(self.tr("reconstructions of the images in %1 folder(s)"), len(s.human)))
        if s.gen.existing:
            parts.append(fill(self.tr("plus %1 folder(s) of your own AI images"), len(s.gen.existing)))
        self.plan.setText(fill(self.tr("Plan: %1."), self.tr("; ").join(parts)))
        self.folder_label.setText(fill(self.tr("Images are saved in %1"), str(s.folder)) if s.run_id else "")

    def _show_phase(self) -> None:
        if self._status == "done":
            self.phase.setText(self.tr("Done"))
        elif self._current == "generate":
            self.phase.setText(self.tr("Generating images with Stable Diffusion"))
        elif self._current.startswith("reconstruct:"):
            i = int(self._current.split(":")[1])
            self.phase.setText(
                fill(
                    self.tr("Reconstructing your images (folder %1 of %2: %3)"),
                    i + 1,
                    len(self.state.human),
                    Path(self.state.human[i]).name,
                )
            )
        else:
            self.phase.setText(self.tr("Waiting to start"))

    def _update_buttons(self) -> None:
        running = self.runner.running
        self.stop_button.setVisible(running)
        self.stop_button.setEnabled(running and self._status != "stopping")
        self.continue_button.setVisible(not running and self._status in ("stopped", "failed"))
        oom = self._status == "failed" and (self._last_result or {}).get("error_kind") == "out_of_memory"
        self.offload_button.setVisible(oom and not self.state.gen.cpu_offload)
        self.cpu_button.setVisible(oom and self.state.gen.device != "cpu")
        self.open_button.setEnabled(bool(self.state.run_id))

    def retranslate_ui(self) -> None:
        self.stop_button.setText(self.tr("Stop"))
        self.continue_button.setText(self.tr("Continue"))
        self.offload_button.setText(self.tr("Retry with CPU offload"))
        self.cpu_button.setText(self.tr("Retry on the CPU"))
        self.open_button.setText(self.tr("Open folder"))
        if self.latest.pixmap() is None or self.latest.pixmap().isNull():
            self.latest.setText(self.tr("The newest image appears here"))
        self.message.retranslate()
        if self.state.run_id:
            self._show_plan()
        self._show_phase()
