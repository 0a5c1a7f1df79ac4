"""The main window end to end with the tiny model: scan, streaming rows, cancel, reuse, export, reopen."""

from __future__ import annotations

import csv
import time

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from miwake.core.reports import CSV_COLUMNS
from miwake.core.results import ImageResult, Verdict
from miwake.core.settings import load_settings, save_settings
from miwake.core.store import ResultStore
from miwake.gui.main_window import MainWindow
from miwake.gui.models.results_model import Column
from miwake.gui.scan_controller import ScanState
from tests.gui.conftest import write_images

TIMEOUT = 60_000


def test_scan_streams_rows_then_rescan_reuses(qtbot, window, tmp_path):
    folder = write_images(tmp_path / "many", 12, size=(64, 32))
    save_settings(load_settings().with_(batch_size=1))  # many small model runs: results trickle in
    inserted_while_running = []
    progress_times = []
    window.controller.progress_changed.connect(lambda p: progress_times.append(time.monotonic()))
    window.model.rowsInserted.connect(
        lambda *_: inserted_while_running.append(
            window.controller.state is ScanState.SCANNING and not window.controller._worker_done
        )
    )
    with qtbot.waitSignal(window.controller.scan_finished, timeout=TIMEOUT) as blocker:
        window.open_paths([str(folder)])
    summary = blocker.args[0]
    assert not summary.cancelled and summary.total == 12
    assert window.model.rowCount() == 12
    assert any(inserted_while_running), "rows should appear while the scan is still running"
    assert "12" in window.status.message.text()
    # the first row is selected and the detail pane follows it
    assert window.detail.current_result() is not None
    assert window.detail.current_result().path == window.results.current_result().path
    assert str(folder) in load_settings().recent_folders
    assert window.actions.recent_menu.actions()[0].text() == str(folder)
    gaps = [b - a for a, b in zip(progress_times, progress_times[1:], strict=False)]
    assert all(g >= 0.08 for g in gaps), "progress is throttled to ~10 Hz"
    # keyboard: the table keeps the focus and the detail pane follows the current row
    first = window.results.current_result()
    qtbot.keyClick(window.results.table, Qt.Key.Key_Down)
    assert window.results.current_result() is not first
    assert window.detail.current_result() is window.results.current_result()

    with qtbot.waitSignal(window.controller.scan_finished, timeout=TIMEOUT) as blocker:
        assert window.start_scan()
    assert blocker.args[0].reused == 12
    assert "12 reused" in window.status.message.text()


def test_the_preload_keeps_out_of_a_running_scan_and_the_scans_model_is_kept(qtbot, window, tmp_path, monkeypatch):
    from miwake.core import scorers

    loads = []
    real = scorers.load_scorer
    monkeypatch.setattr(scorers, "load_scorer", lambda *a, **k: loads.append(1) or real(*a, **k))
    folder = write_images(tmp_path / "cli", 4)
    with qtbot.waitSignal(window.controller.scan_finished, timeout=TIMEOUT):
        window.open_paths([str(folder)])  # as `miwake gui FOLDER`: the scan starts before the app's preload
        assert window.controller.state is ScanState.SCANNING
        window.controller.preload_model(window.settings)  # the preload timer fires while it runs
    assert loads == [1]  # one model load, the scan's: no second load (and CPU measurement) beside it
    kept = window.controller._detector
    assert kept is not None and kept.loaded
    window.controller.preload_model(window.settings)  # idle, the model fits: nothing more to load
    assert window.controller._detector is kept and loads == [1]


def test_the_apps_json_export_says_what_scored_the_files(qtbot, window, tmp_path):
    """Issue #26: the device, runtime and precision of the scan reach the app's JSON report."""
    import json

    folder = write_images(tmp_path / "few", 3, size=(64, 32))
    with qtbot.waitSignal(window.controller.scan_finished, timeout=TIMEOUT) as blocker:
        window.open_paths([str(folder)])
    summary = blocker.args[0]
    dest = tmp_path / "r.json"
    with qtbot.waitSignal(window.exporter.export_finished, timeout=TIMEOUT):
        assert window.export_results("json", str(dest))
    scan = json.loads(dest.read_text("utf-8"))["scan"]
    assert scan["device"] == summary.device and summary.device.endswith((" fp32", " fp16", " bf16"))
    assert scan["runtime"] in ("onnxruntime", "pytorch") and scan["precision"] == summary.precision


def test_cancel_keeps_rows_so_far(qtbot, window, tmp_path):
    folder = write_images(tmp_path / "lots", 40, size=(96, 64))
    save_settings(load_settings().with_(batch_size=1))
    window.model.rowsInserted.connect(lambda *_: window.stop_scan())
    with qtbot.waitSignal(window.controller.scan_finished, timeout=TIMEOUT) as blocker:
        window.open_paths([str(folder)])
    summary = blocker.args[0]
    assert summary.cancelled
    assert 0 < window.model.rowCount() < 40
    assert "cancelled" in window.status.message.text()
    assert window.actions.scan.isEnabled() and not window.actions.stop.isEnabled()


