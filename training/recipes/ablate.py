"""Which groups of a feature store carry the signal: the protocol (AUC only) with each group left out in turn.

    python -m miwake.training.recipes.ablate --features runs/features_forensic     # the 24 residual numbers (~15 s)

Groups are named in the store's meta ("dims": name -> [start, stop]); for the residual numbers of `core.residual`
they are gathered by their prefix (log_std/kurtosis/zeros, corr_*, radial*, period*).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..crossval import Candidate, run_protocol
from .crossval import load_pool

RESIDUAL_GROUPS = {"statistics": ("log_std", "kurtosis", "zeros"), "colour": ("corr_",), "radial": ("radial",),
                   "peaks": ("period",)}  # fmt: skip


def groups_of(dims: dict[str, list[int]]) -> dict[str, list[int]]:
    """Column indices per group: the residual groups where the names are those of `core.residual`, else per name."""
    out: dict[str, list[int]] = {}
    for name, (a, b) in dims.items():
        group = next((g for g, prefixes in RESIDUAL_GROUPS.items() if name.startswith(prefixes)), name)
        out.setdefault(group, []).extend(range(a, b))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--features", required=True)
    args = ap.parse_args()
    pool = load_pool(Path(args.features))
    groups = groups_of(json.loads((Path(args.features) / "meta.json").read_text())["dims"])
    print("| left out | sources: mean AUC raw / worst fold | families: mean | gan | dalle | autoregressive-vq |")
    print("|---|---|---|---|---|---|")
    for name, cols in [("nothing", []), *groups.items()]:
        keep = [i for i in range(pool.feats.shape[1]) if i not in set(cols)]
        sub = replace(pool, feats=np.ascontiguousarray(pool.feats[:, keep]), _means={})
        r = run_protocol(sub, Candidate(name, (slice(0, len(keep)),)), inner=False)
        s, fam = r["summary"], {f: v["auc_raw"] for f, v in r["families"].items()}
        print(
            f"| {name} | {s['source_auc_raw_mean']:.3f} / {s['source_auc_raw_worst']:.3f} | "
            f"{s['family_auc_raw_mean']:.3f} | "
            + " | ".join(f"{fam.get(f, float('nan')):.3f}" for f in ("gan", "dalle", "autoregressive-vq"))
            + " |",
            flush=True,
        )


if __name__ == "__main__":
    main()
