"""Evaluate a detector on labelled images with the scanning engine (full-image tiling: what users get),
as the files are and again with every image re-encoded as JPEG q90 (the format-blind check)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from miwake.core import atomic
from miwake.core.detector import Detector
from miwake.core.imaging import decode_image
from miwake.core.results import ImageResult
from miwake.core.scan_events import ScanProgress
from miwake.core.scan_options import ScanOptions
from miwake.core.scanner import ScanJob

from .dataset import AI, REAL, Sample, summarize
from .metrics import band_precision, binary_metrics, choose_operating_point, group_breakdown, roc_points

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class EvalReport:
    model_id: str
    threshold: float
    band: tuple[float, float]
    data: dict[str, Any]
    metrics: dict[str, Any]
    per_source: dict[str, Any]
    per_generator: dict[str, Any]
    roc: list[list[float]]
    metrics_jpeg90: dict[str, Any] | None = None
    per_source_jpeg90: dict[str, Any] | None = None
    roc_jpeg90: list[list[float]] | None = None
    errors: list[str] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def score_paths(
    detector: Detector,
    paths: Sequence[str],
    *,
    max_tiles: int | None = None,
    batch_size: int | None = None,
    on_progress: ProgressFn | None = None,
    phase: str = "score",
    cancel: threading.Event | None = None,
) -> dict[str, ImageResult]:
    """Score files with the engine (no store, no reuse, no metadata): results by absolute path."""
    job = ScanJob(
        list(paths),
        detector,
        options=ScanOptions(max_tiles=max_tiles, batch_size=batch_size, reuse=False),
        cancel_event=cancel,
    )
    out: dict[str, ImageResult] = {}
    for ev in job.events():
        if isinstance(ev, ImageResult):
            out[ev.path] = ev
        elif isinstance(ev, ScanProgress) and on_progress:
            on_progress(phase, ev.done, ev.total)
    return out


def jpeg_copies(samples: Sequence[Sample], folder: Path, quality: int = 90) -> dict[str, str]:
    """Re-encode every decodable sample as JPEG `quality` into `folder`; original path -> copy path.

    Pixels go through the same decoding as a scan (orientation, alpha over white), so only the container
    and its compression change.
    """
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for i, s in enumerate(samples):
        dest = folder / f"{i:06d}.jpg"
        if not dest.exists():
            try:
                rgb = decode_image(s.path).rgb
            except Exception as e:  # counted as an error by the caller
                log.warning("Cannot re-encode %s: %s", s.path, e)
                continue
            with atomic.atomic_open(dest, "wb") as fh:
                Image.fromarray(rgb).save(fh, "JPEG", quality=quality)
        mapping[s.path] = os.path.abspath(dest)
    return mapping


def _collect(samples: Sequence[Sample], results: dict[str, ImageResult], key: Callable[[Sample], str | None]):
    y, p, src, gen, kept, errors = [], [], [], [], [], []
    for s in samples:
        k = key(s)
        r = results.get(os.path.abspath(k)) if k else None
        if r is None or not r.ok or r.probability is None:
            errors.append(f"{s.path}: {r.error if r else 'not scored'}")
            continue
        y.append(s.label)
        p.append(float(r.probability))
        src.append(s.source)
        gen.append(s.generator or ("human" if s.label == 0 else "unknown"))
        kept.append(s)
    return np.asarray(y), np.asarray(p), src, gen, kept, errors


def evaluate(
    detector: Detector,
    samples: Sequence[Sample],
    *,
    jpeg90: bool = True,
    choose_threshold: bool = False,
    max_tiles: int | None = None,
    batch_size: int | None = None,
    work_dir: Path | None = None,
    jpeg_dir: Path | None = None,
    on_progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> EvalReport:
    """Metrics at the model card's threshold, or at one chosen here on these scores (`choose_threshold`)."""
    card = detector.card
    res = score_paths(
        detector,
        [s.path for s in samples],
        max_tiles=max_tiles,
        batch_size=batch_size,
        on_progress=on_progress,
        phase="as-is",
        cancel=cancel,
    )
    y, p, src, gen, kept, errors = _collect(samples, res, lambda s: s.path)
    res_j: dict[str, ImageResult] = {}
    mapping: dict[str, str] = {}
    if jpeg90 and not (cancel and cancel.is_set()):
        with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
            mapping = jpeg_copies(samples, jpeg_dir or Path(tmp))  # jpeg_dir: a cache kept by the caller
            res_j = score_paths(
                detector,
                list(mapping.values()),
                max_tiles=max_tiles,
                batch_size=batch_size,
                on_progress=on_progress,
                phase="jpeg90",
                cancel=cancel,
            )
    if choose_threshold:
        threshold, band = choose_operating_point(y, p)
    else:
        threshold, band = card.threshold, card.unsure_band
    report = EvalReport(
        model_id=card.id,
        threshold=threshold,
        band=(float(band[0]), float(band[1])),
        data=summarize(kept),
        metrics={**binary_metrics(y, p, threshold), "verdicts": band_precision(y, p, band)} if len(y) else {},
        per_source=group_breakdown(y, p, src, threshold, band),
        per_generator=group_breakdown(y, p, gen, threshold, band),
        roc=roc_points(y, p),
        errors=errors,
    )
    pj_by_path: dict[str, float] = {}
    if res_j:
        yj, pj, srcj, _, keptj, _ = _collect(samples, res_j, lambda s: mapping.get(s.path))
        report.metrics_jpeg90 = (
            {**binary_metrics(yj, pj, threshold), "verdicts": band_precision(yj, pj, band)} if len(yj) else {}
        )
        report.per_source_jpeg90 = group_breakdown(yj, pj, srcj, threshold, band)
        report.roc_jpeg90 = roc_points(yj, pj)
        pj_by_path = {s.path: float(v) for s, v in zip(keptj, pj)}
    report.scores = [
        {
            "path": s.path,
            "label": s.label_name,
            "source": s.source,
            "generator": s.generator,
            "p": float(v),
            "p_jpeg90": pj_by_path.get(s.path),
        }
        for s, v in zip(kept, p)
    ]
    return report


def write_roc_png(report: EvalReport, dest: str | os.PathLike[str], title: str | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=110)
    if report.roc:
        f, t, _ = zip(*report.roc)
        ax.plot(f, t, label=f"as files are (AUC {report.metrics.get('auc', float('nan')):.3f})")
    if report.roc_jpeg90:
        f, t, _ = zip(*report.roc_jpeg90)
        auc_j = (report.metrics_jpeg90 or {}).get("auc", float("nan"))
        ax.plot(f, t, "--", label=f"re-encoded JPEG q90 (AUC {auc_j:.3f})")
    ax.plot([0, 1], [0, 1], ":", color="grey", lw=0.8)
    ax.set_xlabel("false positive rate (human-made flagged)")
    ax.set_ylabel("true positive rate (AI caught)")
    ax.set_title(title or f"ROC — {report.model_id}", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    fig.tight_layout()
    fig.savefig(dest)
    plt.close(fig)


def read_report(path: str | os.PathLike[str]) -> dict[str, Any]:
    """An evaluation report (`EvalReport.to_dict`, as `train` and `evaluate` jobs write it) from JSON."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def samples_from_report(report: dict[str, Any]) -> list[Sample]:
    """The scored validation images of a report, to score them again with another model (an `evaluate` job)."""
    return [
        Sample(
            path=s["path"],
            label=AI if s.get("label") == "ai" else REAL,
            source=s.get("source", ""),
            generator=s.get("generator") or "",
        )
        for s in report.get("scores", [])
    ]
