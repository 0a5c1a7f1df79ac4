"""Page 3: where the AI images come from: Stable Diffusion txt2img, VAE reconstructions of the user's own images
(aligned fakes), and folders of AI images the user already has. At least one source is needed."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from miwake.core.bundle import PICKLE_SUFFIXES
from miwake.training.folder_scan import AI, FEW_IMAGES, FolderScan, scan_folders

from ..widgets.file_dialogs import choose_folder, open_file
from ..workers import Worker
from .advice import fill
from .prompt_widget import PromptWidget
from .sd_settings_widget import SdSettingsWidget
from .wizard_page import MessageLabel, WizardPage

SUGGESTED_MODELS = (
    "stable-diffusion-v1-5/stable-diffusion-v1-5",
    "stabilityai/stable-diffusion-2-1-base",
    "stabilityai/stable-diffusion-xl-base-1.0",
)


def model_problem(text: str) -> str | None:
    """A quick check of the model field (the job does the full one); None when it looks usable."""
    ref = text.strip()
    if not ref:
        return "empty"
    p = Path(ref).expanduser()
    if p.suffix.lower() in PICKLE_SUFFIXES:
        return "pickle"
    looks_like_path = p.is_absolute() or ref.startswith((".", "~")) or "\\" in ref or p.suffix.lower() == ".safetensors"
    if p.exists():
        return None
    return "missing" if looks_like_path or ref.count("/") != 1 else None


class AiPage(WizardPage):
    def __init__(self, wizard) -> None:
        super().__init__(wizard)
        body = QWidget(self)
        self.model_box = QGroupBox(body)
        self.model = QComboBox(self.model_box)
        self.model.setEditable(True)
        self.model.addItems(SUGGESTED_MODELS)
        self.model.setCurrentText("")
        self.model.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model.setMinimumContentsLength(24)
        self.model_folder_button = QPushButton(self.model_box)
        self.model_file_button = QPushButton(self.model_box)
        self.model_note = QLabel(self.model_box)
        self.model_note.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.model_note.setWordWrap(True)
        self.model_note.setStyleSheet("color:#555")
        row = QHBoxLayout()
        row.addWidget(self.model, 1)
        row.addWidget(self.model_folder_button)
        row.addWidget(self.model_file_button)
        mb = QVBoxLayout(self.model_box)
        mb.addLayout(row)
        mb.addWidget(self.model_note)

        self.generate_box = QGroupBox(body)
        self.generate_box.setCheckable(True)
        self.prompts = PromptWidget(self.generate_box)
        self.sd = SdSettingsWidget(self.generate_box)
        gb = QVBoxLayout(self.generate_box)
        gb.addWidget(self.prompts)
        gb.addWidget(self.sd)

        self.reconstruct = QCheckBox(body)
        self.reconstruct_note = QLabel(body)
        self.reconstruct_note.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.reconstruct_note.setWordWrap(True)
        self.reconstruct_note.setStyleSheet("color:#555; margin-left:22px;")

        self.existing_box = QGroupBox(body)
        self.existing = QListWidget(self.existing_box)
        self.existing.setMaximumHeight(80)
        self.add_existing = QPushButton(self.existing_box)
        self.remove_existing = QPushButton(self.existing_box)
        eb = QHBoxLayout(self.existing_box)
        eb.addWidget(self.existing, 1)
        col = QVBoxLayout()
        col.addWidget(self.add_existing)
        col.addWidget(self.remove_existing)
        col.addStretch(1)
        eb.addLayout(col)
        self.existing_summary = MessageLabel(body)  # counts and warnings for the user's own AI folders
        self._existing_scan: FolderScan | None = None
        self._existing_worker: Worker | None = None

        self.message = MessageLabel(body)
        lay = QVBoxLayout(body)
        lay.addWidget(self.model_box)
        lay.addWidget(self.generate_box)
        lay.addWidget(self.reconstruct)
        lay.addWidget(self.reconstruct_note)
        lay.addWidget(self.existing_box)
        lay.addWidget(self.existing_summary)
        lay.addWidget(self.message)
        lay.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.model_folder_button.clicked.connect(self._ask_model_folder)
        self.model_file_button.clicked.connect(self._ask_model_file)
        self.add_existing.clicked.connect(self._ask_existing)
        self.remove_existing.clicked.connect(self._remove_existing)
        self.existing.currentRowChanged.connect(lambda row: self.remove_existing.setEnabled(row >= 0))
        self.remove_existing.setEnabled(False)
        self.model.currentTextChanged.connect(lambda *_: self._on_changed())
        self.generate_box.toggled.connect(lambda *_: self._on_changed())
        self.reconstruct.toggled.connect(lambda *_: self._on_changed())
        self.retranslate_ui()

    # -- choosers -------------------------------------------------------------------------------------------------
    def _ask_model_folder(self) -> None:
        folder = choose_folder(self, self.tr("Choose a diffusers model folder (with model_index.json)"))
        if folder:
            self.model.setCurrentText(folder)

    def _ask_model_file(self) -> None:
        path = open_file(
            self, self.tr("Choose a Stable Diffusion checkpoint"), self.tr("safetensors checkpoints (*.safetensors)")
        )
        if path:
            self.model.setCurrentText(path)

    def _ask_existing(self) -> None:
        folder = choose_folder(self, self.tr("Choose a folder of AI-generated images"))
        if folder:
            self.add_existing_folder(folder)

    def add_existing_folder(self, folder: str) -> None:
        if folder not in self.existing_folders():
            self.existing.addItem(folder)
            self._scan_existing()
            self._on_changed()

    def _remove_existing(self) -> None:
        row = self.existing.currentRow()
        if row >= 0:
            self.existing.takeItem(row)
            self._scan_existing()
            self._on_changed()

    def _scan_existing(self) -> None:
        """Count the images in the user's AI folders (in a worker), as the human-images page does."""
        if self._existing_worker is not None:
            self._existing_worker.quit()
        self._existing_scan = None
        folders = self.existing_folders()
        if not folders:
            self._existing_worker = None
            self.existing_summary.clear_message()
            return
        cancel = threading.Event()
        w = Worker(scan_folders, folders, AI, cancel, cancel_event=cancel)
        w.returned.connect(self._on_existing_scanned)
        w.finished.connect(self._on_existing_finished)
        self._existing_worker = w
        self.existing_summary.show_message(lambda: self.tr("Counting the images in your folders…"), "info")
        w.start()

    def _on_existing_scanned(self, result: FolderScan | None) -> None:
        if self._existing_worker is not None and self.sender() is self._existing_worker.signals:
            self._existing_scan = result

    def _on_existing_finished(self) -> None:
        if self._existing_worker is None or self.sender() is not self._existing_worker.signals:
            return
        self._existing_worker = None
        self._show_existing()

    def _show_existing(self) -> None:
        scan = self._existing_scan
        if scan is None:
            return
        lines = [fill(self.tr("Your folders: %1 AI images in %2 source(s)."), scan.count, len(scan.by_source()))]
        warn = False
        if 0 < scan.count < FEW_IMAGES:
            lines.append(
                fill(self.tr("Only %1 AI images: a few hundred from several generators train far better."), scan.count)
            )
            warn = True
        dom = scan.dominant()
        if dom is not None and len(scan.by_source()) > 1:
            lines.append(fill(self.tr("One source (%1) holds %2 % of them."), dom[0], f"{dom[1] * 100:.0f}"))
            warn = True
        if scan.unreadable():
            lines.append(fill(self.tr("%1 files could not be read and will be left out."), scan.unreadable()))
            warn = True
        for folder in scan.empty_folders:
            lines.append(fill(self.tr("No images in %1."), folder))
            warn = True
        text = "\n".join(lines)
        self.existing_summary.show_message(lambda: text, "warning" if warn else "ok")

    def stop(self) -> None:
        if self._existing_worker is not None:
            self._existing_worker.quit()

    def existing_folders(self) -> list[str]:
        return [self.existing.item(i).text() for i in range(self.existing.count())]

    def _on_changed(self) -> None:
        uses_sd = self.generate_box.isChecked() or self.reconstruct.isChecked()
        self.model_box.setEnabled(uses_sd)
        self.message.clear_message()
        self.changed.emit()

    # -- page API -------------------------------------------------------------------------------------------------
    def title(self) -> str:
        return self.tr("AI images")

    def subtitle(self) -> str:
        return self.tr(
            "The model learns what AI images of your domain look like. Make them with Stable Diffusion, pass your "
            "own images through its autoencoder, add AI images you already have — or any combination."
        )

    def load(self) -> None:
        g = self.state.gen
        self.model.setCurrentText(g.model)
        self.generate_box.setChecked(g.enabled)
        self.reconstruct.setChecked(g.reconstruct)
        self.prompts.load(g)
        self.sd.load(g)
        self.existing.clear()
        for f in g.existing:
            self.existing.addItem(f)
        self._scan_existing()
        self._on_changed()

    def store(self) -> None:
        g = self.state.gen
        g.model = self.model.currentText().strip()
        g.enabled = self.generate_box.isChecked()
        g.reconstruct = self.reconstruct.isChecked()
        self.prompts.store(g)
        self.sd.store(g)
        g.existing = self.existing_folders()

    def is_complete(self) -> bool:
        return self.generate_box.isChecked() or self.reconstruct.isChecked() or bool(self.existing_folders())

    def validate(self) -> bool:
        if not self.is_complete():
            self.message.show_message(lambda: self.tr("Choose at least one source of AI images."), "error")
            return False
        if self.generate_box.isChecked() or self.reconstruct.isChecked():
            problem = model_problem(self.model.currentText())
            text = self.model.currentText().strip()
            if problem == "empty":
                self.message.show_message(lambda: self.tr("Choose a Stable Diffusion model."), "error")
                return False
            if problem == "pickle":
                self.message.show_message(
                    lambda: self.tr(
                        "Pickle checkpoints (.ckpt, .pt, .bin) can run code when loaded and are refused: "
                        "use a .safetensors file or a diffusers folder."
                    ),
                    "error",
                )
                return False
            if problem == "missing":
                self.message.show_message(lambda: fill(self.tr("%1 does not exist."), text), "error")
                return False
        if self.generate_box.isChecked():
            error = self.prompts.problem() or self.sd.problem()
            if error:
                self.message.show_message(error, "error")
                return False
        return True

    def retranslate_ui(self) -> None:
        self.model_box.setTitle(self.tr("Stable Diffusion model"))
        self.model.lineEdit().setPlaceholderText(self.tr("Hugging Face id, or a local folder or file"))
        self.model_folder_button.setText(self.tr("Folder…"))
        self.model_file_button.setText(self.tr("Checkpoint file…"))
        self.model_note.setText(
            self.tr(
                "A Hugging Face id (downloaded once, several GB), a diffusers folder, or a single .safetensors "
                "checkpoint (SD 1.x, 2.x or SDXL). Best: the model people in your domain actually use."
            )
        )
        self.generate_box.setTitle(self.tr("Generate new images with Stable Diffusion"))
        self.reconstruct.setText(self.tr("Reconstruct my human-made images through the model's autoencoder"))
        self.reconstruct_note.setText(
            self.tr(
                "“Aligned fakes”: each of your images passes through Stable Diffusion's VAE. Same content, with the "
                "generator's traces, so the model learns the traces rather than the subjects. Fast, recommended."
            )
        )
        self.existing_box.setTitle(self.tr("Folders of AI images you already have"))
        self.add_existing.setText(self.tr("Add folder…"))
        self.remove_existing.setText(self.tr("Remove"))
        self.message.retranslate()
