"""The base of the wizard's pages, and a message label that re-translates itself on a language switch."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

if TYPE_CHECKING:
    from miwake.training.folder_scan import FolderScan
    from miwake.training.run_state import RunState, Stage

_LEVEL_STYLES = {
    "error": "color:#8b1a1a; background:#fff1f0; border:1px solid #d73027; border-radius:4px; padding:6px;",
    "warning": "color:#6b4500; background:#fff8e5; border:1px solid #e0a100; border-radius:4px; padding:6px;",
    "info": "color:#1d3f5e; background:#f0f6fc; border:1px solid #3182bd; border-radius:4px; padding:6px;",
    "ok": "color:#1b5e20; background:#eef8ee; border:1px solid #4caf50; border-radius:4px; padding:6px;",
}


class MessageLabel(QLabel):
    """A boxed message (error / warning / info / ok). The text comes from a callable, so a language switch
    re-renders it in the new language."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # messages quote file names and job errors
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._make: Callable[[], str] | None = None
        self.level = ""
        self.hide()

    def show_message(self, make: Callable[[], str] | str, level: str = "info") -> None:
        self._make = make if callable(make) else (lambda text=make: text)
        self.level = level
        self.setStyleSheet(_LEVEL_STYLES.get(level, ""))
        self.setText(self._make())
        self.show()

    def clear_message(self) -> None:
        self._make = None
        self.level = ""
        self.setText("")
        self.hide()

    def retranslate(self) -> None:
        if self._make is not None:
            self.setText(self._make())


class WizardHost(Protocol):
    """What a page may ask of the wizard that holds it (`RetrainWizard` is one): a Protocol, so the pages need not
    import the wizard that imports them."""

    state: RunState
    human_scan: FolderScan | None
    ai_page: WizardPage
    model_installed: Any  # Signal(str)

    def set_stage(self, stage: Stage) -> None: ...

    def save_state(self) -> None: ...

    def ensure_run(self) -> None: ...

    def continue_run(self, state: RunState) -> None: ...

    def other_jobs_running(self, runner: object) -> bool: ...


class WizardPage(QWidget):
    """One step. The wizard calls `enter()` when the page is shown, `validate()` on Next, `store()` before leaving
    forwards, `load()` after a run was reopened. `changed` asks the wizard to re-check Back/Next."""

    changed = Signal()

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(wizard)  # type: ignore[arg-type]  # the host is the wizard's QWidget
        self.wizard = wizard

    @property
    def state(self) -> RunState:
        return self.wizard.state

    def title(self) -> str:
        return ""

    def subtitle(self) -> str:
        return ""

    def load(self) -> None:
        """Show the run's settings (a reopened run)."""

    def store(self) -> None:
        """Write the widgets into the run's settings."""

    def enter(self, forward: bool) -> None:
        """The page is shown (`forward`: coming from the previous page)."""

    def leave(self) -> None:
        """The page is left (either way)."""

    def is_complete(self) -> bool:
        return True

    def validate(self) -> bool:
        """On Next: True to go on (show a message otherwise)."""
        return True

    def can_go_back(self) -> bool:
        return not self.is_busy()

    def is_busy(self) -> bool:
        """A job of this page is running."""
        return False

    def stop(self) -> None:
        """Ask this page's job to stop (the wizard is closing)."""

    def kill(self) -> None:
        """End this page's job at once and wait for it (app shutdown, tests)."""

    def retranslate_ui(self) -> None:
        pass

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def open_folder(path: str) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(path))
