"""The detail pane's text (rich text): verdict and why, numbers, evidence, model card summary, file facts."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from miwake.core.bundle import Bundle, format_metric
from miwake.core.card_facts import (
    DataSplit,
    headline_text,
    listed,
    training_facts,
    validation_facts,
)
from miwake.core.heatmap import probability_color
from miwake.core.results import ImageResult, Reason, Verdict
from miwake.core.textsafe import for_utf8
from miwake.core.timefmt import rough_duration

from .. import i18n

translate = QCoreApplication.translate


_f = i18n.fill


def _row(label: str, value: str) -> str:
    return f"<tr><td style='color:#666; padding-right:12px'>{escape(label)}</td><td>{value}</td></tr>"


def _verdict_color(r: ImageResult) -> str:
    if r.verdict is Verdict.AI:
        return QColor(*probability_color(1.0)).darker(115).name()
    if r.verdict is Verdict.HUMAN:
        return QColor(*probability_color(0.0)).darker(115).name()
    return "#b06000" if r.verdict is Verdict.ERROR else "#555555"


def why_text(r: ImageResult, band: tuple[float, float] | None) -> str:
    if not r.ok:
        # the kind and what to do, in the user's language, first; the reader's own words (English, sometimes a
        # decoder's) only after, marked as the technical detail they are (issue #24 item 8)
        what = i18n.error_kind_label(r.error_kind)
        text = _f(translate("DetailText", "This file could not be scored: %1."), what)
        text += " " + i18n.error_kind_hint(r.error_kind)
        why = (r.error or "").strip()
        if why:
            text += " " + _f(translate("DetailText", "Technical detail: %1"), why)
        return text
    p = f"{r.probability:.3f}" if r.probability is not None else "–"
    if r.reason is Reason.METADATA:
        return _f(
            translate(
                "DetailText",
                "The file's own metadata states AI generation, and that decides the verdict. "
                "The pixel model alone gave an AI probability of %1.",
            ),
            p,
        )
    if band is None:
        return _f(translate("DetailText", "AI probability %1."), p)
    lo, hi = f"{band[0]:.3f}", f"{band[1]:.3f}"
    if r.verdict is Verdict.AI:
        return _f(
            translate(
                "DetailText",
                "The AI probability %1 is at or above %2, the upper end of the model's unsure band: "
                "the picture looks AI-generated.",
            ),
            p,
            hi,
        )
    if r.verdict is Verdict.HUMAN:
        return _f(
            translate(
                "DetailText",
                "The AI probability %1 is below %2, the lower end of the model's unsure band: "
                "the picture looks made by a person.",
            ),
            p,
            lo,
        )
    return _f(
        translate(
            "DetailText",
            "The AI probability %1 lies between %2 and %3, the model's unsure band: it cannot tell. "
            "Look at the heatmap and the evidence, and ask the author.",
        ),
        p,
        lo,
        hi,
    )


def evidence_html(r: ImageResult) -> str:
    if not r.evidence:
        return (
            "<p style='color:#666'>"
            + escape(translate("DetailText", "No provenance metadata was found in the file."))
            + "</p>"
        )
    items = []
    for e in r.evidence:
        if e.kind == "unreadable":
            state = translate("DetailText", "could not be read")
        elif e.states_ai:
            state = "<b>" + escape(translate("DetailText", "states AI generation")) + "</b>"
        else:
            state = escape(translate("DetailText", "does not state AI generation"))
        mark = "⚑ " if e.states_ai else ""
        fields = "".join(
            f"<br/><span style='color:#666'>{escape(k)}: {escape(v if len(v) <= 200 else v[:199] + '…')}</span>"
            for k, v in list(e.fields.items())[:8]
        )
        items.append(
            f"<li>{mark}{escape(i18n.evidence_kind_label(e.kind))} — {state}<br/>"
            f"<code style='color:#444'>{escape(e.token())}</code>{fields}</li>"
        )
    return "<ul style='margin-left:-20px'>" + "".join(items) + "</ul>"


def _split_text(split: DataSplit) -> str:
    text = _f(translate("DetailText", "%1 images"), split.images)
    if split.ai is not None and split.real is not None:
        text = _f(translate("DetailText", "%1 images (%2 AI, %3 human-made)"), split.images, split.ai, split.real)
    if split.sources:
        text += " · " + _f(translate("DetailText", "%1 sources: %2"), len(split.sources), listed(split.sources))
    return text


def training_rows(training: Any) -> list[tuple[str, str]]:
    """(label, plain text) rows of what a card says about its training, translated; see core.card_facts."""
    t = training_facts(training)
    rows: list[tuple[str, str]] = []
    if t.train is not None:
        rows.append((translate("DetailText", "Trained on"), _split_text(t.train)))
        if t.train.generators:
            rows.append((translate("DetailText", "Generators"), listed(t.train.generators, 4)))
    if t.validation is not None:
        rows.append((translate("DetailText", "Validated on"), _split_text(t.validation)))
    if t.not_seen:
        rows.append((translate("DetailText", "Not seen"), ", ".join(t.not_seen)))
    run = []
    if t.epochs_run is not None:
        run.append(_f(translate("DetailText", "%1 epochs"), t.epochs_run))
    if t.duration_s is not None:
        run.append(rough_duration(t.duration_s))
    if t.hardware:
        run.append(t.hardware)
    if run:
        rows.append((translate("DetailText", "Training run"), ", ".join(run)))
    return rows


def validation_rows(metrics: Any) -> list[tuple[str, str]]:
    """(label, plain text) rows of a card's validation figures beyond the headline, translated."""
    v = validation_facts(metrics)
    rows: list[tuple[str, str]] = []
    if v.auc_jpeg90 is not None:
        rows.append((translate("DetailText", "After JPEG q90"), f"AUC {format_metric(v.auc_jpeg90)}"))
    if v.ai_verdict_precision is not None and v.human_verdict_precision is not None:
        text = _f(
            translate("DetailText", "“AI” verdicts right %1, “human” verdicts right %2"),
            f"{v.ai_verdict_precision:.0%}",
            f"{v.human_verdict_precision:.0%}",
        )
        if v.unsure_share is not None:
            text += " · " + _f(translate("DetailText", "unsure %1"), f"{v.unsure_share:.0%}")
        rows.append((translate("DetailText", "Verdicts"), text))
    for name, (label, n, acc, auc) in v.per_source.items():
        parts = [f"{label}, n={n}"]
        if acc is not None:
            parts.append(_f(translate("DetailText", "%1 right"), f"{acc:.0%}"))
        if auc is not None:
            parts.append(f"AUC {format_metric(auc)}")
        rows.append((name, ", ".join(parts)))
    return rows