def _result(path: str, prob: float | None, verdict: Verdict, crops: int = 4, size: int = 1000) -> ImageResult:
    return ImageResult(
        path=path,
        size=size,
        mtime_ns=1,
        model_id="tiny",
        probability=prob,
        verdict=verdict,
        crops=crops,
        width=64,
        height=48,
        format="PNG",
    )


def test_export_csv_writes_the_rows(qtbot, window, tmp_path):
    rows = [
        _result(f"/data/{n}.png", p, v)
        for n, p, v in (("a", 0.9, Verdict.AI), ("b", 0.1, Verdict.HUMAN), ("c", 0.5, Verdict.UNSURE))
    ]
    window.model.append_results(rows)
    dest = tmp_path / "out.csv"
    with qtbot.waitSignal(window.exporter.export_finished, timeout=TIMEOUT) as blocker:
        assert window.export_results("csv", str(dest))
    assert blocker.args[1] == 3
    with open(dest, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0].keys()) == list(CSV_COLUMNS)
    assert [r["path"] for r in table] == ["/data/a.png", "/data/c.png", "/data/b.png"]  # the table's order
    assert table[0]["verdict"] == "ai" and table[0]["ai_probability"] == "0.9000"


def test_export_after_filter_sort_and_new_rows_writes_only_the_filtered_rows(qtbot, window, tmp_path):
    window.model.append_results([_result("/data/a.png", 0.9, Verdict.AI), _result("/data/b.png", 0.1, Verdict.HUMAN)])
    window.results.set_verdict_filter(Verdict.AI)
    window.results.table.sortByColumn(Column.PROBABILITY, Qt.SortOrder.AscendingOrder)
    window.model.append_results([_result("/data/c.png", 0.5, Verdict.UNSURE), _result("/data/d.png", 0.8, Verdict.AI)])
    dest = tmp_path / "ai.csv"
    with qtbot.waitSignal(window.exporter.export_finished, timeout=TIMEOUT):
        assert window.export_results("csv", str(dest))
    with open(dest, encoding="utf-8-sig", newline="") as fh:
        assert [r["path"] for r in csv.DictReader(fh)] == ["/data/d.png", "/data/a.png"]


def test_a_changed_band_redecides_the_rows_and_the_json_export_records_it(qtbot, window, tmp_path):
    import json

    window.model.append_results(
        [_result("/data/a.png", 0.5, Verdict.UNSURE), _result("/data/b.png", 0.05, Verdict.HUMAN)]
    )
    mine = load_settings().with_(unsure_band_override=(0.1, 0.4))
    save_settings(mine)  # as the settings dialog does before it signals
    window._on_settings_saved(mine)
    assert [r.verdict for r in window.model.results()] == [Verdict.AI, Verdict.HUMAN]
    dest = tmp_path / "r.json"
    with qtbot.waitSignal(window.exporter.export_finished, timeout=TIMEOUT):
        assert window.export_results("json", str(dest))
    doc = json.loads(dest.read_text("utf-8"))
    assert doc["decision"]["unsure_band"] == [0.1, 0.4] and doc["decision"]["set_by"] == "settings"
    assert [r["verdict"] for r in doc["results"]] == ["ai", "human"]


def test_reopening_shows_the_last_scan(qtbot, tiny_model, tmp_path):
    from miwake.core import paths

    with ResultStore(paths.store_path()) as store:
        sid = store.begin_scan([str(tmp_path)], "tiny", "tiny@x", "crop", "cpu")
        for i in range(3):
            store.add_result(sid, _result(str(tmp_path / f"{i}.png"), 0.2 * i, Verdict.HUMAN), "tiny@x", "crop")
        store.finish_scan(sid, "finished", 3)
    w = MainWindow(load_last=False)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.controller.last_scan_loaded, timeout=TIMEOUT) as blocker:
        w.controller.load_last_scan()
    assert blocker.args[0].id == sid
    assert w.model.rowCount() == 3
    assert w.roots == [str(tmp_path)]
    assert "3" in w.status.message.text()
    w.close()


def test_a_scan_that_did_not_finish_reopens_saying_so(qtbot, tiny_model, tmp_path):
    """Issue #24 item 5: closed mid-scan (19 of 40 files done), reopened: the status and the JSON export must say
    that the scan did not finish and how many files it did not reach."""
    import json

    from miwake.core import paths

    with ResultStore(paths.store_path()) as store:
        sid = store.begin_scan([str(tmp_path)], "tiny", "tiny@x", "crop", "cpu")
        for i in range(19):
            store.add_result(sid, _result(str(tmp_path / f"{i}.png"), 0.01 * i, Verdict.HUMAN), "tiny@x", "crop")
        store.commit()  # never finished: the app was closed while it ran
        store._run("UPDATE scans SET total=40 WHERE id=?", (sid,))
        store.commit()
    w = MainWindow(load_last=False)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.controller.last_scan_loaded, timeout=TIMEOUT):
        w.controller.load_last_scan()
    text = w.status.message.text()
    assert "interrupted" in text and "19 images scanned" in text and "21 not reached" in text, text
    dest = tmp_path / "r.json"
    with qtbot.waitSignal(w.exporter.export_finished, timeout=TIMEOUT):
        assert w.export_results("json", str(dest))
    scan = json.loads(dest.read_text("utf-8"))["scan"]
    assert scan["status"] == "interrupted" and scan["not_reached"] == 21 and scan["files_found"] == 40
    with ResultStore(paths.store_path()) as store:
        store.finish_scan(sid, "cancelled", 40)
    with qtbot.waitSignal(w.controller.last_scan_loaded, timeout=TIMEOUT):
        w.controller.load_last_scan()
    assert "was stopped" in w.status.message.text()
    w.close()


