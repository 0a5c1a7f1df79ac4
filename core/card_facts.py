"""What a model card says about its training data and validation, read into plain facts.

A card's `training` and `metrics` blocks are free-form JSON written by `miwake train` (and by whatever made
an imported model). The CLI, the detail pane and the models dialog all show the same few facts from them —
how many images of which sources, what was held out, what the model has not seen, how the verdicts fared on
validation — so they are read here once, tolerating missing or oddly shaped fields; each view only formats
(and translates) them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .bundle import format_metric
from .timefmt import rough_duration


@dataclass(frozen=True)
class DataSplit:
    images: int
    ai: int | None = None
    real: int | None = None
    sources: tuple[str, ...] = ()
    # generator names, most images first
    generators: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrainingFacts:
    train: DataSplit | None = None
    validation: DataSplit | None = None
    not_seen: tuple[str, ...] = ()
    init: str = ""
    epochs_run: int | None = None
    best_epoch: int | None = None
    duration_s: float | None = None
    hardware: str = ""


@dataclass(frozen=True)
class ValidationFacts:
    headline: dict[str, float] = field(default_factory=dict)  # auc, f1, recall, precision, accuracy
    auc_jpeg90: float | None = None
    ai_verdict_precision: float | None = None
    human_verdict_precision: float | None = None
    unsure_share: float | None = None
    # source -> (label, n, accuracy at the threshold, AUC of this source against the other class)
    per_source: dict[str, tuple[str, int, float | None, float | None]] = field(default_factory=dict)
    comparison: Comparison | None = None  # the same test for every bundled model (``metrics.comparison``)
    cross_validated: bool = False  # True: figures from cross-validation over held-out sources; False: one split


@dataclass(frozen=True)
class Comparison:
    """A model measured on images every bundled model is measured on, none of which it learned from."""

    auc: float
    auc_jpeg90: float | None
    n: int
    sources: int
    test: str


# the figures a card leads with, and how they are written
HEADLINE_METRICS = {"auc": "AUC", "f1": "F1", "recall": "recall", "precision": "precision", "accuracy": "accuracy"}


def _int(v: Any) -> int | None:
    return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _float(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _split(d: Any) -> DataSplit | None:
    if not isinstance(d, Mapping) or _int(d.get("images")) is None:
        return None
    sources = d.get("sources")
    gens = d.get("generators")
    gen_names: tuple[str, ...] = ()
    if isinstance(gens, Mapping):
        gen_names = tuple(str(k) for k, _ in sorted(gens.items(), key=lambda kv: -(_int(kv[1]) or 0)))
    return DataSplit(
        images=_int(d["images"]) or 0,
        ai=_int(d.get("ai")),
        real=_int(d.get("real")),
        sources=tuple(str(s) for s in sources) if isinstance(sources, (Mapping, list, tuple)) else (),
        generators=gen_names,
    )


def training_facts(training: Any) -> TrainingFacts:
    if not isinstance(training, Mapping):
        return TrainingFacts()
    data = _m if isinstance(_m := training.get("data"), Mapping) else {}
    init = training.get("init")
    init_text = str(init.get("detail") or init.get("kind") or "") if isinstance(init, Mapping) else str(init or "")
    not_seen = training.get("not_seen")
    return TrainingFacts(
        train=_split(data.get("train")),
        validation=_split(data.get("validation")),
        not_seen=tuple(str(x) for x in not_seen) if isinstance(not_seen, (list, tuple)) else (),
        init=init_text,
        epochs_run=_int(training.get("epochs_run")),
        best_epoch=_int(training.get("best_epoch")),
        duration_s=_float(training.get("duration_s")),
        hardware=str(training.get("hardware") or ""),
    )


def validation_facts(metrics: Any) -> ValidationFacts:
    if not isinstance(metrics, Mapping):
        return ValidationFacts()
    headline = {k: float(metrics[k]) for k in HEADLINE_METRICS if _float(metrics.get(k)) is not None}
    jpeg = metrics.get("jpeg90")
    verdicts = _m if isinstance(_m := metrics.get("verdicts"), Mapping) else {}
    per_source: dict[str, tuple[str, int, float | None, float | None]] = {}
    if isinstance(metrics.get("per_source"), Mapping):
        for name, s in metrics["per_source"].items():
            if isinstance(s, Mapping):
                per_source[str(name)] = (
                    str(s.get("label", "")),
                    _int(s.get("n")) or 0,
                    _float(s.get("accuracy")),
                    _float(s.get("auc_vs_other_class")),
                )
    comp = metrics.get("comparison")
    comparison = None
    if isinstance(comp, Mapping) and _float(comp.get("auc")) is not None:
        comparison = Comparison(
            float(comp["auc"]),
            _float(comp.get("auc_jpeg90")),
            _int(comp.get("n")) or 0,
            _int(comp.get("sources")) or 0,
            str(comp.get("test") or ""),
        )
    return ValidationFacts(
        comparison=comparison,
        cross_validated=isinstance(metrics.get("cross_validation"), Mapping),
        headline=headline,
        auc_jpeg90=_float(jpeg.get("auc")) if isinstance(jpeg, Mapping) else None,
        ai_verdict_precision=_float(verdicts.get("ai_verdict_precision")),
        human_verdict_precision=_float(verdicts.get("human_verdict_precision")),
        unsure_share=_float(verdicts.get("unsure_share")),
        per_source=per_source,
    )


def listed(items: tuple[str, ...], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit})" if len(items) > limit else "")


def training_lines(t: TrainingFacts) -> list[tuple[str, str]]:
    """English (label, text) lines for the command line; the GUI formats the same facts translated."""
    lines: list[tuple[str, str]] = []
    for label, split in (("trained on", t.train), ("validated on", t.validation)):
        if split is None:
            continue
        counts = f"{split.images} images"
        if split.ai is not None and split.real is not None:
            counts += f" ({split.ai} AI, {split.real} human-made)"
        if split.sources:
            counts += f" from {len(split.sources)} sources: {listed(split.sources)}"
        lines.append((label, counts))
        if split.generators:
            lines.append(("  generators", listed(split.generators, 4)))
    if t.not_seen:
        lines.append(("not seen", ", ".join(t.not_seen)))
    if t.init:
        lines.append(("initialised", t.init))
    run = []
    if t.epochs_run is not None:
        run.append(f"{t.epochs_run} epochs" + (f" (best {t.best_epoch})" if t.best_epoch is not None else ""))
    if t.duration_s is not None:
        run.append(rough_duration(t.duration_s))
    if t.hardware:
        run.append(t.hardware)
    if run:
        lines.append(("training run", ", ".join(run)))
    return lines


def headline_text(v: ValidationFacts) -> str:
    """'AUC 0.891 · F1 0.743 · …' — the same words in every language."""
    return " · ".join(f"{HEADLINE_METRICS[k]} {format_metric(x)}" for k, x in v.headline.items())


def validation_lines(v: ValidationFacts) -> list[tuple[str, str]]:
    """English (label, text) lines of a card's validation figures, for the command line."""
    lines: list[tuple[str, str]] = []
    if v.comparison is not None:
        c = v.comparison
        text = f"AUC {format_metric(c.auc)}"
        if c.auc_jpeg90 is not None:
            text += f" ({format_metric(c.auc_jpeg90)} after JPEG q90)"
        lines.append(
            ("on new sources", f"{text} on {c.n} images from {c.sources} sources no bundled model learned from")
        )
    if v.headline:
        how = "cross-validated over held-out sources" if v.cross_validated else "its own validation split"
        lines.append((f"validation ({how})", headline_text(v)))
    if v.auc_jpeg90 is not None:
        lines.append(("  after JPEG q90", f"AUC {format_metric(v.auc_jpeg90)}"))
    if v.ai_verdict_precision is not None and v.human_verdict_precision is not None:
        text = f"'AI' right {v.ai_verdict_precision:.0%}, 'human' right {v.human_verdict_precision:.0%}"
        if v.unsure_share is not None:
            text += f", unsure {v.unsure_share:.0%}"
        lines.append(("  verdicts", text))
    if v.per_source:
        lines.append(
            ("per source", "held out from training; right = share of its images on the correct side of the threshold")
        )
    for name, (label, n, acc, auc) in v.per_source.items():
        detail = f"{label or '?'}, {n} images"
        if acc is not None:
            detail += f", {acc:.0%} right"
        if auc is not None:
            detail += f", AUC vs other class {format_metric(auc)}"
        lines.append((f"  {name}", detail))
    return lines
