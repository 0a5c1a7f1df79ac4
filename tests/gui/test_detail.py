"""The detail pane: picture with heatmap (toggle, opacity, per-crop hover), the why-text, large images."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from miwake.core.results import ErrorKind, EvidenceItem, Heatmap, ImageResult, Reason, Verdict
from miwake.gui.widgets.detail_widget import DetailWidget
from tests.helpers import noise_image


def _scored(path: str, w: int, h: int) -> ImageResult:
    heat = Heatmap(xs=(0, w // 2), ys=(0,), tile_w=w // 2, tile_h=h, probs=((0.05, 0.95),))
    return ImageResult(
        path,
        size=1,
        probability=0.7,
        verdict=Verdict.AI,
        heatmap=heat,
        width=w,
        height=h,
        crops=2,
        max_crop_probability=0.95,
        format="PNG",
        model_id="tiny",
    )


def _shown(qtbot, detail: DetailWidget, r: ImageResult) -> None:
    with qtbot.waitSignal(detail.image_ready, timeout=10_000):
        detail.show_result(r)


def test_heatmap_toggle_and_opacity_change_the_picture(qtbot, tmp_path):
    path = tmp_path / "p.png"
    noise_image(200, 100, 3).save(path)
    d = DetailWidget()
    qtbot.addWidget(d)
    d.resize(700, 700)
    d.show()
    _shown(qtbot, d, _scored(str(path), 200, 100))
    with_heat = d.view.grab().toImage()
    d.heatmap_box.setChecked(False)
    without = d.view.grab().toImage()
    assert with_heat != without
    d.heatmap_box.setChecked(True)
    assert d.view.grab().toImage() == with_heat
    d.opacity.setValue(90)
    assert d.view.grab().toImage() != with_heat


def test_hover_reads_each_crops_probability(qtbot, tmp_path):
    path = tmp_path / "p.png"
    noise_image(200, 100, 3).save(path)
    d = DetailWidget()
    qtbot.addWidget(d)
    d.resize(600, 600)
    d.show()
    _shown(qtbot, d, _scored(str(path), 200, 100))
    t = d.view._target()
    left = d.view.probability_at_widget(QPointF(t.left() + t.width() * 0.25, t.center().y()))
    right = d.view.probability_at_widget(QPointF(t.left() + t.width() * 0.75, t.center().y()))
    assert left is not None and left[0] == 0.05
    assert right is not None and right[0] == 0.95
    with qtbot.waitSignal(d.view.hovered) as blocker:
        qtbot.mouseMove(d.view, QPointF(t.left() + t.width() * 0.75, t.center().y()).toPoint())
    assert blocker.args[0] == 0.95
    assert "0.950" in d.hover_label.text()


def test_large_image_is_downscaled_and_heatmap_coordinates_follow(qtbot, tmp_path):
    path = tmp_path / "big.png"
    noise_image(3000, 1000, 4).save(path)
    d = DetailWidget()
    qtbot.addWidget(d)
    d.resize(800, 800)
    d.show()
    _shown(qtbot, d, _scored(str(path), 3000, 1000))
    assert d.view._pixmap is not None and d.view._pixmap.width() == 2048
    t = d.view._target()
    pt = d.view.image_point(QPointF(t.right() - 1, t.bottom() - 1))
    assert pt is not None and pt.x() > 2980 and pt.y() > 980  # widget → scanned-image pixels


def test_text_explains_the_verdict(qtbot, tmp_path):
    d = DetailWidget()
    qtbot.addWidget(d)
    meta = ImageResult(
        "/nowhere/x.png",
        probability=0.3,
        verdict=Verdict.AI,
        reason=Reason.METADATA,
        evidence=(EvidenceItem("a1111", "parameters", True, {"Steps": "20"}),),
        model_id="gone",
    )
    with qtbot.waitSignal(d.image_ready, timeout=10_000):
        d.show_result(meta)
    text = d.info.toPlainText()
    assert "metadata states AI generation" in text and "0.300" in text
    assert "Steps: 20" in text and "a1111:parameters" in text
    assert "no longer installed" in text  # the model id is unknown here
    assert "cannot be shown" in d.view._message  # the file does not exist: a message, not a crash
    d.set_models({}, (0.2, 0.8))
    d.show_result(ImageResult("/nowhere/y.png", probability=0.5, verdict=Verdict.UNSURE, model_id="gone"))
    assert "between 0.200 and 0.800" in d.info.toPlainText()
    d.show_result(
        ImageResult(
            "/nowhere/z.png", verdict=Verdict.ERROR, error="cannot identify image", error_kind=ErrorKind.CORRUPT
        )
    )
    text = d.info.toPlainText()
    assert "could not be scored" in text
    # the kind and the advice come first; the decoder's own words after, as the technical detail (issue #24 item 8)
    assert text.index("could not be scored") < text.index("Technical detail: cannot identify image")
    qtbot.waitUntil(lambda: d._loading is None, timeout=10_000)


def test_the_unscored_part_of_a_thinned_grid_is_hatched_and_says_so(qtbot, tmp_path):
    """Issue #24: a part no crop scored is not shown as if it were; pointing there says it was not scored."""
    path = tmp_path / "p.png"
    noise_image(300, 100, 3).save(path)
    heat = Heatmap(xs=(0, 200), ys=(0,), tile_w=100, tile_h=100, probs=((0.05, 0.95),))  # x 100..200 unscored
    r = ImageResult(
        str(path),
        size=1,
        probability=0.5,
        verdict=Verdict.UNSURE,
        heatmap=heat,
        width=300,
        height=100,
        crops=2,
        max_crop_probability=0.95,
        format="PNG",
        model_id="tiny",
    )
    d = DetailWidget()
    qtbot.addWidget(d)
    d.resize(700, 500)
    d.show()
    _shown(qtbot, d, r)
    t = d.view._target()
    gap = QPointF(t.left() + t.width() * 0.5, t.center().y())
    assert d.view.probability_at_widget(gap) is None
    with qtbot.waitSignal(d.view.hovered_unscored):
        qtbot.mouseMove(d.view, gap.toPoint())
    assert "Not scored" in d.hover_label.text()
    shown = d.view.grab().toImage()
    d.heatmap_box.setChecked(False)
    plain = d.view.grab().toImage()
    p = gap.toPoint()
    hatched = [shown.pixelColor(p.x() + dx, p.y()) != plain.pixelColor(p.x() + dx, p.y()) for dx in range(-6, 7)]
    assert any(hatched)  # the gap is veiled, not left as if nothing were there


def test_the_model_card_speaks_japanese_in_the_japanese_app(qtbot, tiny_bundle, monkeypatch):
    """Issue #24 item 8: the model card's words stayed English in Japanese mode."""
    from dataclasses import replace as with_fields
    from pathlib import Path

    from miwake.gui import i18n
    from miwake.gui.widgets.detail_text import model_html

    monkeypatch.setattr(i18n, "translations_dir", lambda: Path(__file__).resolve().parents[2] / "resources" / "i18n")
    ja = {"display_name": "小さなモデル", "description": "テスト用のモデルです。"}
    bundle = with_fields(tiny_bundle, card=tiny_bundle.card.with_(description="A test model.", translations={"ja": ja}))
    try:
        i18n.apply_language("ja")
        html = model_html(bundle, bundle.id)
        assert "小さなモデル" in html and "テスト用のモデルです。" in html and "A test model." not in html
    finally:
        i18n.apply_language("en")
    html = model_html(bundle, bundle.id)
    assert "A test model." in html and "小さなモデル" not in html
