"""Installed detector models: their cards and metrics; choose the active one, import, export, delete.

Import (full validation: checksum, architecture, weights) and export run in a worker; errors are shown in
the dialog as messages. Bundled models cannot be deleted (the button is disabled for them).
"""

from __future__ import annotations

import logging
from html import escape
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from miwake.core.bundle import ARCHIVE_SUFFIX, Bundle, format_metric
from miwake.core.card_facts import validation_facts
from miwake.core.errors import MiwakeError
from miwake.core.model_choice import active_model_id, delete_model, use_model
from miwake.core.registry import ModelRegistry

from ..error_hooks import describe_error
from ..i18n import current_language
from ..widgets.detail_text import (
    metrics_text,
    plain_summary,
    training_rows,
    validation_label,
    validation_rows,
)
from ..widgets.file_dialogs import choose_folder, open_file, save_file
from ..widgets.plain_dialogs import plain_question
from ..workers import run_task

log = logging.getLogger(__name__)

_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ModelsDialog(QDialog):
    models_changed = Signal()
    task_finished = Signal(bool)  # an import/export ended (True = success); for tests and the busy state

    def __init__(self, parent: QWidget | None = None, registry: ModelRegistry | None = None) -> None:
        super().__init__(parent)
        self.registry = registry or ModelRegistry()
        self.resize(900, 560)
        self.list = QListWidget(self)
        self.list.setMinimumWidth(260)
        self.list.setWordWrap(True)  # long model names wrap instead of being cut
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.card = QTextBrowser(self)
        self.card.setOpenLinks(False)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.list)
        splitter.addWidget(self.card)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([280, 620])
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.use_button = QPushButton(self)
        self.import_button = QPushButton(self)
        self.import_menu = QMenu(self)
        self.import_file_action = self.import_menu.addAction("")
        self.import_folder_action = self.import_menu.addAction("")
        self.import_button.setMenu(self.import_menu)
        self.export_button = QPushButton(self)
        self.delete_button = QPushButton(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        row = QHBoxLayout()
        for b in (self.use_button, self.import_button, self.export_button, self.delete_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addLayout(row)

        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.use_button.clicked.connect(self.use_current)
        self.import_file_action.triggered.connect(self._ask_import_file)
        self.import_folder_action.triggered.connect(self._ask_import_folder)
        self.export_button.clicked.connect(self._ask_export)
        self.delete_button.clicked.connect(lambda: self.delete_current())  # clicked(bool) would be confirm=False
        self.buttons.rejected.connect(self.reject)
        self._busy = False
        self.retranslate_ui()
        self.refresh()

    # -- listing --------------------------------------------------------------------------------------
    def refresh(self, select_id: str | None = None) -> None:
        current = select_id or self.current_id()
        self._models = {b.id: b for b in self.registry.list()}
        try:
            self._active = active_model_id(self.registry)
        except MiwakeError:
            self._active = None
        self.list.clear()
        for b in self._models.values():
            label = b.card.display_name_in(current_language())
            if b.id == self._active:
                label = "★ " + label
            item = QListWidgetItem(label)
            item.setData(_ID_ROLE, b.id)
            origin = self.tr("bundled") if b.read_only else self.tr("imported")
            item.setToolTip(f"{b.card.display_name_in(current_language())}\n{b.id} ({origin})")
            self.list.addItem(item)
            if b.id == (current or self._active):
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._show_current()

    def select_model(self, model_id: str) -> bool:
        for i in range(self.list.count()):
            if self.list.item(i).data(_ID_ROLE) == model_id:
                self.list.setCurrentRow(i)
                return True
        return False

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(_ID_ROLE) if item is not None else None

    def current_bundle(self) -> Bundle | None:
        mid = self.current_id()
        return getattr(self, "_models", {}).get(mid) if mid else None

    def _show_current(self) -> None:
        b = self.current_bundle()
        self.card.setHtml(
            self._card_html(b)
            if b
            else "<p>"
            + escape(
                self.tr(
                    "No model is installed. Import a model bundle (a .miwake file or a folder with model.json and "
                    "model.safetensors)."
                )
            )
            + "</p>"
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        b = self.current_bundle()
        idle = not self._busy
        self.use_button.setEnabled(idle and b is not None and b.id != self._active)
        self.export_button.setEnabled(idle and b is not None)
        self.delete_button.setEnabled(idle and b is not None and not b.read_only)
        self.delete_button.setToolTip(
            self.tr("Bundled models cannot be deleted") if b is not None and b.read_only else ""
        )
        self.import_button.setEnabled(idle)

    def _card_html(self, b: Bundle) -> str:
        c = b.card

        def row(label: str, value: str) -> str:
            cell = "style='color:#666; padding-right:14px; vertical-align:top'"
            return f"<tr><td {cell}>{escape(label)}</td><td>{value}</td></tr>"

        source = self.tr("bundled with Miwake") if b.read_only else self.tr("imported by you")
        plain = "".join(f"<p style='margin:4px 0'>{escape(line)}</p>" for line in plain_summary(c))
        state = (
            self.tr("In use for scans.") if b.id == self._active else self.tr("Not in use: choose “Use this model”.")
        )
        lead = f"{plain}<p style='margin:4px 0; color:#555'>{escape(state)}</p>"
        rows = [
            row(
                self.tr("Id"),
                f"{escape(c.id)}" + (" — <b>" + escape(self.tr("active")) + "</b>" if b.id == self._active else ""),
            ),
            row(self.tr("Source"), escape(f"{source} ({b.path})")),
            row(self.tr("Architecture"), escape(f"{c.arch} (timm), {c.weights_dtype}")),
            row(self.tr("Input"), escape(f"{c.input_mode}, {c.crop_size} px")),
            row(
                self.tr("Decision"),
                escape(
                    self.tr("threshold %1, unsure band %2–%3, aggregation %4")
                    .replace("%1", f"{c.threshold:.3f}")
                    .replace("%2", f"{c.unsure_band[0]:.3f}")
                    .replace("%3", f"{c.unsure_band[1]:.3f}")
                    .replace("%4", c.aggregation)
                ),
            ),
        ]
        comp = validation_facts(c.metrics).comparison
        if comp is not None:  # first: the same test for every bundled model
            text = f"AUC {format_metric(comp.auc)}"
            if comp.auc_jpeg90 is not None:
                text += " · " + self.tr("after JPEG q90: %1").replace("%1", format_metric(comp.auc_jpeg90))
            rows.append(
                row(
                    self.tr("On new sources (the same test for every model)"),
                    "<b>" + escape(text) + "</b><br>" + escape(self._comparison_test(comp)),
                )
            )
        m = metrics_text(c.metrics)
        if m:
            rows.append(row(validation_label(c.metrics), escape(m)))
        rows += [row(label, escape(text)) for label, text in validation_rows(c.metrics)]
        rows += [row(label, escape(text)) for label, text in training_rows(c.training)]
        for label, val in (
            (self.tr("Description"), c.description_in(current_language())),
            (self.tr("License"), c.license),
            (self.tr("Created"), c.created),
        ):
            if val:
                rows.append(row(label, escape(val)))
        rows.append(row("SHA-256", f"<code>{escape(c.weights_sha256)}</code>"))
        details = escape(self.tr("Details for specialists"))
        return (
            f"<h3>{escape(c.display_name_in(current_language()))}</h3>{lead}"
            f"<h4 style='margin-top:14px; color:#555'>{details}</h4><table cellspacing='3'>{''.join(rows)}</table>"
        )

    # -- actions --------------------------------------------------------------------------------------
    def use_current(self) -> None:
        b = self.current_bundle()
        if b is None:
            return
        try:
            use_model(b.id, self.registry)
        except (MiwakeError, OSError) as e:
            self._say(describe_error(e), error=True)
            return
        self._say(
            self.tr("%1 is now the active model; the next scan uses it.").replace(
                "%1", b.card.display_name_in(current_language())
            )
        )
        self.refresh(b.id)
        self.models_changed.emit()

    def _ask_import_file(self) -> None:
        path = open_file(self, self.tr("Import a model"), self.tr("Miwake models (*%1)").replace("%1", ARCHIVE_SUFFIX))
        if path:
            self.import_bundle(path)

    def _ask_import_folder(self) -> None:
        path = choose_folder(self, self.tr("Import a model folder"))
        if path:
            self.import_bundle(path)

    def import_bundle(self, path: str) -> None:
        """Validate and install in a worker; the outcome is shown in the dialog."""
        self._set_busy(True, self.tr("Checking and installing %1…").replace("%1", path))
        run_task(self.registry.import_bundle, path, on_done=self._on_imported, parent=self)

    def _on_imported(self, result: Bundle | None, error: BaseException | None) -> None:
        self._set_busy(False)
        if error is not None:
            self._say(self.tr("The model was not installed: %1").replace("%1", describe_error(error)), error=True)
            self.task_finished.emit(False)
            return
        assert result is not None
        self._say(
            self.tr("Installed %1. Choose “Use this model” to scan with it.").replace(
                "%1", result.card.display_name_in(current_language())
            )
        )
        self.refresh(result.id)
        self.models_changed.emit()
        self.task_finished.emit(True)

    def _ask_export(self) -> None:
        b = self.current_bundle()
        if b is None:
            return
        dest = save_file(
            self,
            self.tr("Export the model"),
            f"{b.id}{ARCHIVE_SUFFIX}",
            self.tr("Miwake models (*%1)").replace("%1", ARCHIVE_SUFFIX),
        )
        if dest:
            self.export_model(b.id, dest)

    def export_model(self, model_id: str, dest: str) -> None:
        self._set_busy(True, self.tr("Writing %1…").replace("%1", dest))
        run_task(self.registry.export, model_id, dest, on_done=self._on_exported, parent=self)

    def _on_exported(self, result: Any, error: BaseException | None) -> None:
        self._set_busy(False)
        if error is not None:
            self._say(self.tr("The model was not exported: %1").replace("%1", describe_error(error)), error=True)
        else:
            self._say(self.tr("Wrote %1. Others can import that file in Miwake.").replace("%1", str(result)))
        self.task_finished.emit(error is None)

    def delete_current(self, confirm: bool = True) -> None:
        b = self.current_bundle()
        if b is None or b.read_only:
            return
        if (
            confirm
            and plain_question(
                self,
                self.tr("Delete model"),
                self.tr("Delete the model %1? This cannot be undone.").replace(
                    "%1", b.card.display_name_in(current_language())
                ),
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        try:
            delete_model(b.id, self.registry)
        except (MiwakeError, OSError) as e:
            self._say(describe_error(e), error=True)
            return
        self._say(self.tr("Deleted %1.").replace("%1", b.card.display_name_in(current_language())))
        self.refresh()
        self.models_changed.emit()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        if text:
            self._say(text)
        self._update_buttons()

    def _comparison_test(self, comp: Any) -> str:
        """What the comparison set is: the card's own English words, else said from its numbers in the UI's
        language (the card's text is data, not a translatable string)."""
        if current_language() == "en":
            return comp.test
        return (
            self.tr("%1 images from %2 sources that no bundled model was fitted on")
            .replace("%1", str(comp.n))
            .replace("%2", str(comp.sources))
        )

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color:#b2182b;" if error else "")
        self.message.setText(text)

    # -- language -------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Models"))
        self.use_button.setText(self.tr("Use this model"))
        self.import_button.setText(self.tr("Import"))
        self.import_file_action.setText(self.tr("Model file (%1)…").replace("%1", ARCHIVE_SUFFIX))
        self.import_folder_action.setText(self.tr("Model folder…"))
        self.export_button.setText(self.tr("Export…"))
        self.delete_button.setText(self.tr("Delete"))
        if hasattr(self, "_models"):
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def reject(self) -> None:
        if self._busy:  # an import is still running: keep the dialog (and its result) until it ends
            self._say(self.tr("Please wait until the model has been checked."))
            return
        super().reject()