def test_scan_without_a_model_says_what_to_do(qtbot, images):
    w = MainWindow(load_last=False)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.controller.scan_failed, timeout=TIMEOUT):
        w.open_paths([str(images)])
    assert "Models… → Import" in w.notifications.body.text()
    assert w.notifications.isVisible()
    assert not w.controller.is_busy()
    w.close()


def test_dropping_a_folder_opens_and_scans_it(qtbot, window, images, monkeypatch):
    started = []
    monkeypatch.setattr(window, "start_scan", lambda roots=None: started.append(list(window.roots)))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(images))])
    ev = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(ev)
    assert started == [[str(images)]]
    assert images.name in window.windowTitle()


def test_one_scanned_image_is_one_image(qtbot, window, tmp_path):
    """Issue #24 item 8: "Scanned 1 images"."""
    folder = write_images(tmp_path / "one", 1)
    with qtbot.waitSignal(window.controller.scan_finished, timeout=TIMEOUT):
        window.open_paths([str(folder)])
    assert "Scanned 1 image in" in window.status.message.text()
    tip = window.status.message.toolTip()  # issue #26: what scored, with runtime and precision, under the line
    assert tip.startswith(window.status.message.text()) and "\nScored on CPU" in tip
    assert tip.rstrip(".").endswith(("fp32", "bf16", "fp16"))
    with qtbot.waitSignal(window.controller.scan_finished, timeout=TIMEOUT):
        window.open_paths([str(folder)])  # unchanged: nothing scored, so no device named
    assert "Scored on" not in window.status.message.toolTip()


def test_a_single_file_scanned_is_not_a_recent_folder(qtbot, window, tmp_path):
    """Issue #24 item 8: a single file dropped into the window showed up under File → Recent folders."""
    folder = write_images(tmp_path / "one", 2)
    single = next(folder.iterdir())
    with qtbot.waitSignal(window.controller.scan_finished, timeout=TIMEOUT):
        window.open_paths([str(single)])
    assert str(single) not in load_settings().recent_folders
    with qtbot.waitSignal(window.controller.scan_finished, timeout=TIMEOUT):
        window.open_paths([str(folder)])
    assert load_settings().recent_folders[0] == str(folder)


def test_the_status_message_follows_a_language_switch(qtbot, window, tmp_path, monkeypatch):
    """Issue #24 item 8: after switching to Japanese the status bar kept its English message."""
    from pathlib import Path

    from miwake.gui import i18n

    monkeypatch.setattr(i18n, "translations_dir", lambda: Path(__file__).resolve().parents[2] / "resources" / "i18n")
    folder = write_images(tmp_path / "two", 2)
    with qtbot.waitSignal(window.controller.scan_finished, timeout=TIMEOUT):
        window.open_paths([str(folder)])
    english = window.status.message.text()
    assert english.startswith("Scanned 2 images")
    try:
        i18n.apply_language("ja")
        qtbot.waitUntil(lambda: window.status.message.text() != english, timeout=3000)
        assert "2 枚" in window.status.message.text()
    finally:
        i18n.apply_language("en")
    qtbot.waitUntil(lambda: window.status.message.text() == english, timeout=3000)


def test_the_scan_summary_keeps_its_counts_in_a_1024_px_window(qtbot, window, tmp_path, monkeypatch):
    """Issue #24 item 8: at 1024 px, in Japanese, the summary lost its middle (the verdict counts) to elision."""
    from pathlib import Path

    from miwake.gui import i18n

    monkeypatch.setattr(i18n, "translations_dir", lambda: Path(__file__).resolve().parents[2] / "resources" / "i18n")
    window.resize(1024, 700)
    folder = write_images(tmp_path / "two", 2)
    try:
        i18n.apply_language("ja")
        with qtbot.waitSignal(window.controller.scan_finished, timeout=TIMEOUT):
            window.open_paths([str(folder)])
        window.model_label.setText(
            "モデル：" + "Miwake 標準モデル（DINOv2 ViT-S/14 のブロック 1〜6の特徴量、線形ヘッド）"
        )
        qtbot.wait(50)  # the bundled default's name, as long as in the app
        shown = window.status.message.elided_text()
        assert shown.startswith("2 枚を") and "人間" in shown and "エラー" in shown, shown
        # the summary gives way at its end (the counts come first), whatever this platform's fonts measure
        assert window.status.message._mode == Qt.TextElideMode.ElideRight
    finally:
        i18n.apply_language("en")
