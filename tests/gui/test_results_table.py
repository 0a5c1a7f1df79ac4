"""The results model, its proxy (numeric sorting, verdict/text filters), the delegate and thumbnails."""

from __future__ import annotations

from PySide6.QtCore import Qt

from miwake.core.results import EvidenceItem, ImageResult, Reason, Verdict
from miwake.gui.models.results_model import RESULT_ROLE, Column, ResultsModel
from miwake.gui.widgets.results_widget import ResultsWidget
from miwake.gui.widgets.thumbnail_cache import ThumbnailCache
from tests.helpers import noise_image


def _results() -> list[ImageResult]:
    ai_meta = (EvidenceItem("c2pa", "trainedAlgorithmicMedia", True),)
    return [
        ImageResult("/x/alpha.png", size=999, probability=0.91, verdict=Verdict.AI, crops=9, width=10, height=10),
        ImageResult("/x/beta.png", size=1000, probability=0.05, verdict=Verdict.HUMAN, crops=100, width=20, height=20),
        ImageResult("/y/gamma.png", size=50_000, probability=0.5, verdict=Verdict.UNSURE, crops=10, width=5, height=5),
        ImageResult("/y/delta.jpg", size=10, verdict=Verdict.ERROR, error="broken", error_kind=None),
        ImageResult(
            "/y/meta.png",
            size=5,
            probability=0.2,
            verdict=Verdict.AI,
            reason=Reason.METADATA,
            evidence=ai_meta,
            crops=1,
            width=1,
            height=1,
        ),
    ]


def _names(widget: ResultsWidget) -> list[str]:
    return [r.path.rsplit("/", 1)[1] for r in widget.visible_results()]


def test_sorting_is_numeric_on_every_numeric_column(qtbot):
    model = ResultsModel()
    w = ResultsWidget(model)
    qtbot.addWidget(w)
    model.append_results(_results())
    t = w.table
    t.sortByColumn(Column.CROPS, Qt.SortOrder.AscendingOrder)  # text order would be 1, 10, 100, 9
    assert [r.crops for r in w.visible_results()] == [0, 1, 9, 10, 100]
    t.sortByColumn(Column.FILE_SIZE, Qt.SortOrder.AscendingOrder)  # "1000 B" < "999 B" as text
    assert [r.size for r in w.visible_results()] == [5, 10, 999, 1000, 50_000]
    t.sortByColumn(Column.PROBABILITY, Qt.SortOrder.DescendingOrder)
    assert _names(w) == ["alpha.png", "gamma.png", "meta.png", "beta.png", "delta.jpg"]  # errors last
    t.sortByColumn(Column.DIMENSIONS, Qt.SortOrder.AscendingOrder)
    assert _names(w)[-1] == "beta.png"
    t.sortByColumn(Column.EVIDENCE, Qt.SortOrder.DescendingOrder)
    assert _names(w)[0] == "meta.png"


def test_filters_by_verdict_and_text(qtbot):
    model = ResultsModel()
    w = ResultsWidget(model)
    qtbot.addWidget(w)
    model.append_results(_results())
    w.set_verdict_filter(Verdict.AI)
    assert sorted(_names(w)) == ["alpha.png", "meta.png"]
    w.search.setText("META")
    qtbot.waitUntil(lambda: _names(w) == ["meta.png"], timeout=3000)
    w.set_verdict_filter(None)
    w.search.setText("trainedalgorithmic")  # evidence tokens are searched too
    qtbot.waitUntil(lambda: _names(w) == ["meta.png"], timeout=3000)
    w.search.setText("/y/")
    qtbot.waitUntil(lambda: sorted(_names(w)) == ["delta.jpg", "gamma.png", "meta.png"], timeout=3000)
    qtbot.waitUntil(lambda: "3" in w.count_label.text() and "5" in w.count_label.text(), timeout=3000)


def test_cells_show_verdict_reason_evidence_and_errors(qtbot):
    model = ResultsModel()
    model.append_results(_results())
    meta = model.index(4, Column.VERDICT).data()
    assert meta.startswith("AI") and "metadata" in meta
    assert model.index(4, Column.EVIDENCE).data().startswith("⚑")
    assert "c2pa:trainedAlgorithmicMedia" in model.index(4, Column.EVIDENCE).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, Column.DIMENSIONS).data() == "20 × 20"
    assert model.index(0, Column.NAME).data(RESULT_ROLE).path == "/x/alpha.png"
    # the same path again replaces its row instead of adding one
    model.append_results([ImageResult("/x/alpha.png", probability=0.1, verdict=Verdict.HUMAN)])
    assert model.rowCount() == 5 and model.result(0).verdict is Verdict.HUMAN


