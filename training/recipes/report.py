"""Markdown tables from finished runs, for docs/experiments.md.

    python -m miwake.training.recipes.report runs/backbones/v2b0-random runs/backbones/lite0-imagenet ...
    python -m miwake.training.recipes.report --per-source runs/default

The operating point (threshold, band) is recomputed from each run's validation scores with the current
rule (training/metrics.py), so runs made before a rule change compare fairly.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..metrics import band_precision, binary_metrics, choose_operating_point, group_breakdown


def _load(run: Path) -> tuple[dict, dict]:
    card = json.loads((run / "model.json").read_text())
    rep = json.loads((run / "training" / "validation_report.json").read_text())
    return card, rep


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def summary_rows(runs: list[Path]) -> str:
    out = [
        "| run | arch | init | crop | epochs (best) | AUC | AUC JPEG q90 | F1 | recall | precision | AI verdicts right | human verdicts right | unsure |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        card, rep = _load(run)
        y = [1 if s["label"] == "ai" else 0 for s in rep["scores"]]
        p = [s["p"] for s in rep["scores"]]
        pj = [s["p_jpeg90"] for s in rep["scores"] if s.get("p_jpeg90") is not None]
        yj = [1 if s["label"] == "ai" else 0 for s in rep["scores"] if s.get("p_jpeg90") is not None]
        t, band = choose_operating_point(y, p)
        m, mj, v = binary_metrics(y, p, t), binary_metrics(yj, pj, t), band_precision(y, p, band)
        tr = card["training"]
        init = tr["init"]["kind"] + ("" if tr["init"]["kind"] == "random" else f" ({tr['init']['detail'][:28]})")
        out.append(
            f"| {run.name} | {card['arch']} | {init} | {card['crop_size']} | {tr['epochs_run']} ({tr['best_epoch']}) | "
            f"{_fmt(m['auc'])} | {_fmt(mj['auc'])} | {_fmt(m['f1'])} | {_fmt(m['recall'])} | {_fmt(m['precision'])} | "
            f"{_fmt(v['ai_verdict_precision'])} | {_fmt(v['human_verdict_precision'])} | {_fmt(v['unsure_share'])} |"
        )
    return "\n".join(out)


def per_source(run: Path) -> str:
    card, rep = _load(run)
    y = [1 if s["label"] == "ai" else 0 for s in rep["scores"]]
    p = [s["p"] for s in rep["scores"]]
    t, band = choose_operating_point(y, p)
    src = [s["source"] for s in rep["scores"]]
    ok = [s for s in rep["scores"] if s.get("p_jpeg90") is not None]
    g = group_breakdown(y, p, src, t, band)
    gj = group_breakdown(
        [1 if s["label"] == "ai" else 0 for s in ok], [s["p_jpeg90"] for s in ok], [s["source"] for s in ok], t, band
    )
    out = [
        f"Threshold {t:.3f}, unsure band {band[0]:.3f}–{band[1]:.3f} (chosen on these validation scores).",
        "",
        "| held-out source | class | n | AUC vs other class | accuracy at threshold | same after JPEG q90 | verdict AI / unsure / human |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in g.items():
        j = gj.get(name, {})
        out.append(
            f"| {name} | {r['label']} | {r['n']} | {_fmt(r.get('auc_vs_other_class'))} | {_fmt(r['accuracy'])} | "
            f"{_fmt(j.get('accuracy'))} | {r['ai_verdicts']:.2f} / {r['unsure']:.2f} / {r['human_verdicts']:.2f} |"
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--per-source", action="store_true")
    args = ap.parse_args()
    runs = [Path(r) for r in args.runs]
    if args.per_source:
        for r in runs:
            print(f"### {r.name}\n\n{per_source(r)}\n")
    else:
        print(summary_rows(runs))


if __name__ == "__main__":
    main()
