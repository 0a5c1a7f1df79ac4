"""Page 5: training settings with sensible defaults, the device, and a measured estimate of the training time."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from miwake.core.devices import DeviceInfo, resolve_device
from miwake.core.errors import MiwakeError
from miwake.core.model_factory import COMMON_ARCHS
from miwake.training.folder_scan import FolderScan, scan_all, split_plan
from miwake.training.init_weights import STARTING_MODEL
from miwake.training.train_estimate import estimate

from ..workers import Worker, run_task
from .advice import approx_duration, failure_text, fill
from .speed_benchmark import SpeedBenchmark
from .wizard_page import MessageLabel, WizardPage

ARCHITECTURES = COMMON_ARCHS


class TrainSettingsPage(WizardPage):
    def __init__(self, wizard) -> None:
        super().__init__(wizard)
        self.data = QLabel(self)
        self.data.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.data.setWordWrap(True)
        self.init = QComboBox(self)
        self.arch = QComboBox(self)
        self.arch.setEditable(True)
        self.arch.addItems(ARCHITECTURES)
        self.mode = QComboBox(self)
        self.mode.addItem("", "crop")
        self.mode.addItem("", "resize")
        self.crop = QSpinBox(self)
        self.crop.setRange(16, 1024)
        self.crop.setSingleStep(32)
        self.crop.setSuffix(" px")
        self.epochs = QSpinBox(self)
        self.epochs.setRange(1, 200)
        self.batch = QSpinBox(self)
        self.batch.setRange(2, 512)
        self.augment = QCheckBox(self)
        for combo in (self.init, self.mode):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        self.device = QComboBox(self)
        self.device.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # the whole text, any language
        for value in ("auto", "cpu"):
            self.device.addItem("", value)
        self.labels = [QLabel(self) for _ in range(8)]
        form = QFormLayout()
        for label, w in zip(
            self.labels,
            (self.init, self.arch, self.mode, self.crop, self.epochs, self.batch, self.augment, self.device),
        ):
            form.addRow(label, w)
        self.small = QLabel(self)
        self.small.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.small.setStyleSheet("color:#6b4500")
        self.device_message = MessageLabel(self)
        self.estimate_label = QLabel(self)
        self.estimate_label.setWordWrap(True)
        self.measure_button = QPushButton(self)
        est = QHBoxLayout()
        est.addWidget(self.estimate_label, 1)
        est.addWidget(self.measure_button)
        self.message = MessageLabel(self)
        lay = QVBoxLayout(self)
        lay.addWidget(self.data)
        lay.addLayout(form)
        lay.addWidget(self.small)
        lay.addWidget(self.device_message)
        lay.addLayout(est)
        lay.addWidget(self.message)
        lay.addStretch(1)

        self.bench = SpeedBenchmark(self)
        self.bench.measured.connect(self._on_measured)
        self.bench.failed.connect(self._on_bench_failed)
        self.bench.finished.connect(self._update_estimate)
        self.device_info: DeviceInfo | None = None
        self.human: FolderScan | None = None
        self.ai: FolderScan | None = None
        self._scanner: Worker | None = None
        self._per_step: float | None = None
        self._measured_key: tuple[Any, ...] | None = None
        self._loading = False
        for w in (self.arch, self.mode, self.init, self.device):
            w.currentTextChanged.connect(lambda *_: self._on_settings_changed())
        for s in (self.crop, self.epochs, self.batch):
            s.valueChanged.connect(lambda *_: self._on_settings_changed())
        self.measure_button.clicked.connect(self.measure)
        self.retranslate_ui()

    # -- data and device ------------------------------------------------------------------------------------------
    def _scan(self) -> None:
        if self._scanner is not None:
            return
        self.human = self.ai = None
        cancel = threading.Event()
        w = Worker(scan_all, list(self.state.human), self.state.ai_folders(), cancel, cancel_event=cancel)
        w.returned.connect(self._on_scanned)
        w.finished.connect(self._on_scan_finished)
        self._scanner = w
        w.start()
        self._show_data()

    def _on_scanned(self, result: tuple[FolderScan, FolderScan] | None) -> None:
        if result is not None:
            self.human, self.ai = result
            self.wizard.human_scan = self.human

    def _on_scan_finished(self) -> None:
        self._scanner = None
        self._show_data()
        self._update_estimate()  # Measure can start now
        self.changed.emit()  # the speed test waits for Measure: it trains for up to a minute (issue #24 item 7)

    def _on_device(self, result: DeviceInfo | None, error: BaseException | None) -> None:
        self.device_info = result
        self._show_device()

    def _show_data(self) -> None:
        if self.human is None or self.ai is None:
            self.data.setText(self.tr("Counting the training images…"))
            self.small.setText("")
            return
        h, a = self.human, self.ai
        crop, mode = self.crop.value(), self.mode.currentData()
        plan = split_plan(h, a, crop, mode)  # the training job's own split: the Training page shows the same
        self.data.setText(
            fill(
                self.tr(
                    "Training data: %1 human-made images (%2 sources) and %3 AI images (%4 sources). Whole "
                    "sources are held out to validate the model on images from elsewhere: %5 training images, "
                    "%6 validation images (held out: %7)."
                ),
                h.count,
                len(h.by_source()),
                a.count,
                len(a.by_source()),
                len(plan.train),
                len(plan.val),
                ", ".join(plan.held_out_sources) or "–",
            )
        )
        small = len(plan.skipped)
        self.small.setText(
            fill(
                self.tr("%1 training images are smaller than the crop (%2 px) or unreadable and are left out."),
                small,
                crop,
            )
            if small
            else ""
        )

    def _show_device(self) -> None:
        info = self.device_info
        cpu = self.device.currentData() == "cpu"
        if info is None:
            self.device_message.show_message(lambda: self.tr("Checking the graphics card…"), "info")
        elif info.kind == "cpu" or cpu:
            name = info.name if info.kind == "cpu" else "CPU"
            self.device_message.show_message(
                lambda: fill(
                    self.tr(
                        "Training runs on the %1. This is slow: expect hours for a few thousand images. "
                        "A computer with an NVIDIA graphics card is many times faster."
                    ),
                    name,
                ),
                "warning",
            )
        else:
            self.device_message.show_message(lambda: fill(self.tr("Training runs on %1."), info.name), "ok")

    # -- estimate -------------------------------------------------------------------------------------------------
    def _key(self) -> tuple[Any, ...]:
        return (
            self.arch.currentText(),
            self.init.currentData(),
            self.mode.currentData(),
            self.crop.value(),
            self.batch.value(),
            self.device.currentData(),
        )

    def measure(self) -> None:
        if self.bench.running or self.human is None or self.ai is None:
            return
        self.store()
        self.message.clear_message()
        self._per_step = None
        self._measured_key = self._key()
        if not self.bench.start(self.state, self.human, self.ai):
            self._measured_key = None
            self.message.show_message(self._usable_problem() or (lambda: ""), "error")
        self._update_estimate()

    def _on_measured(self, per_step: float) -> None:
        self._per_step = per_step
        self._update_estimate()

    def _on_bench_failed(self, result: dict[str, Any]) -> None:
        self._measured_key = None
        if result.get("message"):
            self.message.show_message(lambda: failure_text(result, "benchmark"), "error")
        else:
            self.message.show_message(lambda: self.tr("The speed could not be measured."), "warning")
        self._update_estimate()

    def _update_estimate(self) -> None:
        self.measure_button.setEnabled(not self.bench.running and self.human is not None)
        if self.bench.running:
            self.estimate_label.setText(self.tr("Measuring the training speed on this computer (a few steps)…"))
            return
        if self._per_step is None or self.human is None or self.ai is None:
            self.estimate_label.setText(
                self.tr("No time estimate yet: Measure times a few training steps on this computer (up to a minute).")
            )
            return
        if self._key() != self._measured_key:
            self.estimate_label.setText(self.tr("The settings changed: press Measure for a new time estimate."))
            return
        crop, mode = self.crop.value(), self.mode.currentData()
        usable = len(self.human.usable(crop, mode)) + len(self.ai.usable(crop, mode))
        e = estimate(self._per_step, usable, self.batch.value(), self.epochs.value())
        self.estimate_label.setText(
            fill(
                self.tr(
                    "<b>Estimated training time: about %1</b> (%2 epochs × %3 steps; measured %4 s per step). "
                    "An estimate: the real time depends on the images and on what else the computer does."
                ),
                approx_duration(e.seconds),
                e.epochs,
                e.steps_per_epoch,
                f"{e.per_step_s:.2f}",
            )
        )

    @staticmethod
    def _new_model_starts() -> list[str]:
        """What a new model can start from here, offline: the bundled detector first (when installed)."""
        from miwake.core.registry import ModelRegistry

        try:
            ModelRegistry().get(STARTING_MODEL)
            starts = [STARTING_MODEL]
        except MiwakeError:
            starts = []
        return starts + ["imagenet", "random"]

    def _init_text(self, value: str) -> str:
        if value == "imagenet":
            return self.tr("ImageNet weights (only if already downloaded on this computer)")
        if value == "random":
            return self.tr("random weights (needs many more images)")
        if self.state.goal != "finetune":
            return fill(self.tr("the bundled detector %1 (recommended; works offline)"), value)
        return fill(self.tr("the active model %1 (fine-tuning)"), value)

    def _follow_init(self) -> None:
        """Starting from a model fixes the architecture to the model's own."""
        value = self.init.currentData() or ""
        from_model = value not in ("imagenet", "random", "")
        if from_model:
            from miwake.core.registry import ModelRegistry

            try:
                self.arch.setCurrentText(ModelRegistry().get(value).card.arch)
            except MiwakeError:
                pass
        self.arch.setEnabled(not from_model)

    def _on_settings_changed(self) -> None:
        if self._loading:
            return
        self._follow_init()
        self._show_data()
        self._show_device()
        self._update_estimate()
        self.changed.emit()

    def _usable_problem(self):
        if self.human is None or self.ai is None:
            return None
        crop, mode = self.crop.value(), self.mode.currentData()
        if len(self.human.usable(crop, mode)) < 2:
            return lambda: fill(
                self.tr("Fewer than 2 human-made images are at least %1 px: lower the crop size."), crop
            )
        if len(self.ai.usable(crop, mode)) < 2:
            return lambda: fill(self.tr("Fewer than 2 AI images are at least %1 px: lower the crop size."), crop)
        return None

    # -- page API -------------------------------------------------------------------------------------------------
    def title(self) -> str:
        return self.tr("Training settings")

    def subtitle(self) -> str:
        return self.tr("The defaults suit most cases. The estimate is measured on this computer with these settings.")

    def load(self) -> None:
        t = self.state.train
        self._loading = True
        self.init.clear()
        if self.state.goal == "finetune":
            self.init.addItem(self._init_text(t.init), t.init)
        else:
            for value in self._new_model_starts():
                self.init.addItem(self._init_text(value), value)
        self.init.setCurrentIndex(max(0, self.init.findData(t.init)))
        self.init.setEnabled(self.init.count() > 1)
        self.arch.setCurrentText(t.arch)
        self._follow_init()
        self.mode.setCurrentIndex(max(0, self.mode.findData(t.mode)))
        self.crop.setValue(t.crop)
        self.epochs.setValue(t.epochs)
        self.batch.setValue(t.batch)
        self.augment.setChecked(t.augment)
        self.device.setCurrentIndex(max(0, self.device.findData(t.device)))
        self._loading = False
        self._on_settings_changed()

    def store(self) -> None:
        t = self.state.train
        t.init = self.init.currentData() or t.init
        t.arch = self.arch.currentText().strip()
        t.mode = self.mode.currentData()
        t.crop, t.epochs, t.batch = self.crop.value(), self.epochs.value(), self.batch.value()
        t.augment = self.augment.isChecked()
        t.device = self.device.currentData()

    def enter(self, forward: bool) -> None:
        self.load()
        if self.device_info is None:
            run_task(resolve_device, "auto", on_done=self._on_device, parent=self)
        self._show_device()
        if forward or self.human is None:
            self._measured_key = None if forward else self._measured_key
            self._scan()
        self._update_estimate()

    def leave(self) -> None:
        if self.bench.running:
            self.bench.stop()

    def is_busy(self) -> bool:
        return self._scanner is not None

    def is_complete(self) -> bool:
        return self._scanner is None and self.human is not None and bool(self.arch.currentText().strip())

    def validate(self) -> bool:
        problem = self._usable_problem()
        if problem is not None:
            self.message.show_message(problem, "error")
            return False
        return True

    def stop(self) -> None:
        if self._scanner is not None:
            self._scanner.quit()
        if self.bench.running:
            self.bench.stop()

    def kill(self) -> None:
        self.stop()
        self.bench.runner.wait(15)

    def retranslate_ui(self) -> None:
        for label, text in zip(
            self.labels,
            (
                self.tr("Start from:"),
                self.tr("Architecture:"),
                self.tr("Input:"),
                self.tr("Crop size:"),
                self.tr("Epochs:"),
                self.tr("Batch size:"),
                self.tr("Augmentation:"),
                self.tr("Train on:"),
            ),
        ):
            label.setText(text)
        self.arch.setToolTip(self.tr("Any timm model name; the default is a good balance of speed and accuracy."))
        self.mode.setItemText(0, self.tr("crops at full resolution (recommended: keeps the fine traces)"))
        self.mode.setItemText(1, self.tr("whole image resized"))
        self.crop.setToolTip(self.tr("Side of the square crops the model looks at. Smaller images are left out."))
        self.batch.setToolTip(self.tr("Crops per step. Lower it if the graphics card runs out of memory."))
        self.augment.setText(self.tr("re-encode, blur and rescale training crops at random (recommended)"))
        self.augment.setToolTip(
            self.tr("Without it the model may learn file formats (PNG vs JPEG) instead of how images were made.")
        )
        self.device.setItemText(0, self.tr("automatic (the graphics card if there is one)"))
        self.device.setItemText(1, self.tr("CPU only"))
        self.measure_button.setText(self.tr("Measure"))
        if self.init.count() and self.state.train:
            for i in range(self.init.count()):
                data = self.init.itemData(i)
                self.init.setItemText(i, self._init_text(data))
        self.message.retranslate()
        self._show_data()
        self._show_device()
        self._update_estimate()
