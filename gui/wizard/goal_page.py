"""Page 1: fine-tune the active model or train a new one, and the new model's name (its registry id).

When an earlier run stopped before its model was installed or discarded, a banner offers to continue it.
"""

from __future__ import annotations

import shutil
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from miwake.core.bundle import Bundle
from miwake.core.errors import MiwakeError
from miwake.core.model_choice import active_model_id
from miwake.core.registry import ModelRegistry
from miwake.training.run_state import RunState, Stage, TrainSettings, unfinished_runs, valid_model_id

from ..i18n import current_language
from ..widgets.plain_dialogs import plain_question
from .advice import fill
from .wizard_page import MessageLabel, WizardPage


class GoalPage(WizardPage):
    def __init__(self, wizard) -> None:
        super().__init__(wizard)
        self.resume_box = QFrame(self)
        self.resume_box.setObjectName("resume_box")
        self.resume_box.setStyleSheet(
            "#resume_box { background:#f0f6fc; border:1px solid #3182bd; border-radius:6px; }"
        )
        self.resume_label = QLabel(self.resume_box)
        self.resume_label.setWordWrap(True)
        self.resume_button = QPushButton(self.resume_box)
        self.delete_run_button = QPushButton(self.resume_box)
        for b in (self.resume_button, self.delete_run_button):
            b.setAutoDefault(False)
        rb = QHBoxLayout(self.resume_box)
        rb.addWidget(self.resume_label, 1)
        rb.addWidget(self.resume_button)
        rb.addWidget(self.delete_run_button)
        self.resume_box.hide()

        self.finetune = QRadioButton(self)
        self.new = QRadioButton(self)
        self.group = QButtonGroup(self)
        self.group.addButton(self.finetune)
        self.group.addButton(self.new)
        self.finetune_note = QLabel(self)
        self.new_note = QLabel(self)
        for note in (self.finetune_note, self.new_note):
            note.setWordWrap(True)
            note.setStyleSheet("color:#555; margin-left:22px;")
        self.name = QLineEdit(self)
        self.name.setMaxLength(64)
        self.name_label = QLabel(self)
        self.name_hint = QLabel(self)
        self.name_hint.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.name_hint.setWordWrap(True)
        self.name_hint.setStyleSheet("color:#555")
        self.message = MessageLabel(self)

        form = QFormLayout()
        form.addRow(self.name_label, self.name)
        form.addRow("", self.name_hint)
        lay = QVBoxLayout(self)
        lay.addWidget(self.resume_box)
        lay.addSpacing(6)
        lay.addWidget(self.finetune)
        lay.addWidget(self.finetune_note)
        lay.addSpacing(6)
        lay.addWidget(self.new)
        lay.addWidget(self.new_note)
        lay.addSpacing(12)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addStretch(1)

        self._active: Bundle | None = None
        self._installed: set[str] = set()
        self._resumable: RunState | None = None
        self._name_edited = False
        self.refresh_models()
        self.group.buttonToggled.connect(lambda *_: self._on_goal_changed())
        self.name.textEdited.connect(self._on_name_edited)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self.delete_run_button.clicked.connect(lambda: self.delete_offered_run())
        self.retranslate_ui()

    def refresh_models(self) -> None:
        reg = ModelRegistry()
        models = reg.list()
        self._installed = {b.id.lower() for b in models}
        try:
            active_id = active_model_id(reg)
        except MiwakeError:
            active_id = None
        self._active = next((b for b in models if b.id == active_id), None)
        self.finetune.setEnabled(self._active is not None)
        if self._active is None:
            self.new.setChecked(True)
        elif not self.group.checkedButton():
            self.finetune.setChecked(True)

    @property
    def active_model(self) -> Bundle | None:
        return self._active

    def offer_resume(self, run: RunState | None) -> None:
        self._resumable = run
        self.resume_box.setVisible(run is not None)
        self._retranslate_resume()

    # -- page API -------------------------------------------------------------------------------------------------
    def title(self) -> str:
        return self.tr("What do you want to do?")

    def subtitle(self) -> str:
        return self.tr(
            "Teach Miwake your own domain: it learns from your human-made images and from AI images made to look "
            "like them. Nothing is installed until you say so at the end."
        )

    def load(self) -> None:
        (self.finetune if self.state.goal == "finetune" else self.new).setChecked(True)
        self.name.setText(self.state.model_id)
        self._name_edited = True

    def store(self) -> None:
        s = self.state
        goal = "finetune" if self.finetune.isChecked() else "new"
        base = self._active.id if self._active is not None else ""
        if goal != s.goal or (goal == "finetune" and s.train.init != base):
            s.train = TrainSettings(device=s.train.device, workers=s.train.workers)  # defaults for the new goal
            if goal == "finetune" and self._active is not None:
                c = self._active.card
                s.train.init, s.train.arch, s.train.mode, s.train.crop = base, c.arch, c.input_mode, c.crop_size
                s.train.epochs = 5
        s.goal, s.base_model = goal, base
        s.model_id = self.name.text().strip()

    def enter(self, forward: bool) -> None:
        if not self.name.text():
            self._suggest_name()
        self._check_name()

    def is_complete(self) -> bool:
        return self._name_problem() is None and self.group.checkedButton() is not None

    def validate(self) -> bool:
        problem = self._name_problem()
        if problem is not None:
            self.message.show_message(problem, "error")
            return False
        return True

    def can_go_back(self) -> bool:
        return False

    # -- name -----------------------------------------------------------------------------------------------------
    def _suggest_name(self) -> None:
        base = (self._active.id + "-mine") if self.finetune.isChecked() and self._active else "my-detector"
        name, n = base, 1
        while name.lower() in self._installed:
            n += 1
            name = f"{base}-{n}"
        self.name.setText(name)

    def _name_problem(self):
        text = self.name.text().strip()
        if not text:
            return lambda: self.tr("Give the new model a name.")
        if not valid_model_id(text):
            return lambda: self.tr(
                "Use letters, digits, “-”, “_” and “.” only (no spaces or path characters), starting with a letter "
                "or digit; at most 64 characters."
            )
        if text.lower() in self._installed:
            return lambda: fill(self.tr("A model called %1 is already installed: choose another name."), text)
        return None

    def _check_name(self) -> None:
        problem = self._name_problem()
        if problem is None:
            self.message.clear_message()
        else:
            self.message.show_message(problem, "error")
        self.changed.emit()

    def _on_name_edited(self, _text: str) -> None:
        self._name_edited = True
        self._check_name()

    def _on_goal_changed(self) -> None:
        if not self._name_edited:
            self._suggest_name()
        self._check_name()

    def _on_resume_clicked(self) -> None:
        if self._resumable is not None:
            self.wizard.continue_run(self._resumable)

    def delete_offered_run(self, confirm: bool = True) -> None:
        """Delete the offered run's folder (its images, checkpoint and unfinished model); offer the next one."""
        run = self._resumable
        if run is None:
            return
        if (
            confirm
            and plain_question(
                self,
                self.tr("Delete the unfinished run"),
                fill(
                    self.tr("Delete the run “%1” with everything it made (in %2)? This cannot be undone."),
                    run.model_id,
                    str(run.folder),
                ),
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        shutil.rmtree(run.folder, ignore_errors=True)
        runs = unfinished_runs()
        self.offer_resume(runs[0] if runs else None)

    # -- language -------------------------------------------------------------------------------------------------
    def _retranslate_resume(self) -> None:
        run = self._resumable
        if run is None:
            return
        where = {
            Stage.GENERATING: self.tr("while making AI images"),
            Stage.GENERATED: self.tr("after making AI images, before training"),
            Stage.TRAINING: self.tr("during training"),
            Stage.TRAINED: self.tr("after training, before installing the model"),
        }.get(run.stage, "")
        self.resume_label.setText(
            fill(
                self.tr("<b>An unfinished run:</b> “%1”, started %2, stopped %3. Continue where it stopped?"),
                escape(run.model_id),  # rich text (the bold lead): the data is escaped
                run.created.replace("T", " ")[:16],
                where,
            )
        )
        self.resume_button.setText(self.tr("Continue that run"))
        self.delete_run_button.setText(self.tr("Delete it"))

    def retranslate_ui(self) -> None:
        name = self._active.card.display_name_in(current_language()) if self._active else self.tr("none installed")
        self.finetune.setText(fill(self.tr("Fine-tune the active model (%1)"), name))
        self.finetune_note.setText(
            self.tr(
                "Recommended: starts from what the model already knows and adapts it to your images. Needs fewer "
                "images and less time."
            )
        )
        self.new.setText(self.tr("Train a new model"))
        self.new_note.setText(
            self.tr("Starts from a general image network. Needs more images (several hundred per class) and time.")
        )
        self.name_label.setText(self.tr("Name of the new model:"))
        self.name_hint.setText(
            self.tr(
                "The name is the model's id in Miwake (Models… and the command line). The active model stays "
                "untouched: the result is a separate model."
            )
        )
        self.message.retranslate()
        self._retranslate_resume()