def plain_summary(card: Any) -> list[str]:
    """What a model card means for a person who is not a specialist: how often its verdicts were right on images
    from elsewhere, how much it leaves unsure, what it learned from, what decides. Translated sentences."""
    v = validation_facts(card.metrics)
    t = training_facts(card.training)
    lines: list[str] = []
    if v.comparison is not None:  # first: the one figure measured the same way for every bundled model
        lines.append(
            _f(
                translate(
                    "DetailText",
                    "Compared on the same %1 images from %2 sources that no bundled model learned "
                    "from: AUC %3 (1.0 tells every image apart, 0.5 is chance).",
                ),
                v.comparison.n,
                v.comparison.sources,
                format_metric(v.comparison.auc),
            )
        )
    if v.ai_verdict_precision is not None and v.human_verdict_precision is not None:
        text = (
            translate(
                "DetailText",
                "In cross-validation over sources it never saw in training: when it said "
                "“AI” it was right %1 of the time, when it said “human” %2.",
            )
            if v.cross_validated
            else translate(
                "DetailText",
                "On its own validation split (sources kept out of its training, but like "
                "them — not comparable with the line above): when it said “AI” it was right %1 of the "
                "time, when it said “human” %2.",
            )
        )
        lines.append(_f(text, f"{v.ai_verdict_precision:.0%}", f"{v.human_verdict_precision:.0%}"))
        if v.unsure_share is not None:
            lines.append(
                _f(
                    translate("DetailText", "It answered “unsure” for %1 of those images rather than guess."),
                    f"{v.unsure_share:.0%}",
                )
            )
    elif v.headline.get("accuracy") is not None:
        lines.append(
            _f(
                translate("DetailText", "On images held out from training it was right %1 of the time."),
                f"{v.headline['accuracy']:.0%}",
            )
        )
    else:
        lines.append(translate("DetailText", "Its card says nothing about how often it is right."))
    if t.train is not None:
        n = len(t.train.sources)
        lines.append(
            _f(translate("DetailText", "It learned from %1 images from %2 different places."), t.train.images, n)
            if n
            else _f(translate("DetailText", "It learned from %1 images."), t.train.images)
        )
    lines.append(_f(translate("DetailText", "Its verdicts: %1."), decision_text(card.unsure_band)))
    return lines


def metrics_text(metrics: dict[str, Any]) -> str:
    return headline_text(validation_facts(metrics))


