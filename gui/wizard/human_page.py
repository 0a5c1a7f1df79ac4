"""Page 2: folders of the user's own (and other human-made) images: counts per source, a preview strip, warnings.

The folders are read in a worker (training.dataset decides the sources: each folder's sub-folders); a new scan
replaces one still running.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from miwake.training.folder_scan import FEW_IMAGES, REAL, FolderScan, scan_folders

from ..widgets.file_dialogs import choose_folder
from ..workers import Worker
from .advice import fill
from .preview_strip import PreviewStrip
from .wizard_page import MessageLabel, WizardPage


class HumanPage(WizardPage):
    def __init__(self, wizard) -> None:
        super().__init__(wizard)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.folders = QListWidget(self)
        self.folders.setMaximumHeight(96)
        self.add_button = QPushButton(self)
        self.remove_button = QPushButton(self)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.folders, 1)
        row.addLayout(buttons)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.summary.setWordWrap(True)
        self.sources = QTreeWidget(self)
        self.sources.setColumnCount(3)
        self.sources.setRootIsDecorated(False)
        self.sources.setMaximumHeight(150)
        self.sources.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.preview = PreviewStrip(self, limit=30)
        self.warnings = MessageLabel(self)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addLayout(row)
        lay.addWidget(self.summary)
        lay.addWidget(self.sources)
        lay.addWidget(self.preview)
        lay.addWidget(self.warnings)
        lay.addStretch(1)

        self.scan: FolderScan | None = None
        self._worker: Worker | None = None
        self._progress = (0, 0)
        self.add_button.clicked.connect(self._ask_folder)
        self.remove_button.clicked.connect(self._remove_selected)
        self.folders.currentRowChanged.connect(lambda *_: self._update_buttons())
        self.retranslate_ui()
        self._update_buttons()

    # -- folders --------------------------------------------------------------------------------------------------
    def folder_list(self) -> list[str]:
        return [self.folders.item(i).text() for i in range(self.folders.count())]

    def add_folder(self, folder: str) -> None:
        if folder and folder not in self.folder_list():
            self.folders.addItem(folder)
            self._rescan()

    def _ask_folder(self) -> None:
        folder = choose_folder(self, self.tr("Choose a folder of human-made images"))
        if folder:
            self.add_folder(folder)

    def _remove_selected(self) -> None:
        row = self.folders.currentRow()
        if row >= 0:
            self.folders.takeItem(row)
            self._rescan()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.folders.currentRow() >= 0)

    # -- scanning -------------------------------------------------------------------------------------------------
    def scanning(self) -> bool:
        return self._worker is not None

    def _rescan(self) -> None:
        if self._worker is not None:
            self._worker.quit()
        self.scan = None
        folders = self.folder_list()
        self._progress = (0, 0)
        self.preview.clear()
        self.sources.clear()
        if not folders:
            self._worker = None
            self._show_scan()
            self.changed.emit()
            return
        cancel = threading.Event()
        w = Worker(scan_folders, folders, REAL, cancel, cancel_event=cancel)
        w.yielded.connect(self._on_scan_progress)  # bound methods: disconnected if the page is deleted first
        w.returned.connect(self._on_scanned)
        w.finished.connect(self._on_scan_finished)
        self._worker = w
        self._show_scan()
        w.start()
        self.changed.emit()

    def _from_current_scan(self) -> bool:
        return self._worker is not None and self.sender() is self._worker.signals

    def _on_scan_progress(self, progress: tuple[int, int]) -> None:
        if self._from_current_scan():
            self._progress = progress
            self._show_scan()

    def _on_scanned(self, result: FolderScan | None) -> None:
        if not self._from_current_scan() or result is None:
            return
        self.scan = result
        self.wizard.human_scan = result
        by_source = result.by_source()
        for source, n in by_source.items():
            item = QTreeWidgetItem([source, str(n), f"{100 * n / max(1, result.count):.0f} %"])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.sources.addTopLevelItem(item)
        step = max(1, result.count // self.preview.limit)
        self.preview.set_paths([i.path for i in result.images[::step]])

    def _on_scan_finished(self) -> None:
        if self._from_current_scan():
            self._worker = None
            self._show_scan()
            self.changed.emit()

    def _crop(self) -> tuple[int, str]:
        return self.state.train.crop, self.state.train.mode

    def _show_scan(self) -> None:
        scan = self.scan
        if self._worker is not None:
            done, total = self._progress
            self.summary.setText(
                fill(self.tr("Reading the folders… %1 of %2 images"), done, total)
                if total
                else self.tr("Reading the folders…")
            )
            self.warnings.clear_message()
            return
        if scan is None:
            self.summary.setText(self.tr("Add at least one folder of images made by people (your own work first)."))
            self.warnings.clear_message()
            return
        n_sources = len(scan.by_source())
        self.summary.setText(
            fill(
                self.tr("%1 images in %2 source(s) (a source is a sub-folder: its images are kept together)."),
                scan.count,
                n_sources,
            )
        )
        self.warnings.show_message(self._warning_text, "warning" if self._warning_lines() else "ok")

    def _warning_lines(self) -> list[str]:
        scan = self.scan
        if scan is None:
            return []
        lines = []
        crop, mode = self._crop()
        if scan.count == 0:
            lines.append(self.tr("No images found in these folders."))
        elif scan.count < FEW_IMAGES:
            lines.append(
                fill(
                    self.tr("Only %1 images: at least %2 are needed for a useful model (several hundred are better)."),
                    scan.count,
                    FEW_IMAGES,
                )
            )
        dom = scan.dominant()
        if dom is not None and scan.count:
            source, share = dom
            if share >= 0.999:
                lines.append(
                    fill(
                        self.tr(
                            "All images come from one source (%1): the model may learn that source's look "
                            "instead of “made by a person”. Add images from other places, each in its own "
                            "sub-folder."
                        ),
                        source,
                    )
                )
            else:
                lines.append(
                    fill(
                        self.tr(
                            "One source (%1) holds %2 % of the images: the model may learn its look instead of "
                            "“made by a person”. Add images from other places."
                        ),
                        source,
                        f"{share * 100:.0f}",
                    )
                )
        small = scan.too_small(crop, mode)
        if small:
            lines.append(
                fill(
                    self.tr("%1 images are smaller than the crop size (%2 × %2 px) and cannot be trained on."),
                    small,
                    crop,
                )
            )
        if scan.unreadable():
            lines.append(fill(self.tr("%1 files could not be read and will be left out."), scan.unreadable()))
        for folder in scan.empty_folders:
            lines.append(fill(self.tr("No images in %1."), folder))
        return lines

    def _warning_text(self) -> str:
        lines = self._warning_lines()
        return "\n".join("• " + line for line in lines) if lines else self.tr("These images look fine for training.")

    # -- page API -------------------------------------------------------------------------------------------------
    def title(self) -> str:
        return self.tr("Human-made images")

    def subtitle(self) -> str:
        return self.tr(
            "Folders of images made by people: your own work, and other human-made images of your domain. Put "
            "images from different places (artists, sites, years) in different sub-folders."
        )

    def load(self) -> None:
        self.folders.clear()
        for f in self.state.human:
            self.folders.addItem(f)
        self._rescan()

    def store(self) -> None:
        self.state.human = self.folder_list()

    def enter(self, forward: bool) -> None:
        if self.scan is not None:
            self._show_scan()  # the crop size may have changed

    def is_complete(self) -> bool:
        return self._worker is None and self.scan is not None and self.scan.count > 0

    def validate(self) -> bool:
        return self.is_complete()

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.quit()

    def kill(self) -> None:
        self.stop()

    def retranslate_ui(self) -> None:
        self.intro.setText(
            self.tr("Only images made without AI belong here. Photos, scans and digital drawings are all fine.")
        )
        self.add_button.setText(self.tr("Add folder…"))
        self.remove_button.setText(self.tr("Remove"))
        self.sources.setHeaderLabels([self.tr("Source"), self.tr("Images"), self.tr("Share")])
        self._show_scan()
