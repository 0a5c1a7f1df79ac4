"""The retraining wizard: seven steps from the user's own images to an installed model of their domain.

A dialog with the steps in a side bar, one page at a time and Back / Next / Close. The pages share one `RunState`
(saved as `run.json` in the run's folder once there is something on disk), and every heavy job (generation,
training, evaluation) runs in a child process through the training API, so a crash or out-of-memory never takes
the app down. Closing while a job runs stops it politely (training saves a checkpoint) and closes afterwards;
reopening the wizard offers to continue.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from miwake.training.folder_scan import FolderScan
from miwake.training.run_state import RunState, Stage, unfinished_runs

from .. import window_geometry
from ..error_hooks import describe_error
from ..widgets.plain_dialogs import plain_question
from .ai_page import AiPage
from .generation_page import GenerationPage
from .goal_page import GoalPage
from .human_page import HumanPage
from .job_runner import JobRunner
from .results_page import ResultsPage
from .train_settings_page import TrainSettingsPage
from .training_page import TrainingPage
from .wizard_page import MessageLabel, WizardPage

log = logging.getLogger(__name__)

PREFERRED_SIZE = QSize(1040, 760)  # shrunk to the screen's available area (window_geometry)
RESUME_PAGE = {Stage.GENERATING: 3, Stage.GENERATED: 4, Stage.TRAINING: 5, Stage.TRAINED: 6}


class RetrainWizard(QDialog):
    model_installed = Signal(str)  # the new model's id, once installed
    page_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RetrainWizard")
        self.state = RunState()
        self.human_scan: FolderScan | None = None
        self._closing = False

        self.steps = QListWidget(self)
        self.steps.setFixedWidth(210)
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.steps.setStyleSheet(
            "QListWidget { border:none; background:transparent; } QListWidget::item { padding:6px; }"
        )
        self.title_label = QLabel(self)
        font = QFont(self.title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title_label.setFont(font)
        self.subtitle_label = QLabel(self)
        self.subtitle_label.setWordWrap(True)
        self.subtitle_label.setStyleSheet("color:#555")
        self.stack = QStackedWidget(self)
        self.goal_page = GoalPage(self)
        self.human_page = HumanPage(self)
        self.ai_page = AiPage(self)
        self.generation_page = GenerationPage(self)
        self.settings_page = TrainSettingsPage(self)
        self.training_page = TrainingPage(self)
        self.results_page = ResultsPage(self)
        self.pages: list[WizardPage] = [
            self.goal_page,
            self.human_page,
            self.ai_page,
            self.generation_page,
            self.settings_page,
            self.training_page,
            self.results_page,
        ]
        for page in self.pages:
            self.stack.addWidget(page)
            page.changed.connect(self._update_buttons)
            self.steps.addItem(QListWidgetItem(""))
        self.closing_message = MessageLabel(self)
        self.back_button = QPushButton(self)
        self.next_button = QPushButton(self)
        self.close_button = QPushButton(self)
        for b in (self.back_button, self.close_button):
            b.setAutoDefault(False)
        self.next_button.setDefault(True)

        content = QVBoxLayout()
        content.addWidget(self.title_label)
        content.addWidget(self.subtitle_label)
        content.addSpacing(6)
        # the pages scroll where the screen is smaller than they would like (a 1024 x 700 laptop): the step list
        # and the Back / Next / Close buttons stay on screen
        self.page_area = QScrollArea(self)
        self.page_area.setWidget(self.stack)
        self.page_area.setWidgetResizable(True)
        self.page_area.setFrameShape(QFrame.Shape.NoFrame)
        self.page_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        content.addWidget(self.page_area, 1)
        body = QHBoxLayout()
        body.addWidget(self.steps)
        body.addLayout(content, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.closing_message, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addLayout(body, 1)
        lay.addLayout(buttons)

        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.close_button.clicked.connect(self.close)
        for r in self.runners():
            r.job_finished.connect(lambda *_: QTimer.singleShot(0, self._maybe_finish_closing))
            r.job_finished.connect(lambda *_: self._update_buttons())
        self._index = 0
        self.ai_page.load()  # the defaults of a new run
        runs = unfinished_runs()
        self.goal_page.offer_resume(runs[0] if runs else None)
        self.retranslate_ui()
        self._show_page(0, forward=True)
        window_geometry.restore(self, "wizard", PREFERRED_SIZE)

    # -- pages ----------------------------------------------------------------------------------------------------
    @property
    def index(self) -> int:
        return self._index

    def current_page(self) -> WizardPage:
        return self.pages[self._index]

    def go_next(self) -> bool:
        page = self.current_page()
        if not page.is_complete() or page.is_busy() or not page.validate():
            self._update_buttons()
            return False
        page.store()
        page.leave()
        self.save_state()
        if self._index == len(self.pages) - 1:
            self.close()
            return True
        self._show_page(self._index + 1, forward=True)
        return True

    def go_back(self) -> bool:
        page = self.current_page()
        if self._index == 0 or not page.can_go_back():
            return False
        page.leave()
        self._show_page(self._index - 1, forward=False)
        return True

    def _show_page(self, index: int, forward: bool) -> None:
        page = self.pages[index]
        entered = False
        if page is self.generation_page and not (self.state.gen.enabled or self.state.gen.reconstruct):
            # nothing to make (only folders of the user's own AI images): the page would show an empty preview
            page.enter(forward)  # records the run and its stage, then it is done at once
            entered = True
            if page.is_complete() and 0 < index < len(self.pages) - 1:
                self._show_page(index + 1 if forward else index - 1, forward)
                return
        self._index = index
        self.stack.setCurrentIndex(index)
        if not entered:
            page.enter(forward)
        self._retranslate_header()
        self._update_buttons()
        self.page_changed.emit(index)

    def continue_run(self, state: RunState) -> None:
        """Reopen an unfinished run at the page where it stopped (generation and training continue by themselves)."""
        self.state = state
        self.goal_page.offer_resume(None)
        for page in (self.goal_page, self.human_page, self.ai_page):
            page.load()
        self._show_page(RESUME_PAGE.get(state.stage, 0), forward=True)

    # -- the run --------------------------------------------------------------------------------------------------
    def ensure_run(self) -> None:
        """Give the run its folder (when the first job is about to write there)."""
        if not self.state.run_id:
            self.state.start()
            self.save_state()

    def set_stage(self, stage: Stage) -> None:
        self.state.stage = stage
        self.save_state()

    def save_state(self) -> None:
        try:
            self.state.save()
        except OSError as e:  # a full disk must not stop the wizard; the run just cannot be resumed
            log.warning("Could not save the retraining run: %s", e)
            self.closing_message.show_message(describe_error(e), "error")

    def runners(self) -> list[JobRunner]:
        return [
            self.generation_page.runner,
            self.settings_page.bench.runner,
            self.training_page.runner,
            self.results_page.runner,
        ]

    def busy(self) -> bool:
        return any(r.running for r in self.runners())

    def other_jobs_running(self, runner: object) -> bool:
        """Whether a job other than `runner`'s is still running (the wizard runs one job at a time)."""
        return any(r.running for r in self.runners() if r is not runner)

    def _update_buttons(self) -> None:
        page = self.current_page()
        last = self._index == len(self.pages) - 1
        self.back_button.setEnabled(self._index > 0 and page.can_go_back() and not self._closing)
        self.next_button.setEnabled(page.is_complete() and not page.is_busy() and not self._closing)
        self.next_button.setText(self.tr("Finish") if last else self.tr("Next >"))
        for row in range(self.steps.count()):
            item = self.steps.item(row)
            f = item.font()
            f.setBold(row == self._index)
            item.setFont(f)
            item.setForeground(
                self.palette().color(
                    self.palette().ColorRole.WindowText
                    if row <= self._index
                    else self.palette().ColorRole.PlaceholderText
                )
            )

    # -- size -----------------------------------------------------------------------------------------------------
    STEPS_MIN_WIDTH = 1000  # narrower than this (a 1024 px screen), the step list gives its room to the page

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.steps.setVisible(self.width() >= self.STEPS_MIN_WIDTH)
        super().resizeEvent(event)

    # -- closing --------------------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._request_close():
            event.ignore()
            return
        for page in self.pages:
            page.stop()  # folder scans still running
        window_geometry.remember(self, "wizard")
        super().closeEvent(event)

    def reject(self) -> None:
        if self._request_close():
            window_geometry.remember(self, "wizard")
            super().reject()

    def _request_close(self) -> bool:
        """True when the wizard may close now; with a job running, stop it first (after asking) and close later."""
        if not self.busy():
            return True
        if self._closing:
            return False
        if (
            plain_question(
                self,
                self.tr("Stop and close"),
                self.tr(
                    "A job is still running. Stop it and close the wizard? The work done so far is kept: reopen the "
                    "wizard to continue."
                ),
            )
            != QMessageBox.StandardButton.Yes
        ):
            return False
        self._closing = True
        self.closing_message.show_message(lambda: self.tr("Stopping (training saves a checkpoint first)…"), "info")
        self.stop_jobs()
        self._update_buttons()
        return False

    def stop_jobs(self) -> None:
        """Ask every running job to stop at its next safe point (training saves a checkpoint first)."""
        for page in self.pages:
            page.stop()
        self.results_page.runner.kill()  # an evaluation has nothing to save

    def _maybe_finish_closing(self) -> None:
        if self._closing and not self.busy():
            self._closing = False
            self.close()

    def shutdown(self) -> None:
        """End every job now and wait for the processes (app exit, tests)."""
        for page in self.pages:
            page.kill()

    # -- language -------------------------------------------------------------------------------------------------
    def _retranslate_header(self) -> None:
        page = self.current_page()
        self.title_label.setText(page.title())
        self.subtitle_label.setText(page.subtitle())

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Retrain Miwake on your images"))
        names = (
            self.tr("Goal"),
            self.tr("Human-made images"),
            self.tr("AI images"),
            self.tr("Generation"),
            self.tr("Training settings"),
            self.tr("Training"),
            self.tr("Results"),
        )
        for row, name in enumerate(names):
            self.steps.item(row).setText(f"{row + 1}. {name}")
        self.back_button.setText(self.tr("< Back"))
        self.close_button.setText(self.tr("Close"))
        self.closing_message.retranslate()
        self._retranslate_header()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
