"""Step 2 of the default-model recipe: every probe candidate on the leave-sources-out protocol.

    python -m miwake.training.recipes.crossval [--features runs/features] [--out runs/crossval]

Reads the features of step 1 (``training.recipes.features``), runs ``training.crossval.run_protocol`` for each
candidate (grouped 5-fold over sources + leave-one-family-out; raw / JPEG q90 / 0.5x; thresholds and bands
chosen inside each fold's training data) and writes ``results.json`` and the Markdown table that
docs/experiments.md quotes. A few minutes on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..crossval import EVAL_KINDS, POOLINGS, Candidate, Pool, image_logits, oof_breakdown, run_protocol, sigmoid
from ..features import FeatureStore
from ..metrics import _safe_auc
from .common import ROOT

DINO, LITE, BOTH = slice(0, 768), slice(768, 2048), slice(0, 2048)

ALL_VIEWS = ("train", "raw", "jpeg90", "down05")  # training rows: also the JPEG q90 and 0.5x views of training images


def blocks(*numbers: int) -> slice:
    """Columns of DINOv2 blocks `numbers` (1-based, contiguous) in the every-block features (768 per block)."""
    return slice(768 * (min(numbers) - 1), 768 * max(numbers))


# candidates per feature store (its meta "arch"): step 1 extracts "miwake_dinov2s_lite2" features, step 1b
# (`features --layers`) every DINOv2 block ("miwake_dinov2_s14_layers")
CANDIDATES_BY_STORE = {
    "miwake_dinov2s_lite2": (
        Candidate("dinov2-s linear", (DINO,)),
        Candidate("lite2 linear", (LITE,)),
        Candidate("dinov2-s + lite2 concat", (BOTH,)),
        Candidate("dinov2-s + lite2 stacked", (DINO, LITE)),
    ),
    "miwake_dinov2_s14_layers": (
        Candidate("dinov2-s block 12 (= dinov2-s linear)", (blocks(12),)),
        Candidate("dinov2-s blocks 1-12", (blocks(1, 12),)),
        Candidate("dinov2-s blocks 7-12", (blocks(7, 12),)),
        Candidate("dinov2-s blocks 1-6", (blocks(1, 6),)),
        Candidate("dinov2-s blocks 1-12, all views", (blocks(1, 12),), train_kinds=ALL_VIEWS),
        Candidate("dinov2-s blocks 1-12, families balanced", (blocks(1, 12),), family_power=1.0),
        Candidate(
            "dinov2-s blocks 1-12, all views, families balanced",
            (blocks(1, 12),),
            train_kinds=ALL_VIEWS,
            family_power=1.0,
        ),
        Candidate(
            "dinov2-s blocks 1-12, all views, families balanced, C 0.03",
            (blocks(1, 12),),
            train_kinds=ALL_VIEWS,
            family_power=1.0,
            c=0.03,
        ),
        Candidate("dinov2-s blocks 1-12, C 0.03", (blocks(1, 12),), c=0.03),
        Candidate("dinov2-s blocks 1-12, C 0.01", (blocks(1, 12),), c=0.01),
        Candidate("dinov2-s blocks 1-6 + 7-12 stacked", (blocks(1, 6), blocks(7, 12))),
    ),
    # `features --forensic`: the noise-residual features alone (`--with` puts them beside DINOv2's)
    "forensic_residual": (Candidate("forensic residual", (slice(0, 24),)),),
}
CANDIDATES = tuple(c for cs in CANDIDATES_BY_STORE.values() for c in cs)


def with_forensic(dino: int, forensic: int, spread: int = 0) -> tuple[Candidate, ...]:
    """Candidates over DINOv2 features (`dino` columns, blocks 1..n) beside the noise-residual features of
    `core.residual` (`--with` a `features --forensic` store): each alone, one head on both, two heads averaged
    (equally, or weighed by a fit on inner folds). `spread`: columns of the blocks' patch-token spread after the
    blocks' (`features --spread`), and the candidates that read them too."""
    d, f = slice(0, dino), slice(dino + spread, dino + spread + forensic)
    n = dino // 768
    cands = [
        Candidate(f"dinov2-s blocks 1-{n}", (d,)),
        Candidate("forensic residual", (f,)),
    ]
    if not spread:
        cands.append(Candidate(f"dinov2-s blocks 1-{n} + forensic concat", (slice(0, dino + forensic),)))
    cands += [
        Candidate(f"dinov2-s blocks 1-{n} + forensic stacked", (d, f)),
        Candidate(f"dinov2-s blocks 1-{n} + forensic stacked, learned weights", (d, f), learned_weights=True),
    ]
    if spread:
        ds = slice(0, dino + spread)
        cands += [
            Candidate(f"dinov2-s blocks 1-{n} + patch spread", (ds,)),
            Candidate(f"dinov2-s blocks 1-{n} + patch spread + forensic stacked", (ds, f)),
            Candidate(
                f"dinov2-s blocks 1-{n}, patch spread, forensic: three heads", (d, slice(dino, dino + spread), f)
            ),
        ]
    return tuple(cands)


