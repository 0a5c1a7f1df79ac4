"""Page 7: how good the new model is, beside the previously active model on the same validation images (an
`evaluate` job), and the decision: install and use, install only, or discard. Nothing is installed before that."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout

from miwake.core.bundle import Bundle, read_bundle
from miwake.core.errors import MiwakeError
from miwake.core.model_choice import use_model
from miwake.core.registry import ModelRegistry
from miwake.training.evaluate import read_report, samples_from_report
from miwake.training.jobs import EvaluateJob
from miwake.training.run_state import Stage

from ..error_hooks import describe_error
from ..i18n import current_language
from ..widgets.plain_dialogs import plain_question
from ..workers import run_task
from .advice import failure_text, fill
from .chart_widget import NEW_COLOR, OLD_COLOR, ChartWidget, Series
from .job_runner import JobRunner
from .results_view import ConfusionWidget, MetricsTable
from .wizard_page import MessageLabel, WizardPage, open_folder

log = logging.getLogger(__name__)

WORSE_BY = 0.01  # a held-out AUC this much below the previous model's: not recommended


class ResultsPage(WizardPage):
    def __init__(self, wizard) -> None:
        super().__init__(wizard)
        self.runner = JobRunner(self)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.summary.setWordWrap(True)
        self.table = MetricsTable(self)
        self.new_confusion = ConfusionWidget(self)
        self.old_confusion = ConfusionWidget(self)
        self.roc = ChartWidget(self, x_range=(0.0, 1.0), y_range=(0.0, 1.0), diagonal=True, square=True)
        self.roc.setMinimumSize(240, 240)
        self.compare_status = QLabel(self)
        self.compare_status.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.compare_status.setWordWrap(True)
        self.compare_status.setStyleSheet("color:#555")
        self.install_use_button = QPushButton(self)
        self.install_button = QPushButton(self)
        self.discard_button = QPushButton(self)
        self.install_use_button.setDefault(True)
        self.message = MessageLabel(self)
        self.advice = MessageLabel(self)  # a new model that is worse than the one before, or whose training diverged
        self.images_label = QLabel(self)
        self.images_label.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.images_label.setWordWrap(True)
        self.open_images_button = QPushButton(self)
        self.delete_images_button = QPushButton(self)

        left = QVBoxLayout()
        left.addWidget(self.table)
        conf = QHBoxLayout()
        conf.addWidget(self.new_confusion)
        conf.addWidget(self.old_confusion)
        left.addLayout(conf)
        left.addWidget(self.compare_status)
        left.addStretch(1)
        middle = QHBoxLayout()
        middle.addLayout(left, 1)
        middle.addWidget(self.roc, 1)
        decide = QHBoxLayout()
        decide.addWidget(self.install_use_button)
        decide.addWidget(self.install_button)
        decide.addWidget(self.discard_button)
        decide.addStretch(1)
        images = QHBoxLayout()
        images.addWidget(self.images_label, 1)
        images.addWidget(self.open_images_button)
        images.addWidget(self.delete_images_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addLayout(middle, 1)
        lay.addWidget(self.advice)
        lay.addLayout(decide)
        lay.addWidget(self.message)
        lay.addLayout(images)

        self.new_series = Series("", NEW_COLOR)
        self.old_series = Series("", OLD_COLOR, dashed=True)
        self.roc.set_series([self.new_series, self.old_series])
        self.bundle: Bundle | None = None
        self.report: dict[str, Any] | None = None
        self.previous: Bundle | None = None
        self.previous_report: dict[str, Any] | None = None
        self._compare = ""  # "", running, done, failed, none
        self._compare_error = ""
        self._busy = False
        self.runner.event_received.connect(self._on_eval_event)
        self.runner.job_finished.connect(self._on_eval_finished)
        self.install_use_button.clicked.connect(lambda: self.install(activate=True))
        self.install_button.clicked.connect(lambda: self.install(activate=False))
        self.discard_button.clicked.connect(lambda: self.discard())
        self.open_images_button.clicked.connect(lambda: open_folder(str(self.state.folder)))
        self.delete_images_button.clicked.connect(lambda: self.delete_images())
        self.retranslate_ui()

    # -- loading --------------------------------------------------------------------------------------------------
    def enter(self, forward: bool) -> None:
        s = self.state
        try:
            self.bundle = read_bundle(s.bundle_path or s.model_dir) if s.stage is not Stage.DISCARDED else None
        except (MiwakeError, OSError) as e:
            self.bundle = None
            if s.stage is Stage.TRAINED:
                self.message.show_message(lambda err=e: describe_error(err), "error")
        report = s.report_path or str(s.model_dir / "training" / "validation_report.json")
        if Path(report).is_file():
            run_task(read_report, report, on_done=self._on_report, parent=self)
        self._find_previous()
        if self.previous is None:
            self._compare = "none"
        self._show()

    def _find_previous(self) -> None:
        self.previous = None
        if self.state.base_model:
            try:
                self.previous = ModelRegistry().get(self.state.base_model)
            except MiwakeError:
                self.previous = None

    def _compare_path(self) -> Path:
        return self.state.compare_dir / f"{self.state.base_model}.json"

    def _on_report(self, result: dict[str, Any] | None, error: BaseException | None) -> None:
        if error is not None or result is None:
            self.compare_status.setText(describe_error(error) if error else "")
            return
        self.report = result
        self.new_series.points = [(float(f), float(t)) for f, t, *_ in result.get("roc", [])]
        if self._compare_path().is_file():
            run_task(read_report, str(self._compare_path()), on_done=self._on_previous_report, parent=self)
        elif self.previous is not None and not self.runner.running and samples_from_report(result):
            self._compare = "running"
            self.runner.start(
                EvaluateJob(
                    model=str(self.previous.path),
                    samples=tuple(samples_from_report(result)),
                    report=str(self._compare_path()),
                    jpeg90=False,
                    device=self.state.train.device,
                ).spec()
            )
        elif self.previous is not None and not self.runner.running:
            self._compare = "none"  # no scored validation images to compare on
        self._show()

    def _on_eval_event(self, ev: dict[str, Any]) -> None:
        if ev.get("event") == "EvalProgress":
            self.compare_status.setText(
                fill(
                    self.tr("Checking the previous model on the same validation images: %1 of %2…"),
                    ev.get("done", 0),
                    ev.get("total", 0),
                )
            )

    def _on_eval_finished(self, result: dict[str, Any]) -> None:
        if result.get("status") == "finished" and self._compare_path().is_file():
            run_task(read_report, str(self._compare_path()), on_done=self._on_previous_report, parent=self)
            return
        self._compare = "failed"
        self._compare_error = failure_text(result, "evaluate") if result.get("status") == "failed" else ""
        self._show()

    def _on_previous_report(self, result: dict[str, Any] | None, error: BaseException | None) -> None:
        self.previous_report = result
        self._compare = "done" if result is not None else "failed"
        if result is not None:
            self.old_series.points = [(float(f), float(t)) for f, t, *_ in result.get("roc", [])]
        self._show()

    # -- display --------------------------------------------------------------------------------------------------
    def _show(self) -> None:
        s = self.state
        new_name = self.bundle.card.display_name_in(current_language()) if self.bundle else s.model_id
        old_name = (
            self.previous.card.display_name_in(current_language())
            if self.previous
            else (s.base_model or self.tr("no previous model"))
        )
        new_m = (self.report or {}).get("metrics") or (self.bundle.card.metrics if self.bundle else None)
        old_m = (self.previous_report or {}).get("metrics")
        self.table.set_column(0, fill(self.tr("New model\n%1"), new_name), new_m)
        self.table.set_column(1, fill(self.tr("Before\n%1"), old_name), old_m)
        self.new_confusion.set_confusion(fill(self.tr("New: %1"), new_name), (new_m or {}).get("confusion"))
        self.old_confusion.set_confusion(fill(self.tr("Before: %1"), old_name), (old_m or {}).get("confusion"))
        self.old_confusion.setVisible(self.previous is not None)
        self.new_series.name = fill(self.tr("new (AUC %1)"), self.table.value(0, "auc"))
        self.old_series.name = fill(self.tr("before (AUC %1)"), self.table.value(1, "auc")) if old_m else ""
        self.roc.update()
        sources = (
            ((self.bundle.card.training or {}).get("data") or {}).get("validation_sources") if self.bundle else None
        )
        self.summary.setText(
            fill(
                self.tr(
                    "Measured on %1 validation images from sources the model never trained on: %2. Each model "
                    "decides at its own threshold."
                ),
                (new_m or {}).get("n", "–"),
                ", ".join(sources or []) or "–",
            )
        )
        if self._compare == "running" and not self.compare_status.text():
            self.compare_status.setText(self.tr("Checking the previous model on the same validation images…"))
        elif self._compare == "done":
            self.compare_status.setText("")
        elif self._compare == "none":
            self.compare_status.setText(self.tr("No model was installed before: there is nothing to compare with."))
        elif self._compare == "failed":
            self.compare_status.setText(self.tr("The previous model could not be checked.") + " " + self._compare_error)
        concern = self.concern()
        if concern and s.stage is not Stage.INSTALLED:
            self.advice.show_message(lambda c=concern: self._concern_text(c), "warning")
        else:
            self.advice.clear_message()
        self.install_use_button.setDefault(concern is None)
        self.discard_button.setDefault(concern is not None)
        decided = s.stage in (Stage.INSTALLED, Stage.DISCARDED)
        for b in (self.install_use_button, self.install_button, self.discard_button):
            b.setEnabled(self.bundle is not None and not decided and not self._busy)
        made = s.made_folders()
        self.images_label.setText(
            fill(self.tr("The images this run made are in %1"), str(s.folder))
            if made
            else self.tr("This run's generated images have been deleted.")
            if s.uses_sd()
            else self.tr("This run generated no images: it trained on the folders you chose.")
        )
        self.open_images_button.setEnabled(bool(made))
        self.delete_images_button.setEnabled(bool(made) and not self.runner.running)

    def concern(self) -> str | None:
        """Why installing the new model is not recommended: "diverged" (its training ran away), "worse" (lower AUC
        than the model before on the same held-out images), or None."""
        if self.bundle is None:
            return None
        if (self.bundle.card.training or {}).get("status") == "diverged":
            return "diverged"
        new_m = (self.report or {}).get("metrics") or self.bundle.card.metrics or {}
        old_m = (self.previous_report or {}).get("metrics") or {}
        new_auc, old_auc = new_m.get("auc"), old_m.get("auc")
        if isinstance(new_auc, (int, float)) and isinstance(old_auc, (int, float)) and new_auc < old_auc - WORSE_BY:
            return "worse"
        return None

    def _concern_text(self, concern: str) -> str:
        new_auc = self.table.value(0, "auc") or "–"
        old_auc = self.table.value(1, "auc") or "–"
        if concern == "diverged":
            return self.tr(
                "Not recommended: the training diverged (its loss ran away) and was stopped. The result "
                "keeps the best weights before that; discard it unless the comparison shows it helps."
            )
        return fill(
            self.tr(
                "Not recommended: the new model is worse than the model you use now on the held-out "
                "images (AUC %1 against %2). Keep the current model and discard this one."
            ),
            new_auc,
            old_auc,
        )

    # -- decisions ------------------------------------------------------------------------------------------------
    def install(self, activate: bool, confirm: bool = True) -> None:
        if self.bundle is None or self._busy:
            return
        concern = self.concern()
        if (
            concern
            and confirm
            and plain_question(
                self,
                self.tr("Install anyway?"),
                self._concern_text(concern) + "\n\n" + self.tr("Install it anyway?"),
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        self._busy = True
        self.message.show_message(lambda: self.tr("Checking and installing the model…"), "info")
        self._show()

        def work(path: str, activate: bool) -> Bundle:
            reg = ModelRegistry()
            installed = reg.import_bundle(path)
            if activate:
                use_model(installed.id, reg)
            return installed

        run_task(
            work,
            str(self.bundle.path),
            activate,
            on_done=lambda result, error: self._on_installed(result, error, activate),
            parent=self,
        )

    def _on_installed(self, result: Bundle | None, error: BaseException | None, activate: bool) -> None:
        self._busy = False
        if error is not None or result is None:
            self.message.show_message(
                lambda: fill(self.tr("The model was not installed: %1"), describe_error(error)), "error"
            )
            self._show()
            return
        self.state.installed_id = result.id
        self.wizard.set_stage(Stage.INSTALLED)
        name = result.card.display_name_in(current_language())
        if activate:
            self.message.show_message(lambda: fill(self.tr("Installed %1; the next scans use it."), name), "ok")
        else:
            self.message.show_message(
                lambda: fill(self.tr("Installed %1. Choose it in Models… to scan with it."), name), "ok"
            )
        self._show()
        self.changed.emit()
        self.wizard.model_installed.emit(result.id)

    def discard(self, confirm: bool = True) -> None:
        if self.bundle is None or self._busy:
            return
        if (
            confirm
            and plain_question(
                self,
                self.tr("Discard the model"),
                self.tr("Discard the new model? It is deleted; the generated images are kept."),
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        shutil.rmtree(self.state.model_dir, ignore_errors=True)
        self.bundle = None
        self.wizard.set_stage(Stage.DISCARDED)
        self.message.show_message(lambda: self.tr("The new model was discarded. Nothing was installed."), "info")
        self._show()
        self.changed.emit()

    def delete_images(self, confirm: bool = True) -> None:
        folders = self.state.made_folders()
        if not folders or self.runner.running:
            return
        if (
            confirm
            and plain_question(
                self,
                self.tr("Delete the generated images"),
                fill(
                    self.tr("Delete the images this run made (in %1)? They cannot be recovered."),
                    str(self.state.folder),
                ),
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        for d in folders:
            shutil.rmtree(d, ignore_errors=True)
        self._show()

    # -- page API -------------------------------------------------------------------------------------------------
    def title(self) -> str:
        return self.tr("Results")

    def subtitle(self) -> str:
        return self.tr(
            "How well the new model tells AI images from human-made ones it has never seen, beside the model "
            "you used before. Install it only if it is better for your images."
        )

    def is_busy(self) -> bool:
        return self._busy

    def can_go_back(self) -> bool:
        return False

    def kill(self) -> None:
        self.runner.kill()
        self.runner.wait(15)

    def retranslate_ui(self) -> None:
        self.install_use_button.setText(self.tr("Install and use"))
        self.install_button.setText(self.tr("Install only"))
        self.discard_button.setText(self.tr("Discard"))
        self.open_images_button.setText(self.tr("Open folder"))
        self.delete_images_button.setText(self.tr("Delete generated images"))
        self.roc.set_labels(
            self.tr("ROC curve (top left = perfect)"),
            self.tr("human-made images flagged"),
            self.tr("AI images caught"),
            self.tr("No ROC curve"),
        )
        self.message.retranslate()
        if self.state.run_id:
            self._show()