def validation_label(metrics: dict[str, Any]) -> str:
    """What the card's own validation figures are: cross-validated over held-out sources, or one fixed split."""
    if validation_facts(metrics).cross_validated:
        return translate("DetailText", "Validation (cross-validated over held-out sources)")
    return translate("DetailText", "Validation (its own split; not comparable)")


def model_html(bundle: Bundle | None, model_id: str) -> str:
    if bundle is None:
        return (
            "<p style='color:#666'>"
            + escape(_f(translate("DetailText", "Model %1 is no longer installed."), model_id))
            + "</p>"
        )
    c = bundle.card
    rows = [
        _row(
            translate("DetailText", "Model"),
            f"{escape(c.display_name_in(i18n.current_language()))} <span style='color:#666'>({escape(c.id)})</span>",
        ),
        _row(translate("DetailText", "Architecture"), escape(f"{c.arch}, {c.input_mode} {c.crop_size} px")),
        _row(
            translate("DetailText", "Verdict rule"),
            escape(decision_text(c.unsure_band)),
        ),
    ]
    m = metrics_text(c.metrics)
    if m:
        rows.append(_row(translate("DetailText", "Validation"), escape(m)))
    rows += [_row(label, escape(text)) for label, text in training_rows(c.training)]
    if c.description:
        rows.append(_row(translate("DetailText", "About"), escape(c.description_in(i18n.current_language()))))
    return "<table cellspacing='2'>" + "".join(rows) + "</table>"


def decision_text(band: tuple[float, float]) -> str:
    """What decides a pixel verdict, in words (the card's threshold decides nothing here)."""
    return _f(translate("DetailText", "AI from %2, human below %1, unsure between"), f"{band[0]:.3f}", f"{band[1]:.3f}")


def result_html(
    r: ImageResult,
    bundle: Bundle | None,
    band_override: tuple[float, float] | None,
) -> str:
    band = band_override or (bundle.card.unsure_band if bundle is not None else None)
    p = Path(r.path)
    head = (
        f"<div style='font-size:13pt; font-weight:bold'>{escape(for_utf8(p.name))}</div>"
        f"<div style='color:#666'>{escape(for_utf8(str(p.parent)))}</div>"
        f"<p><span style='font-size:15pt; font-weight:bold; color:{_verdict_color(r)}'>"
        f"{escape(i18n.result_verdict_text(r))}</span>"
    )
    if r.ok and r.probability is not None:
        head += "&nbsp;&nbsp;" + escape(_f(translate("DetailText", "AI probability %1"), f"{r.probability:.3f}"))
    head += "</p><p>" + escape(why_text(r, band)) + "</p>"
    rows = []
    if r.ok:
        if r.max_crop_probability is not None:
            rows.append(_row(translate("DetailText", "Most suspicious crop"), f"{r.max_crop_probability:.3f}"))
        rows.append(_row(translate("DetailText", "Crops scored"), str(r.crops)))
        if band is not None:
            src = (
                translate("DetailText", "your setting")
                if band_override
                else translate("DetailText", "from the model card")
            )
            rows.append(_row(translate("DetailText", "Verdict rule"), escape(decision_text(band) + f" ({src})")))
    rows.append(
        _row(
            translate("DetailText", "Model"),
            escape(bundle.card.display_name_in(i18n.current_language()) if bundle else r.model_id),
        )
    )
    facts = [
        _row(translate("DetailText", "Format"), escape(r.format or "")),
        _row(translate("DetailText", "Dimensions"), escape(f"{r.width} × {r.height}" if r.width and r.height else "")),
        _row(
            translate("DetailText", "File size"),
            escape(
                _f(translate("DetailText", "%1 (%2 bytes)"), i18n.format_bytes(r.size), f"{r.size:,}") if r.size else ""
            ),
        ),
        _row(
            translate("DetailText", "Scanned"),
            escape(r.scanned_at + (" — " + translate("DetailText", "reused from an earlier scan") if r.reused else "")),
        ),
    ]
    if r.content_hash:
        facts.append(_row("SHA-256", f"<code>{escape(r.content_hash[:16])}…</code>"))
    return (
        head
        + "<table cellspacing='2'>"
        + "".join(rows)
        + "</table>"
        + "<h4>"
        + escape(translate("DetailText", "Evidence in the file"))
        + "</h4>"
        + evidence_html(r)
        + "<h4>"
        + escape(translate("DetailText", "Model"))
        + "</h4>"
        + model_html(bundle, r.model_id)
        + "<h4>"
        + escape(translate("DetailText", "File"))
        + "</h4><table cellspacing='2'>"
        + "".join(facts)
        + "</table>"
    )