def with_lite2(dino: int, forensic: int, lite: int, spread: int = 0) -> tuple[Candidate, ...]:
    """v4's candidate (DINOv2 blocks and the residual, two heads) beside the same with a third head on frozen
    EfficientNet-Lite2 (ImageNet) features (`--with` a `features --forensic` store, then a `features --lite2`
    one), and Lite2 alone: does the supervised CNN's texture add what DINOv2 misses? `spread`: patch-spread columns
    between the blocks' and the residual's, read by none of these."""
    f = slice(dino + spread, dino + spread + forensic)
    d, li = slice(0, dino), slice(f.stop, f.stop + lite)
    n = dino // 768
    return (
        Candidate("lite2", (li,)),
        Candidate(f"dinov2-s blocks 1-{n} + forensic stacked", (d, f)),
        Candidate(f"dinov2-s blocks 1-{n} + lite2 stacked", (d, li)),
        Candidate(f"dinov2-s blocks 1-{n} + forensic + lite2: three heads", (d, f, li)),
    )


def store_columns(meta: dict[str, Any]) -> tuple[int, int]:
    """(DINOv2 block columns, patch-spread columns) of a `features --layers` store, from its named ranges."""
    dims = meta["dims"]
    blocks = sum(b - a for k, (a, b) in dims.items() if k.startswith("block"))
    return blocks, sum(b - a for k, (a, b) in dims.items() if k.startswith("spread"))


def v4_candidate(meta: dict[str, Any], pool: Pool) -> Candidate:
    """The default v4's candidate (blocks and residual, two heads averaged) for a `--layers` store (`meta`) loaded
    with its `features --forensic` store beside it (`pool`): the one the measuring recipes refit."""
    dino, spread = store_columns(meta)
    forensic = pool.feats.shape[1] - dino - spread
    return next(c for c in with_forensic(dino, forensic, spread) if c.name.endswith("forensic stacked"))


def with_source_axes(dino: int, forensic: int, ks: Sequence[int], spread: int = 0) -> tuple[Candidate, ...]:
    """The stacked candidate of `with_forensic` (the default v4) with its DINOv2 head blind to the `k` directions in
    which sources of one class differ most (``probe.source_axes_of``), for each k."""
    d, f = slice(0, dino), slice(dino + spread, dino + spread + forensic)
    n = dino // 768
    return tuple(
        Candidate(f"dinov2-s blocks 1-{n} + forensic stacked, {k} source axes out", (d, f), source_axes=(k, 0))
        for k in ks
    )


# The development pool before the second data drop: the old default (EfficientNetV2-B0) was trained and
# validated on these sources only, so every other source is new to it (candidate (a) is measured there).
FIRST_POOL = (
    "compvis_stable_diffusion",
    "dcsan_imagen",
    "debian_mate_backgrounds",
    "debian_palapeli_photos",
    "endless_sky_land",
    "freecol_portraits",
    "gcompris_photos",
    "pypi_sample_images",
    "set5_set14",
    "style_transfer_paintings",
    "style_transfer_photos",
    "supagruen_sd15_cheatsheet",
    "tuxpaint_art",
    "bsds_cbsd68",
    "debian_plasma_wallpapers",
    "debian_wesnoth_art",
    "gcompris_drawings",
    "invokeai_docs_sd1",
    "stabilityai_stablediffusion",
    "urban100",
)


def first_to_second_pool(pool: Pool, cand: Candidate) -> dict[str, float]:
    """Fitted on the first pool's sources only, scored on every other source (the old default's situation)."""
    first = np.isin(pool.sources, FIRST_POOL)
    train, test = np.where(first)[0], np.where(~first)[0]
    head = cand.fit(pool, train)
    y = pool.labels[test]
    return {f"auc_{k}": _safe_auc(y, sigmoid(image_logits(pool, head, test, k))) for k in EVAL_KINDS} | {
        "n": int(len(test)),
        "n_ai": int(y.sum()),
    }


def load_pool(features: Path, beside: Path | Sequence[Path] | None = None) -> Pool:
    """The pool of a feature store; with `beside`, those stores' columns appended (the same crops, row for row)."""
    feats, image, kind, meta = FeatureStore(features).load()
    for other in [beside] if isinstance(beside, Path) else beside or []:
        more, image2, kind2, meta2 = FeatureStore(other).load()
        same = meta2["samples"] == meta["samples"] and np.array_equal(image, image2) and np.array_equal(kind, kind2)
        if not same:
            raise ValueError(f"{other} does not hold the same crops as {features}")
        feats = np.hstack([feats, more])
    return Pool.from_store(feats, image, kind, meta)


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| candidate | sources: mean AUC raw / JPEG q90 / 0.5x | worst fold raw | leave-family-out: mean AUC raw / "
        "JPEG q90 / 0.5x | worst family raw | verdicts right (source folds) | unsure | first pool -> new sources "
        "AUC raw / JPEG q90 |\n|---|---|---|---|---|---|---|---|"
    )
    rows = []
    for r in results:
        s = r["summary"]
        src = " / ".join(f"{s[f'source_auc_{k}_mean']:.3f}" for k in EVAL_KINDS)
        fam = " / ".join(f"{s[f'family_auc_{k}_mean']:.3f}" for k in EVAL_KINDS)
        worst_fam = min(r["families"].items(), key=lambda kv: kv[1]["auc_raw"])
        rows.append(
            f"| {r['candidate']} | {src} | {s['source_auc_raw_worst']:.3f} | {fam} | "
            f"{worst_fam[1]['auc_raw']:.3f} ({worst_fam[0]}) | {s.get('source_verdict_accuracy_mean', float('nan')):.3f} | "
            f"{s.get('source_unsure_share_mean', float('nan')):.2f} | "
            f"{r['first_to_second_pool']['auc_raw']:.3f} / {r['first_to_second_pool']['auc_jpeg90']:.3f} |"
        )
    return head + "\n" + "\n".join(rows)


