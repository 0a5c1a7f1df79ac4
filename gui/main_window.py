"""The main window: a thin composer of the results table, the detail pane, the scan and export controllers,
the actions (menus, toolbar) and the status bar. The work itself happens in `core`, driven by workers."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QWidget,
)

from miwake.core import paths
from miwake.core.bundle import Bundle
from miwake.core.errors import MiwakeError
from miwake.core.model_choice import active_model_id
from miwake.core.registry import ModelRegistry
from miwake.core.results import ImageResult
from miwake.core.scan_events import ScanFinished, ScanProgress
from miwake.core.scoring import decide
from miwake.core.settings import Settings, load_settings, save_settings
from miwake.core.store import ScanRecord
from miwake.core.timefmt import clock_duration

from . import i18n, window_geometry
from .error_hooks import describe_error
from .export_controller import ExportController
from .main_actions import MainActions
from .models.results_model import ResultsModel
from .qt_compat import install_refcount_guard
from .scan_controller import ScanController, ScanState
from .widgets.detail_widget import DetailWidget
from .widgets.elided_label import ElidedLabel
from .widgets.file_dialogs import choose_folder, save_file
from .widgets.notification_widget import NotificationWidget
from .widgets.results_widget import ResultsWidget
from .widgets.status_widget import StatusWidget
from .widgets.thumbnail_cache import ThumbnailCache
from .workers import pool

log = logging.getLogger(__name__)

PREFERRED_SIZE = QSize(1400, 900)  # shrunk to the screen's available area (window_geometry)
QUIT_GRACE_S = 60  # how long quitting waits for a retraining job to save its checkpoint before ending it


class MainWindow(QMainWindow):
    roots_changed = Signal(list)

    def __init__(self, parent: QWidget | None = None, *, load_last: bool = True) -> None:
        super().__init__(parent)
        install_refcount_guard()  # no-op unless the Qt binding is known-broken (see qt_compat)
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        self.settings: Settings = load_settings()
        self.roots: list[str] = []
        self.bundles: dict[str, Bundle] = {}
        self.active_model_id: str | None = None
        self.retrain_wizard: QDialog | None = None
        self.last_scan: dict[str, object] | None = None  # how the scan shown ended (status, files found, not reached)
        self._quit_deadline: float | None = None  # set while quitting waits for a retraining job to stop
        self._quit_timer = QTimer(self)
        self._quit_timer.setInterval(200)
        self._quit_timer.timeout.connect(self._check_quit)

        self.thumbnails = ThumbnailCache(self)
        self.model = ResultsModel(self, thumbnails=self.thumbnails)
        self.results = ResultsWidget(self.model, self)
        self.detail = DetailWidget(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.results)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([820, 560])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.status = StatusWidget(self)
        self.model_label = ElidedLabel(self, Qt.TextElideMode.ElideRight)  # long model names elide, full in tooltip
        self.model_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.model_label.setMaximumWidth(300)  # the scan's summary needs the room more (1024 px, Japanese)
        self.statusBar().addWidget(self.status, 1)
        self.statusBar().addPermanentWidget(self.model_label)
        self.notifications = NotificationWidget(self)
        self.controller = ScanController(self.model, self)
        self.exporter = ExportController(self)
        self.actions = MainActions(self)

        self.detail.rows_exist = lambda: self.model.rowCount() > 0
        self.detail.open_failed.connect(
            lambda path: self.notifications.notify(
                self.tr("Nothing opened it"),
                self.tr(
                    "No program on this system is set up to open %1. Its path is copied: paste it into a viewer "
                    "or file manager."
                ).replace("%1", path),
                "info",
            )
        )
        self.results.table.doubleClicked.connect(lambda _index: self.detail.open_in_viewer())
        self.results.current_result_changed.connect(self.detail.show_result)
        self.controller.state_changed.connect(self._on_scan_state_changed)
        self.controller.progress_changed.connect(self._on_scan_progress)
        self.controller.scan_finished.connect(self._on_scan_finished)
        self.controller.scan_failed.connect(self._on_scan_failed)
        self.controller.last_scan_loaded.connect(self._on_last_scan_loaded)
        self.controller.store_notice.connect(
            lambda text: self.notifications.notify(self.tr("The result store"), text, "error")
        )
        self.exporter.export_finished.connect(self._on_export_finished)
        self.exporter.export_progress.connect(self._on_export_progress)
        self.exporter.export_failed.connect(self._on_export_failed)
        self.exporter.export_skipped.connect(self._on_export_skipped)

        self.refresh_models()
        self.retranslate_ui()
        self._on_scan_state_changed(ScanState.IDLE)
        self.results.table.setFocus()
        window_geometry.restore(self, "main", PREFERRED_SIZE)
        if load_last:
            self.controller.load_last_scan()
            QTimer.singleShot(0, self._offer_unfinished_run)

    def _offer_unfinished_run(self) -> None:
        """A retraining run stopped before its model was installed (the app was closed mid-job): say so."""
        from miwake.training.run_state import unfinished_runs

        runs = unfinished_runs()
        if runs:
            self.notifications.notify(
                self.tr("Unfinished retraining"),
                self.tr(
                    "The retraining of %1 stopped before it finished. Open Retrain… to continue where it left off."
                ).replace("%1", runs[0].model_id or runs[0].run_id),
                "info",
            )

    # -- folders and scanning -------------------------------------------------------------------------
    def set_roots(self, roots: list[str]) -> None:
        new = [str(Path(r)) for r in roots]
        if new != self.roots:  # another folder: a filter chosen for the last one would hide rows unasked
            self.results.clear_filters()
        self.roots = new
        self.model.set_roots(self.roots)
        self.roots_changed.emit(self.roots)
        self.retranslate_ui()

    def choose_folder(self) -> None:
        folder = choose_folder(self, self.tr("Open a folder of images"), self.roots[0] if self.roots else None)
        if folder:
            self.open_paths([folder])

    def open_paths(self, roots: list[str], scan: bool = True) -> None:
        """Open folders (or files) and scan them."""
        self.set_roots(roots)
        if scan:
            self.start_scan()

    def start_scan(self, roots: list[str] | None = None) -> bool:
        if roots is not None:
            self.set_roots(roots)
        if not self.roots:
            self.choose_folder()
            return False
        if self.controller.is_busy():
            self.controller.stop()
            return False
        self.settings = load_settings()
        for r in reversed(self.roots):
            if Path(r).is_dir():  # Recent *folders*: a single file dropped into the window is no folder
                self.settings = self.settings.add_recent(r)
        try:
            save_settings(self.settings)
        except OSError as e:
            log.warning("Could not save the recent folders: %s", e)
        self.actions.rebuild_recent(self.settings.recent_folders)
        self.status.show_message(self.tr("Loading the model…"))
        return self.controller.start_scan(self.roots, self.settings)

    def stop_scan(self) -> None:
        """Stop (Esc): the scan, or a heatmap export that is drawing its pictures."""
        if self.exporter.is_busy():
            self.exporter.cancel()
        self.controller.stop()

    def _on_export_progress(self, kind: str, done: int, total: int) -> None:
        self.actions.stop.setEnabled(True)  # Esc stops the export too (set back when it ends: `_export_ended`)
        self.status.show_message(
            i18n.fill(self.tr("Drawing heatmaps: %1 of %2 (Esc stops; the ones drawn stay)"), done, total)
        )

    def _on_scan_state_changed(self, state: ScanState) -> None:
        busy = state is not ScanState.IDLE
        self.actions.set_busy(busy, scanning=state in (ScanState.SCANNING, ScanState.STOPPING))
        self.status.set_busy(busy, indeterminate=state is ScanState.LOADING)
        if state is ScanState.STOPPING:
            self.status.show_message(self.tr("Stopping…"))
        elif state is ScanState.LOADING:
            self.status.show_message(self.tr("Loading the last scan…"))

    def _on_scan_progress(self, p: ScanProgress) -> None:
        if self.controller.state is ScanState.SCANNING:
            self.status.show_message(self.tr("Scanning %1").replace("%1", Path(p.current).name if p.current else "…"))
        self.status.show_progress(p)

    def _on_scan_finished(self, s: ScanFinished) -> None:
        status = "failed" if s.failure else "cancelled" if s.cancelled else "finished"
        self.last_scan = self._scan_state(status, s.total, s.device)
        if s.runtime:
            self.last_scan.update(runtime=s.runtime, precision=s.precision)
        if s.failure:
            self.notifications.notify(self.tr("The scan stopped"), s.failure, "error")
        rows = self.model.rowCount()
        # re-made after a language switch; what scored the files in the tooltip (the line is full at 1024 px)
        self.status.show_message(
            lambda: self._finished_text(s, rows), lambda: self._scored_on(s), elide=Qt.TextElideMode.ElideRight
        )
        if s.skipped_folders:
            self.notifications.notify(self.tr("Some folders were skipped"), "\n".join(s.skipped_folders[:5]), "error")
        if self.results.current_result() is None and self.model.rowCount():
            self.results.select_row(0)

    def _finished_text(self, s: ScanFinished, rows: int) -> str:
        v = s.verdicts
        if s.failure:
            return i18n.fill(self.tr("The scan stopped early: %1 of %2 images done."), rows, s.total)
        if s.cancelled:
            return i18n.fill(
                self.tr("Scan cancelled: %1 of %2 images done; the results so far are kept."), rows, s.total
            )
        if s.total == 0:
            return self.tr("No image files found in %1.").replace("%1", ", ".join(self.roots))
        text = (
            self.tr("Scanned 1 image in %2: %3 AI, %4 unsure, %5 human, %6 errors; %7 reused from earlier scans.")
            if s.total == 1
            else self.tr(
                "Scanned %1 images in %2: %3 AI, %4 unsure, %5 human, %6 errors; %7 reused from earlier scans."
            )
        )  # no English .qm holds plural forms: the singular is its own string
        return i18n.fill(
            text,
            s.total,
            clock_duration(s.elapsed_s),
            v.get("ai", 0),
            v.get("unsure", 0),
            v.get("human", 0),
            s.errors,
            s.reused,
        )

    def _scored_on(self, s: ScanFinished) -> str:
        """The device, runtime and precision that scored the scan's files; "" where none was scored."""
        if not (s.scored and s.runtime):  # every result came from the library
            return ""
        return self.tr("Scored on %1.").replace("%1", s.device)

    def _on_scan_failed(self, error: BaseException) -> None:
        text = describe_error(error)
        self.status.show_message(self.tr("The scan stopped: %1").replace("%1", text))
        self.notifications.notify(self.tr("The scan stopped"), text, "error")

    def _scan_state(self, status: str, found: int, device: str | None) -> dict[str, object]:
        """How the scan shown ended, for the status bar and the JSON export: `interrupted` where its record was
        never closed (the app was closed or ended mid-scan); `device`: what scored its files (device, runtime
        and precision, as the scan record says it)."""
        rows = self.model.rowCount()
        return {
            "status": status,
            "files_found": max(found, rows),
            "not_reached": max(0, found - rows),
            "device": device or "",
        }

    def _last_scan_text(self, record: ScanRecord, status: str, n: int) -> str:
        when, where = record.started_at.replace("T", " ")[:16], ", ".join(record.roots)
        if status == "finished":
            return i18n.fill(
                self.tr(
                    "Last scan (%1) of %2: %3 images with model %4. Press Scan to check again; unchanged files are reused."
                ),
                when,
                where,
                n,
                record.model_id,
            )
        how = {"cancelled": self.tr("was stopped"), "failed": self.tr("failed")}.get(
            status, self.tr("was interrupted (Miwake was closed)")
        )
        missing = max(0, record.total - n)
        return i18n.fill(
            self.tr(
                "The last scan (%1) of %2 %3 before it finished: %4 images scanned, %5 not reached. "
                "Press Scan to finish it; the scanned images are reused."
            )
            if missing
            else self.tr(
                "The last scan (%1) of %2 %3 before it finished: %4 images scanned, the rest not reached. "
                "Press Scan to finish it; the scanned images are reused."
            ),
            when,
            where,
            how,
            n,
            missing,
        )

    def _on_last_scan_loaded(self, record: ScanRecord | None) -> None:
        if record is None:
            self.status.show_message(lambda: self.tr("Open a folder (or drop one here) and press Scan."))
            return
        self.set_roots(list(record.roots))
        self.apply_decision()  # the settings may have changed since that scan
        status = {"running": "interrupted"}.get(record.status, record.status)
        self.last_scan = self._scan_state(status, record.total, record.device)
        n = self.model.rowCount()
        self.status.show_message(lambda: self._last_scan_text(record, status, n))  # re-made after a language switch
        if self.model.rowCount():
            self.results.select_row(0)

    # -- exports --------------------------------------------------------------------------------------
    def export_rows(self) -> list[ImageResult]:
        """The selected rows when more than one is selected, else every row shown (in the table's order)."""
        selected = self.results.selected_results()
        return selected if len(selected) > 1 else self.results.visible_results()

    def export_results(self, kind: str, dest: str | None = None) -> bool:
        rows = self.export_rows()
        if not rows:
            why = (
                self.tr("The filter hides every row: clear it to export them.")
                if self.model.rowCount()
                else (self.tr("Scan a folder first."))
            )
            self.notifications.notify(self.tr("Nothing to export"), why, "info")
            return False
        if dest is None:
            dest = self._ask_destination(kind, len(rows))
            if not dest:
                return False
        bundle = self.bundles.get(rows[0].model_id)
        scan = {"paths": self.roots, "rows": len(rows), **(self.last_scan or {})}
        self.exporter.export(kind, rows, dest, bundle=bundle, scan=scan, unsure_band=self.settings.unsure_band_override)
        self.status.show_message(self.tr("Exporting %n row(s)…", "", len(rows)))
        return True

    def export_scope(self, n: int) -> str:
        """Which rows an export takes, said before its dialog opens: the selection, what the filter shows, or all."""
        total = self.model.rowCount()
        if len(self.results.selected_results()) > 1:
            return i18n.fill(self.tr("the %1 selected rows"), n)
        if n < total:
            return i18n.fill(self.tr("the %1 rows shown (the filter hides %2 of %3)"), n, total - n, total)
        return i18n.fill(self.tr("all %1 rows"), n) if n != 1 else self.tr("the one row")

    def _ask_destination(self, kind: str, n: int) -> str:
        base = Path(self.roots[0]).name if self.roots else "miwake"
        scope = self.export_scope(n)
        if kind == "heatmaps":
            return choose_folder(self, i18n.fill(self.tr("Folder for the heatmaps of %1"), scope))
        filt = self.tr("CSV files (*.csv)") if kind == "csv" else self.tr("JSON files (*.json)")
        title = i18n.fill(self.tr("Export %1 as CSV") if kind == "csv" else self.tr("Export %1 as JSON"), scope)
        dest = save_file(self, title, f"{base}.{kind}", filt)
        return dest

    def _export_ended(self) -> None:
        self.actions.stop.setEnabled(self.controller.state is ScanState.SCANNING)

    def _on_export_finished(self, kind: str, n: int, dest: str) -> None:
        self._export_ended()
        text = self.tr("%1 written: %2").replace("%1", kind.upper() if kind != "heatmaps" else self.tr("Heatmaps"))
        text = text.replace("%2", dest)
        self.status.show_message(text)
        self.notifications.notify(self.tr("Export finished"), text + "  (" + self.tr("%n item(s)", "", n) + ")", "info")

    def _on_export_skipped(self, kind: str, skipped: list[tuple[str, str]]) -> None:
        names = "\n".join(Path(p).name for p, _ in skipped[:5]) + ("\n…" if len(skipped) > 5 else "")
        self.notifications.notify(
            self.tr("%n file(s) changed since the scan", "", len(skipped)),
            self.tr("No heatmap was drawn for them: their crops belong to the old pixels. Scan again to update.")
            + "\n"
            + names,
            "error",
        )

    def _on_export_failed(self, kind: str, error: BaseException) -> None:
        self._export_ended()
        text = describe_error(error)
        self.status.show_message(self.tr("Export failed: %1").replace("%1", text))
        self.notifications.notify(self.tr("Export failed"), text, "error")

    # -- models and settings --------------------------------------------------------------------------
    def refresh_models(self) -> None:
        reg = ModelRegistry()
        self.bundles = {b.id: b for b in reg.list()}
        try:
            self.active_model_id = active_model_id(reg)
        except MiwakeError:
            self.active_model_id = None
        self.settings = load_settings()
        self.detail.set_models(self.bundles, self.settings.unsure_band_override)
        self._update_model_label()

    def _update_model_label(self) -> None:
        b = self.bundles.get(self.active_model_id or "")
        if b is None:
            self.model_label.setText(self.tr("No model installed"))
            self.model_label.setToolTip(self.tr("Import a model in Models… before scanning."))
        else:
            self.model_label.setText(
                self.tr("Model: %1").replace("%1", b.card.display_name_in(i18n.current_language()))
            )
            self.model_label.setToolTip(
                self.model_label.text() + "\n" + f"{b.id} · {b.card.arch} · {b.card.input_mode} {b.card.crop_size}px"
            )

    def open_models_dialog(self) -> None:
        from .dialogs.models_dialog import ModelsDialog

        dlg = ModelsDialog(self)
        dlg.models_changed.connect(self.refresh_models)
        dlg.exec()

    def open_retrain_wizard(self) -> None:
        """The retraining wizard (non-modal: training can take hours); one at a time."""
        from .wizard import RetrainWizard

        if self.retrain_wizard is not None:
            self.retrain_wizard.show()
            self.retrain_wizard.raise_()
            self.retrain_wizard.activateWindow()
            return
        wizard = RetrainWizard(self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.model_installed.connect(lambda _id: self.refresh_models())
        wizard.destroyed.connect(lambda *_: setattr(self, "retrain_wizard", None))
        self.retrain_wizard = wizard
        wizard.show()

    def open_settings_dialog(self) -> None:
        from .dialogs.settings_dialog import SettingsDialog

        active = self.bundles.get(self.active_model_id or "")
        dlg = SettingsDialog(load_settings(), self, model_band=active.card.unsure_band if active else None)
        dlg.settings_saved.connect(self._on_settings_saved)
        dlg.exec()

    def _on_settings_saved(self, settings: Settings) -> None:
        self.settings = settings
        i18n.apply_language(settings.language)
        self.refresh_models()
        self.apply_decision()

    def apply_decision(self) -> None:
        """Re-decide the shown rows with the band in force now (a changed band applies at once, and exports
        record the band that made their verdicts)."""
        changed = []
        for r in self.model.results():
            b = self.bundles.get(r.model_id)
            if b is None:
                continue
            new = decide(r, self.settings.unsure_band_for(b.card.unsure_band))
            if (new.verdict, new.reason) != (r.verdict, r.reason):
                changed.append(new)
        if changed:
            self.model.append_results(changed)

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.log_dir())))

    def verdict_guide_html(self) -> str:
        """Help → How to read the verdicts: what the probability, the verdicts, the heatmap and the evidence mean."""
        return self.tr(
            "<h3>How to read the verdicts</h3>"
            "<p><b>AI probability</b> — how likely the pixels are AI-generated, by the model's reading of crops of "
            "the picture at their own resolution (0 = human-made, 1 = AI-generated). It is a hint, not proof.</p>"
            "<p><b>AI</b> — the probability is above the model's unsure band: look closer. <b>Human</b> — below it: the "
            "model saw no sign of a generator; it is never a guarantee. <b>Unsure</b> — the model cannot tell; the "
            "probability still says which side it leans to. The band was chosen so that AI and human verdicts were "
            "right about 95 % of the time on sources the model had not seen; the Models dialog shows what was "
            "reached.</p>"
            "<p><b>AI (metadata)</b> — the file itself says it was generated (C2PA Content Credentials, IPTC, the "
            "parameters of Stable Diffusion front ends, an invisible watermark). That decides the verdict. No "
            "metadata means nothing: most files lose it on the way.</p>"
            "<p><b>Heatmap</b> — each coloured square is one crop the model scored (blue human, red AI); hover it to "
            "read its probability. Grey hatching marks parts no crop covered (large images are sampled; Settings → "
            "Most crops per image adds crops).</p>"
            "<p><b>What weakens it</b> — resizing, heavy compression, screenshots and filters remove the traces it "
            "reads; generators it never met may pass as human. For your own domain, retrain it (Tools → "
            "Retrain…).</p>"
        )

    def show_verdict_guide(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("How to read the verdicts"),
            "",
            QMessageBox.StandardButton.Close,
            self,
        )
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(self.verdict_guide_html())
        box.open()

    def show_about(self) -> None:
        try:
            from importlib.metadata import version

            ver = version("miwake")
        except Exception:  # running from a source tree that is not installed
            ver = ""
        QMessageBox.about(
            self,
            self.tr("About Miwake"),
            self.tr(
                "<b>Miwake (見分け) %1</b><p>Tells AI-generated images apart: a score, a verdict and a heatmap "
                "of where the evidence sits, computed on this computer.</p>"
            ).replace("%1", ver),
        )

    # -- drag and drop --------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths_ = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths_:
            event.acceptProposedAction()
            self.open_paths(paths_)

    # -- language and closing -------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        title = "Miwake"
        if self.roots:
            title = f"{', '.join(Path(r).name or r for r in self.roots)} — Miwake"
        self.setWindowTitle(title)
        self.actions.retranslate(self.roots)
        self._update_model_label()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        wizard = self.retrain_wizard
        if wizard is not None and wizard.busy():
            event.ignore()
            self._quit_after_jobs(wizard)
            return
        if wizard is not None:
            wizard.shutdown()
        self.controller.shutdown()
        window_geometry.remember(self, "main")
        for kind in ("task", "thumbnail", "image"):
            pool(kind).waitForDone(5000)
        super().closeEvent(event)

    def ask_quit_with_jobs(self) -> bool:
        """True: stop the retraining job (it saves a checkpoint) and quit; False: keep the app open."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("A retraining job is running"), "", parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            self.tr(
                "Quitting stops the job. Training saves a checkpoint first; the next time you open Retrain… "
                "it offers to continue from there."
            )
        )
        stop = box.addButton(self.tr("Stop the job and quit"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Keep working"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is stop

    def _quit_after_jobs(self, wizard: QDialog) -> None:
        """Ask, then stop the wizard's jobs politely and quit once they have ended (or after QUIT_GRACE_S)."""
        if self._quit_deadline is not None:  # already stopping: closing again does not cut the checkpoint short
            left = max(0, int(self._quit_deadline - time.monotonic()))
            self.status.show_message(
                self.tr("Still stopping the retraining job (saving a checkpoint); Miwake quits within %1 s.").replace(
                    "%1", str(left)
                )
            )
            return
        if not self.ask_quit_with_jobs():
            return
        self._quit_deadline = time.monotonic() + QUIT_GRACE_S
        wizard.stop_jobs()
        self.status.show_message(self.tr("Stopping the retraining job (saving a checkpoint) before quitting…"))
        self._quit_timer.start()

    def _check_quit(self) -> None:
        wizard = self.retrain_wizard
        busy = wizard is not None and wizard.busy()
        if busy and self._quit_deadline is not None and time.monotonic() < self._quit_deadline:
            return
        self._quit_timer.stop()
        if busy:
            log.warning("The retraining job did not stop within %d s; ending it", QUIT_GRACE_S)
        self._quit_deadline = None
        if wizard is not None:
            wizard.shutdown()
        self.close()
