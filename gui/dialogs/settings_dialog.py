"""Settings, saved through `core.settings` (shared with the CLI): device, decision band, tiling, language."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QShowEvent, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from miwake.core.settings import CPU_RUNTIMES, Settings, load_settings, save_settings

from .. import i18n
from ..error_hooks import describe_error
from ..workers import run_task

log = logging.getLogger(__name__)


def probe_devices() -> tuple[str | None, bool]:
    """(CUDA GPU name or None, Apple MPS available) — imports torch, so it runs in a worker."""
    import torch

    from miwake.core.devices import cuda_available, resolve_device

    gpu = resolve_device("cuda").name if cuda_available() else None
    mps = getattr(torch.backends, "mps", None)
    return gpu, bool(mps is not None and mps.is_available())


class SettingsDialog(QDialog):
    settings_saved = Signal(object)  # Settings
    devices_probed = Signal()

    def __init__(
        self, settings: Settings, parent: QWidget | None = None, model_band: tuple[float, float] | None = None
    ) -> None:
        """`model_band`: the active model's unsure band, shown while the override is off."""
        super().__init__(parent)
        self.settings = settings
        self.model_band = model_band or (0.35, 0.65)
        self.device = QComboBox(self)
        for value in ("auto", "cpu", "cuda", "mps"):
            self.device.addItem("", value)
        self.cpu_runtime = QComboBox(self)
        for value in CPU_RUNTIMES:
            self.cpu_runtime.addItem("", value)
        self.gpu_label = QLabel(self)
        self.gpu_label.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.gpu_label.setWordWrap(True)
        self.override = QCheckBox(self)
        self.band_lo = self._prob_spin()
        self.band_hi = self._prob_spin()
        self.stride = QSpinBox(self)
        self.stride.setRange(0, 4096)
        self.stride.setSingleStep(16)
        self.batch = QSpinBox(self)
        self.batch.setRange(0, 1024)
        self.max_tiles = QSpinBox(self)
        self.max_tiles.setRange(0, 4096)
        self.language = QComboBox(self)
        for value, _ in i18n.language_names():
            self.language.addItem("", value)
        self.note = QLabel(self)
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#555")

        self.device_box = QGroupBox(self)
        f = QFormLayout(self.device_box)
        self.device_label = QLabel(self)
        f.addRow(self.device_label, self.device)
        f.addRow("", self.gpu_label)
        self.cpu_runtime_label = QLabel(self)
        f.addRow(self.cpu_runtime_label, self.cpu_runtime)
        self.decision_box = QGroupBox(self)
        f = QFormLayout(self.decision_box)
        f.addRow(self.override)
        band = QHBoxLayout()
        band.addWidget(self.band_lo)
        self.band_to = QLabel("–", self)
        band.addWidget(self.band_to)
        band.addWidget(self.band_hi)
        band.addStretch(1)
        self.band_label = QLabel(self)
        f.addRow(self.band_label, band)
        self.tiling_box = QGroupBox(self)
        f = QFormLayout(self.tiling_box)
        self.stride_label, self.batch_label, self.tiles_label = QLabel(self), QLabel(self), QLabel(self)
        f.addRow(self.stride_label, self.stride)
        f.addRow(self.batch_label, self.batch)
        f.addRow(self.tiles_label, self.max_tiles)
        self.language_box = QGroupBox(self)
        f = QFormLayout(self.language_box)
        self.language_label = QLabel(self)
        f.addRow(self.language_label, self.language)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QVBoxLayout(self)
        for w in (self.device_box, self.decision_box, self.tiling_box, self.language_box, self.note):
            layout.addWidget(w)
        layout.addWidget(self.buttons)

        self.override.toggled.connect(self._on_override_toggled)
        self.band_lo.valueChanged.connect(self._keep_band_order)
        self.band_hi.valueChanged.connect(self._keep_band_order)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._load(settings)
        self.retranslate_ui()
        self._set_device_enabled("cuda", False)
        self._set_device_enabled("mps", False)
        self.gpu_label.setText(self.tr("Looking for a GPU…"))
        self._gpu_room_reserved = False
        run_task(probe_devices, on_done=self._on_devices_probed, parent=self)

    def _prob_spin(self) -> QDoubleSpinBox:
        s = QDoubleSpinBox(self)
        s.setRange(0.0, 1.0)
        s.setDecimals(2)
        s.setSingleStep(0.05)
        return s

    def _load(self, s: Settings) -> None:
        self.device.setCurrentIndex(max(0, self.device.findData(s.device)))
        self.cpu_runtime.setCurrentIndex(max(0, self.cpu_runtime.findData(s.cpu_runtime)))
        band = s.unsure_band_override
        self.override.setChecked(band is not None)
        self.band_lo.setValue(band[0] if band else self.model_band[0])
        self.band_hi.setValue(band[1] if band else self.model_band[1])
        self._on_override_toggled(band is not None)
        self.stride.setValue(s.stride or 0)
        self.batch.setValue(s.batch_size or 0)
        self.max_tiles.setValue(s.max_tiles or 0)
        self.language.setCurrentIndex(max(0, self.language.findData(s.language)))

    def _set_device_enabled(self, value: str, enabled: bool) -> None:
        model = self.device.model()
        if isinstance(model, QStandardItemModel):
            item = model.item(self.device.findData(value))
            if item is not None:
                item.setEnabled(enabled)

    def _on_devices_probed(self, result: tuple[str | None, bool] | None, error: BaseException | None) -> None:
        gpu, mps = result if result else (None, False)
        self._set_device_enabled("cuda", gpu is not None)
        self._set_device_enabled("mps", mps)
        if error is not None:
            self.gpu_label.setText(describe_error(error))
        elif gpu:
            self.gpu_label.setText(self.tr("GPU: %1").replace("%1", gpu))
        else:
            self.gpu_label.setText(self._no_gpu_text())
            if self.device.currentData() == "cuda":
                self.device.setCurrentIndex(0)
        self._grow_to_fit()  # the probe's text arrives after the dialog was laid out: make room for its lines
        self.devices_probed.emit()

    def _no_gpu_text(self) -> str:
        return self.tr("No CUDA GPU is usable (no NVIDIA GPU or driver, or a CPU-only PyTorch); scans run on the CPU.")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._gpu_room_reserved:
            self._gpu_room_reserved = True
            self._reserve_gpu_room()

    def _reserve_gpu_room(self) -> None:
        """Make room for the probe's longest answer before it comes: a dialog that grew when it came moved every
        control below the note, and a click aimed at one landed on another (issue #24 item 8)."""
        if self.gpu_label.text().endswith("…"):  # still looking: measure the longer answer, then show this one
            waiting = self.gpu_label.text()
            self.gpu_label.setText(self._no_gpu_text())
            self._grow_to_fit()
            self.gpu_label.setText(waiting)

    def _grow_to_fit(self) -> None:
        # a word-wrapped label in a form row does not ask for its wrapped height: give it that height
        width = self.gpu_label.width() if self.gpu_label.width() > 50 else self.device.width()
        needed = self.gpu_label.heightForWidth(width)  # never less than reserved: a shorter answer must not move rows
        self.gpu_label.setMinimumHeight(max(self.gpu_label.minimumHeight(), needed))
        for layout in (self.device_box.layout(), self.layout()):  # inner first: each caches its hints
            if layout is not None:
                layout.invalidate()
                layout.activate()
        hint = self.sizeHint()
        self.resize(max(self.width(), hint.width()), max(self.height(), hint.height()))

    def _on_override_toggled(self, on: bool) -> None:
        for w in (self.band_lo, self.band_hi):
            w.setEnabled(on)
        if not on:  # greyed out, they show what decides now: the active model's band
            self.band_lo.setValue(self.model_band[0])
            self.band_hi.setValue(self.model_band[1])

    def _keep_band_order(self) -> None:
        lo, hi = self.band_lo.value(), self.band_hi.value()
        if lo > hi:
            if self.sender() is self.band_lo:
                self.band_hi.setValue(lo)
            else:
                self.band_lo.setValue(hi)

    def result_settings(self) -> Settings:
        """The dialog's values on top of the saved settings (recent folders, active model… stay)."""
        on = self.override.isChecked()
        return load_settings().with_(
            device=self.device.currentData(),
            cpu_runtime=self.cpu_runtime.currentData(),
            unsure_band_override=(self.band_lo.value(), self.band_hi.value()) if on else None,
            stride=self.stride.value() or None,
            batch_size=self.batch.value() or None,
            max_tiles=self.max_tiles.value() or None,
            language=self.language.currentData(),
        )

    def accept(self) -> None:
        s = self.result_settings()
        try:
            save_settings(s)
        except OSError as e:
            self.note.setText(describe_error(e))
            self.note.setStyleSheet("color:#b2182b")
            return
        self.settings = s
        self.settings_saved.emit(s)
        super().accept()

    # -- language -------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        self.device_box.setTitle(self.tr("Computation"))
        self.device_label.setText(self.tr("Device"))
        for value, text in (
            ("auto", self.tr("Automatic (GPU when available)")),
            ("cpu", self.tr("CPU")),
            ("cuda", self.tr("CUDA GPU (NVIDIA)")),
            ("mps", self.tr("Apple GPU (MPS)")),
        ):
            self.device.setItemText(self.device.findData(value), text)
        self.cpu_runtime_label.setText(self.tr("On the CPU"))
        for value, text in (
            ("auto", self.tr("Automatic (the fastest on this CPU)")),
            ("onnxruntime", self.tr("ONNX Runtime")),
            ("pytorch", self.tr("PyTorch")),
            ("pytorch-bf16", self.tr("PyTorch bf16 (where it keeps the verdicts)")),
        ):
            self.cpu_runtime.setItemText(self.cpu_runtime.findData(value), text)
        self.cpu_runtime.setToolTip(
            self.tr(
                "Automatic times ONNX Runtime, PyTorch and, where the processor has it, PyTorch in bf16 on the "
                "first CPU scan of each model, and keeps the fastest. bf16 is only used where it gives every "
                "sample the same verdict. The scan's summary says what scored the files."
            )
        )
        self.decision_box.setTitle(self.tr("Decision"))
        self.override.setText(self.tr("Use my own unsure band instead of the model's"))
        self.override.setToolTip(
            self.tr("Verdict: AI at or above the upper end, human below the lower end, unsure between")
        )
        self.band_label.setText(self.tr("Unsure band"))
        self.tiling_box.setTitle(self.tr("Tiling and speed"))
        self.stride_label.setText(self.tr("Crop stride"))
        self.stride.setSpecialValueText(self.tr("cover (fewest crops)"))
        self.stride.setSuffix(" px")
        self.batch_label.setText(self.tr("Batch size"))
        self.batch.setSpecialValueText(self.tr("automatic"))
        self.tiles_label.setText(self.tr("Most crops per image"))
        self.max_tiles.setSpecialValueText(self.tr("the model's choice"))
        self.language_box.setTitle(self.tr("Language"))
        self.language_label.setText(self.tr("Language"))
        for value, text in i18n.language_names():
            self.language.setItemText(self.language.findData(value), text)
        self.note.setText(
            self.tr(
                "Changes apply to the next scan; the language changes at once. "
                "The command line (miwake scan) uses the same settings."
            )
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