def pooling_table(results: list[dict[str, Any]]) -> str:
    """Mean source-fold AUC (raw files) of each candidate's heads with the crop scores pooled otherwise."""
    head = "| candidate | " + " | ".join(POOLINGS) + " |\n|---|" + "---|" * len(POOLINGS)
    rows = []
    for r in results:
        s = r["summary"]
        vals = [s.get("source_auc_raw_mean" if h == "mean" else f"source_auc_raw_{h}_mean") for h in POOLINGS]
        rows.append(f"| {r['candidate']} | " + " | ".join("–" if v is None else f"{v:.3f}" for v in vals) + " |")
    return head + "\n" + "\n".join(rows)


def family_table(results: list[dict[str, Any]]) -> str:
    fams = sorted(results[0]["families"])
    head = "| candidate | " + " | ".join(fams) + " |\n|---|" + "---|" * len(fams)
    rows = [
        f"| {r['candidate']} | " + " | ".join(f"{r['families'][f]['auc_raw']:.3f}" for f in fams) + " |"
        for r in results
    ]
    return head + "\n" + "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--features", default=str(ROOT / "runs" / "features"))
    ap.add_argument("--out", default=str(ROOT / "runs" / "crossval"))
    ap.add_argument("--only", nargs="*", help="candidate names to run (default: all of the store's)")
    ap.add_argument(
        "--with",
        dest="beside",
        nargs="+",
        help="`features --forensic` (and `--forensic-extra`) stores of the same images and settings: their columns "
        "beside --features, in this order (candidates: training.recipes.crossval.with_forensic)",
    )
    ap.add_argument(
        "--source-axes",
        type=int,
        nargs="+",
        help="with --with: instead, the stacked candidate with its DINOv2 head blind to the K directions of most "
        "between-source spread, for each K (training.recipes.crossval.with_source_axes)",
    )
    ap.add_argument(
        "--no-inner",
        action="store_true",
        help="AUC only: skip the inner folds that choose each fold's threshold and band (4x faster)",
    )
    args = ap.parse_args()
    beside = [Path(b) for b in args.beside or []]
    pool = load_pool(Path(args.features), beside)
    meta = json.loads((Path(args.features) / "meta.json").read_text())
    store_arch = meta.get("arch", "miwake_dinov2s_lite2")
    candidates = CANDIDATES_BY_STORE[store_arch]
    if beside:
        metas = [json.loads((b / "meta.json").read_text()) for b in beside]
        widths = [max(stop for _, stop in m["dims"].values()) for m in metas]
        dino, spread = store_columns(meta)
        candidates = with_forensic(dino, sum(widths), spread)
        if [m.get("arch") for m in metas] == ["forensic_residual", "lite2"]:
            candidates = with_lite2(dino, widths[0], widths[1], spread)
        if args.source_axes:
            candidates = with_source_axes(dino, sum(widths), args.source_axes, spread)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for cand in candidates:
        if args.only and cand.name not in args.only:
            continue
        t0 = time.time()
        r = run_protocol(pool, cand, log=print, inner=not args.no_inner)
        r["first_to_second_pool"] = first_to_second_pool(pool, cand)
        r["seconds"] = time.time() - t0
        r["per_family_oof"] = oof_breakdown(pool, r["oof"]["raw"], pool.families)
        r["per_source_oof"] = oof_breakdown(pool, r["oof"]["raw"], pool.sources)
        r["oof"] = {k: v.tolist() for k, v in r["oof"].items()}
        r["oof_logits"] = {k: v.tolist() for k, v in r["oof_logits"].items()}
        results.append(r)
        print(f"{cand.name}: {json.dumps(r['summary'])} ({r['seconds']:.0f} s)", flush=True)
        (out / "results.partial.json").write_text(json.dumps(results, default=_jsonable))  # a long run shows early
    (out / "results.partial.json").replace(out / "results.json")
    md = (
        table(results)
        + "\n\nLeave-one-family-out AUC (raw) per family:\n\n"
        + family_table(results)
        + "\n\nPooling of crop scores (mean source-fold AUC, raw files):\n\n"
        + pooling_table(results)
        + "\n"
    )
    (out / "table.md").write_text(md)
    print(md)


def _jsonable(o: Any) -> Any:
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(type(o))


if __name__ == "__main__":
    main()
