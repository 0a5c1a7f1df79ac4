"""Main-window details a person notices (issue #17, items 5 and 8-14)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyleOptionHeader

from miwake.core.results import ErrorKind, ImageResult, Verdict
from miwake.core.settings import load_settings
from miwake.gui.models.results_model import Column
from miwake.gui.widgets import file_dialogs
from miwake.gui.widgets.elided_label import ElidedLabel


def _r(path: str, p: float = 0.5, v: Verdict = Verdict.UNSURE, **kw) -> ImageResult:
    return ImageResult(path=path, size=10, probability=p, verdict=v, crops=1, model_id="tiny", **kw)


def test_export_to_a_missing_folder_names_the_folder_and_clears_the_status(qtbot, window, tmp_path):
    window.model.append_results([_r("/d/a.png")])
    dest = tmp_path / "no-such-folder" / "report.csv"
    with qtbot.waitSignal(window.exporter.export_failed, timeout=30_000):
        assert window.export_results("csv", str(dest))
    text = window.notifications.body.text()
    assert "does not exist" in text and str(dest.parent) in text and ".part" not in text
    assert "Exporting" not in window.status.message.text()


def test_folder_column_is_relative_and_hidden_when_every_row_shares_it(qtbot, window, tmp_path):
    root = tmp_path / "shoot"
    (root / "day2").mkdir(parents=True)
    window.set_roots([str(root)])
    t = window.results.table
    window.model.append_results([_r(str(root / "a.png")), _r(str(root / "b.png"))])
    qtbot.waitUntil(lambda: t.isColumnHidden(Column.FOLDER), timeout=3000)
    assert t.isColumnHidden(Column.ERROR)  # no errors: no Error column
    window.model.append_results(
        [_r(str(root / "day2" / "c.png")), _r(str(root / "d.png"), v=Verdict.ERROR, error_kind=ErrorKind.CORRUPT)]
    )
    qtbot.waitUntil(lambda: not t.isColumnHidden(Column.FOLDER) and not t.isColumnHidden(Column.ERROR), timeout=3000)
    shown = {window.model.index(i, Column.FOLDER).data() for i in range(window.model.rowCount())}
    assert shown == {".", "day2"}


def test_columns_fit_the_pane_at_1400_px(qtbot, window, tmp_path):
    window.resize(1400, 900)
    window.set_roots([str(tmp_path)])
    window.model.append_results([_r(str(tmp_path / f"{i}.png")) for i in range(5)])
    qtbot.waitUntil(lambda: window.results.table.isColumnHidden(Column.FOLDER), timeout=3000)
    t = window.results.table
    qtbot.waitUntil(lambda: t.horizontalHeader().length() <= t.viewport().width() + 1, timeout=3000)
    qtbot.waitUntil(lambda: not t.horizontalScrollBar().isVisible(), timeout=3000)


def test_a_long_status_message_elides_instead_of_running_into_the_speed():
    label = ElidedLabel()
    label.resize(120, 20)
    label.setText("Scanning /very/long/folder/name/with/many/parts/and/a/file_called_size6.jpg")
    shown = label.elided_text()
    assert "…" in shown and len(shown) < len(label.text()) and label.toolTip() == label.text()
    assert label.minimumSizeHint().width() == 0


def test_a_new_folder_starts_without_the_old_filter_and_the_selection_stays_in_view(qtbot, window, tmp_path):
    window.set_roots([str(tmp_path / "one")])
    window.results.set_verdict_filter(Verdict.AI)
    window.set_roots([str(tmp_path / "two")])
    assert window.results.proxy.verdict_filter is None and window.results.verdict_combo.currentData() == ""

    rows = [_r(f"/x/{i:03d}.png", p=i / 400, v=Verdict.AI if i % 50 == 0 else Verdict.HUMAN) for i in range(400)]
    window.model.append_results(rows)
    window.results.set_verdict_filter(Verdict.AI)
    window.results.select_row(3)
    current = window.results.current_result()
    window.results.set_verdict_filter(None)
    t = window.results.table
    assert window.results.current_result() == current
    qtbot.waitUntil(lambda: t.viewport().rect().intersects(t.visualRect(t.currentIndex())), timeout=3000)


def test_highest_first_draws_a_down_arrow(qtbot, window):
    """Qt draws a descending sort as SortUp (an up arrow); the results header draws it as the plain style draws
    SortDown, so "highest first" points down."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QStyleFactory

    proxy = window.results._arrow_style
    plain = QStyleFactory.create(proxy.baseStyle().name())

    def render(style, indicator):
        pm = QPixmap(24, 24)
        pm.fill(QColor("white"))
        opt = QStyleOptionHeader()
        opt.rect = QRect(0, 0, 24, 24)
        opt.palette = window.palette()
        opt.sortIndicator = indicator
        p = QPainter(pm)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorHeaderArrow, opt, p)
        p.end()
        return pm.toImage()

    up, down = QStyleOptionHeader.SortIndicator.SortUp, QStyleOptionHeader.SortIndicator.SortDown
    assert render(plain, up) != render(plain, down)  # the two arrows differ at all
    assert render(proxy, up) == render(plain, down)  # descending (SortUp) is drawn pointing down
    assert window.results.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


