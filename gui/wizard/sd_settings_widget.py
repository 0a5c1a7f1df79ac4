"""Stable Diffusion settings: count, size, steps, guidance, seed, device, CPU offload, batch."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from miwake.training.run_state import GenerationSettings

SIZES = ("default", "512x512", "768x768", "1024x1024", "512x768", "768x512", "custom")


class SdSettingsWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count = QSpinBox(self)
        self.count.setRange(1, 100_000)
        self.count.setValue(500)
        self.count.setSingleStep(50)
        self.size = QComboBox(self)
        for key in SIZES:
            self.size.addItem("", key)
        self.width_spin = QSpinBox(self)
        self.height_spin = QSpinBox(self)
        for s in (self.width_spin, self.height_spin):
            s.setRange(64, 2048)
            s.setSingleStep(64)
            s.setValue(512)
            s.setSuffix(" px")
        size_row = QHBoxLayout()
        size_row.addWidget(self.size, 1)
        size_row.addWidget(self.width_spin)
        self.times = QLabel("×", self)
        size_row.addWidget(self.times)
        size_row.addWidget(self.height_spin)
        self.steps = QSpinBox(self)
        self.steps.setRange(1, 200)
        self.steps.setValue(30)
        self.guidance = QDoubleSpinBox(self)
        self.guidance.setRange(0.0, 30.0)
        self.guidance.setSingleStep(0.5)
        self.guidance.setDecimals(1)
        self.guidance.setValue(0.0)
        self.seed = QSpinBox(self)
        self.seed.setRange(0, 2_000_000_000)
        self.device = QComboBox(self)
        for value in ("auto", "cpu"):
            self.device.addItem("", value)
        self.cpu_offload = QCheckBox(self)
        self.batch = QSpinBox(self)
        self.batch.setRange(1, 16)
        for combo in (self.size, self.device):  # long item texts must not widen the page
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)

        self.labels = [QLabel(self) for _ in range(8)]
        left, right = QFormLayout(), QFormLayout()
        fields = (self.count, size_row, self.steps, self.guidance, self.seed, self.device, self.cpu_offload, self.batch)
        for i, (label, field) in enumerate(zip(self.labels, fields)):
            (left if i < 4 else right).addRow(label, field)
        columns = QHBoxLayout(self)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 1)
        columns.addSpacing(16)
        columns.addLayout(right, 1)
        self.size.currentIndexChanged.connect(lambda *_: self._update_custom())
        self._update_custom()
        self.retranslate_ui()

    def _update_custom(self) -> None:
        custom = self.size.currentData() == "custom"
        for w in (self.width_spin, self.height_spin, self.times):
            w.setVisible(custom)

    def image_size(self) -> tuple[int | None, int | None]:
        key = self.size.currentData()
        if key == "custom":
            return self.width_spin.value(), self.height_spin.value()
        if key == "default":
            return None, None
        w, h = key.split("x")
        return int(w), int(h)

    def problem(self) -> Callable[[], str] | None:
        w, h = self.image_size()
        if w is not None and (w % 8 or (h or 0) % 8):
            return lambda: self.tr("Width and height must be multiples of 8.")
        return None

    def load(self, g: GenerationSettings) -> None:
        self.count.setValue(g.count)
        i = self.size.findData(f"{g.width}x{g.height}" if g.width and g.height else "default")
        if i < 0:
            i = self.size.findData("custom")
            self.width_spin.setValue(g.width or 512)
            self.height_spin.setValue(g.height or 512)
        self.size.setCurrentIndex(i)
        self.steps.setValue(g.steps)
        self.guidance.setValue(g.guidance or 0.0)
        self.seed.setValue(g.seed)
        self.device.setCurrentIndex(max(0, self.device.findData(g.device)))
        self.cpu_offload.setChecked(g.cpu_offload)
        self.batch.setValue(g.batch)

    def store(self, g: GenerationSettings) -> None:
        g.count = self.count.value()
        g.width, g.height = self.image_size()
        g.steps = self.steps.value()
        g.guidance = self.guidance.value() or None
        g.seed = self.seed.value()
        g.device = self.device.currentData()
        g.cpu_offload = self.cpu_offload.isChecked()
        g.batch = self.batch.value()

    def retranslate_ui(self) -> None:
        texts = (
            self.tr("Images to make:"),
            self.tr("Size:"),
            self.tr("Denoising steps:"),
            self.tr("Guidance:"),
            self.tr("Seed:"),
            self.tr("Run on:"),
            self.tr("Memory:"),
            self.tr("Images per batch:"),
        )
        for label, text in zip(self.labels, texts):
            label.setText(text)
        for i in range(self.size.count()):
            key = self.size.itemData(i)
            if key == "default":
                self.size.setItemText(i, self.tr("the model's own (512, 768 or 1024 px)"))
            elif key == "custom":
                self.size.setItemText(i, self.tr("custom"))
            else:
                self.size.setItemText(i, key.replace("x", " × ") + " px")
        self.guidance.setSpecialValueText(self.tr("model default (7.5; SDXL 5)"))
        self.device.setItemText(0, self.tr("automatic (GPU if any)"))  # short: the field is half a column wide
        self.device.setItemText(1, self.tr("CPU only (very slow)"))
        self.cpu_offload.setText(self.tr("CPU offload"))
        self.cpu_offload.setToolTip(
            self.tr("For graphics cards with little memory: slower, needs far less GPU memory.")
        )
        self.count.setToolTip(
            self.tr("About as many as your human-made images. A stopped run continues where it stopped.")
        )
        self.seed.setToolTip(self.tr("Image i uses seed + i, so the same settings make the same images."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