def test_probability_bar_is_painted(qtbot):
    model = ResultsModel()
    w = ResultsWidget(model)
    qtbot.addWidget(w)
    w.resize(1000, 400)
    w.show()
    model.append_results(_results()[:1])
    img = w.table.viewport().grab().toImage()
    rect = w.table.visualRect(w.proxy.index(0, Column.PROBABILITY))
    reds = sum(
        1
        for x in range(rect.left(), rect.right(), 2)
        if (c := img.pixelColor(x, rect.center().y())).red() > 180 and c.blue() < 120
    )
    assert reds > 5  # 0.91 draws a long red bar


def test_thumbnails_are_made_in_the_background_and_cached_on_disk(qtbot, tmp_path):
    path = tmp_path / "pic.png"
    noise_image(300, 200, 1).save(path)
    st = path.stat()
    cache = ThumbnailCache(folder=tmp_path / "thumbs")
    assert cache.pixmap(str(path), st.st_mtime_ns, st.st_size) is None  # queued, not blocking
    with qtbot.waitSignal(cache.thumbnail_ready, timeout=10_000):
        pass
    pm = cache.pixmap(str(path), st.st_mtime_ns, st.st_size)
    assert pm is not None and max(pm.width(), pm.height()) == 96
    assert len(list((tmp_path / "thumbs").rglob("*.jpg"))) == 1
    fresh = ThumbnailCache(folder=tmp_path / "thumbs")  # a new session reads the disk cache
    fresh.pixmap(str(path), st.st_mtime_ns, st.st_size)
    with qtbot.waitSignal(fresh.thumbnail_ready, timeout=10_000):
        pass
    assert fresh.pixmap(str(path), st.st_mtime_ns, st.st_size) is not None
    # a file that cannot be decoded gets a placeholder, not endless retries
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a picture")
    cache.pixmap(str(bad), 1, 13)
    with qtbot.waitSignal(cache.thumbnail_ready, timeout=10_000):
        pass
    assert cache.pixmap(str(bad), 1, 13) is cache.failed_pixmap()
    assert cache.pending() == 0


def test_sorting_keeps_the_filters_and_export_takes_only_the_shown_rows(qtbot):
    """Regression: sort() used to reset the proxy's filters while the combo still said "AI"."""
    from miwake.gui.models.results_model import ResultsProxyModel

    bare = ResultsProxyModel()  # filtering before any sort() must not raise
    bare.setSourceModel(ResultsModel())
    bare.sourceModel().append_results(_results())
    assert bare.rowCount() == 5

    model = ResultsModel()
    w = ResultsWidget(model)
    qtbot.addWidget(w)
    model.append_results(_results())
    w.set_verdict_filter(Verdict.AI)
    w.table.sortByColumn(Column.PROBABILITY, Qt.SortOrder.DescendingOrder)
    assert _names(w) == ["alpha.png", "meta.png"]
    model.append_results([ImageResult("/z/late.png", size=1, probability=0.1, verdict=Verdict.HUMAN, crops=1)])
    model.append_results([ImageResult("/z/late_ai.png", size=1, probability=0.99, verdict=Verdict.AI, crops=1)])
    assert _names(w) == ["late_ai.png", "alpha.png", "meta.png"]
    assert w.verdict_combo.currentData() == Verdict.AI.value
    assert w.proxy.verdict_filter is Verdict.AI


def test_a_name_that_is_not_utf8_shows_its_odd_bytes():
    """Qt drops lone surrogates silently ("caf.png"); the table shows the byte instead ("caf\\xe9.png")."""
    model = ResultsModel()
    model.append_results([ImageResult("/d/caf\udce9.png", size=1, probability=0.5, verdict=Verdict.UNSURE, crops=1)])
    assert model.index(0, Column.NAME).data() == "caf\\xe9.png"
    assert model.index(0, Column.NAME).data(Qt.ItemDataRole.ToolTipRole) == "/d/caf\\xe9.png"


def test_the_thumbnail_disk_cache_is_pruned_by_age_then_by_size(tmp_path):
    """Issue #25: every edited file left its old thumbnail forever."""
    import os

    from miwake.gui.widgets.thumbnail_cache import prune_disk_cache

    now = 1_000_000_000.0
    files = []
    for i, age_days in enumerate((200, 90, 30, 10, 1)):
        f = tmp_path / f"{i:02d}" / f"{i:040d}.jpg"
        f.parent.mkdir()
        f.write_bytes(b"x" * 1000)
        os.utime(f, (now - age_days * 86400, now - age_days * 86400))
        files.append(f)
    removed, left = prune_disk_cache(tmp_path, max_bytes=10_000, max_age_days=60, now=now)
    assert (removed, left) == (2, 3000) and [f.exists() for f in files] == [False, False, True, True, True]
    removed, left = prune_disk_cache(tmp_path, max_bytes=1500, max_age_days=60, now=now)
    assert (removed, left) == (2, 1000) and files[-1].exists()  # the most recently used stays