def test_file_dialogs_start_in_the_last_used_folder(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert file_dialogs.start_dir() == str(home)  # not the folder the app was started from
    (home / "Pictures").mkdir()
    assert file_dialogs.start_dir() == str(home / "Pictures")
    picked = tmp_path / "exports" / "report.csv"
    picked.parent.mkdir()
    file_dialogs.remember(str(picked))
    assert load_settings().last_dialog_folder == str(picked.parent)
    assert file_dialogs.start_dir() == str(picked.parent)


def test_ctrl_e_exports_while_the_filter_box_has_focus(qtbot):
    """Issue #24 item 7: on X11 (xcb) a QLineEdit claims Ctrl+E (end of line) before the window's Export shortcut
    can fire — seen under Xvfb, where the filter box swallowed it; the offscreen platform's key bindings lack it."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from miwake.gui.widgets.results_widget import SearchEdit

    def claimed(widget, key):
        ev = QKeyEvent(QEvent.Type.ShortcutOverride, key, Qt.KeyboardModifier.ControlModifier)
        ev.ignore()
        QApplication.sendEvent(widget, ev)
        return ev.isAccepted()

    ours = SearchEdit()
    qtbot.addWidget(ours)
    ours.setText("abc")
    assert not claimed(ours, Qt.Key.Key_E) and not claimed(
        ours, Qt.Key.Key_K
    )  # the filter box lets the shortcut through
    assert claimed(ours, Qt.Key.Key_A) and claimed(ours, Qt.Key.Key_C)  # select all / copy stay the box's


def test_a_selection_the_filter_hides_does_not_say_open_a_folder(qtbot, window, tmp_path):
    """Issue #24 item 8: with rows in the table but none chosen, the detail pane told the user to open a folder."""
    window.model.append_results([_r(str(tmp_path / "a.png"))])
    window.detail.show_result(None)
    assert "Pick a row" in window.detail.view._message and "Open a folder" not in window.detail.view._message


def test_open_says_so_when_nothing_on_the_system_opens_the_file(qtbot, window, tmp_path, monkeypatch):
    """Issue #24 item 7: Open / Show in folder / double-click did nothing where no opener is set up."""
    from PySide6.QtGui import QDesktopServices, QGuiApplication

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    r = _r(str(tmp_path / "a.png"))
    window.model.append_results([r])
    window.detail.show_result(r)
    with qtbot.waitSignal(window.detail.open_failed):
        window.detail.open_in_viewer()
    assert (
        "No program" in window.notifications.body.text() and str(tmp_path / "a.png") in window.notifications.body.text()
    )
    assert QGuiApplication.clipboard().text() == str(tmp_path / "a.png")


def test_the_export_dialog_says_which_rows_it_takes(qtbot, window, tmp_path):
    """Issue #24 item 7: what gets exported (all shown, filtered, selected) was not said before the dialog."""
    window.model.append_results([_r(str(tmp_path / f"{i}.png"), p=0.1 * i) for i in range(5)])
    assert window.export_scope(5) == "all 5 rows"
    assert window.export_scope(2) == "the 2 rows shown (the filter hides 3 of 5)"
    window.results.table.selectAll()
    assert window.export_scope(5) == "the 5 selected rows"


def test_help_has_a_guide_to_reading_the_verdicts(qtbot, window):
    """Issue #24 item 8: Help had no guide to reading verdicts."""
    assert window.actions.guide in window.actions.help_menu.actions()
    text = window.verdict_guide_html()
    for words in ("AI probability", "Unsure", "AI (metadata)", "Heatmap", "Grey hatching"):
        assert words in text


def test_the_file_column_keeps_room_for_names_in_a_narrow_pane(qtbot, window, tmp_path):
    """Issue #24 item 7: at 1024 px the File column collapsed to "img_....png"."""
    from miwake.gui.widgets.results_widget import NAME_MIN_WIDTH

    window.model.append_results([_r(str(tmp_path / "a_long_descriptive_file_name.png"))])
    window.resize(1024, 700)
    t = window.results.table
    qtbot.waitUntil(lambda: t.columnWidth(Column.NAME) >= NAME_MIN_WIDTH - 2, timeout=3000)
    assert t.isColumnHidden(Column.FILE_SIZE)  # File size gave its room (the detail pane shows it)
    window.splitter.setSizes([1400, 600])
    window.resize(2000, 900)
    qtbot.waitUntil(lambda: not t.isColumnHidden(Column.FILE_SIZE), timeout=3000)
