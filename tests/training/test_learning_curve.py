"""The learning-curve recipe's source subsets and curve, on a pool the test makes."""

from __future__ import annotations

import numpy as np

from miwake.training.crossval import Candidate, Pool
from miwake.training.features import KINDS
from miwake.training.recipes.learning_curve import curve, source_subset


def pool_of(n_sources: int = 10, per_source: int = 6, seed: int = 0) -> Pool:
    """Half the sources AI; feature 0 carries the class, feature 1 a per-source offset."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([int(s < n_sources // 2) for s in range(n_sources)], per_source)
    sources = np.repeat([f"s{s}" for s in range(n_sources)], per_source)
    offsets = rng.normal(0, 2, n_sources)
    feats, image, kind = [], [], []
    for i, lab in enumerate(labels):
        for k in ("train", "raw"):
            f = rng.normal(0, 1, 3)
            f[0] += 1.5 * (lab - 0.5)
            f[1] += offsets[int(sources[i][1:])]
            feats.append(f)
            image.append(i)
            kind.append(KINDS.index(k))
    return Pool(
        np.array(feats, np.float32),
        np.array(image),
        np.array(kind, np.int8),
        labels,
        sources,
        np.array(["f"] * len(labels)),
    )


def test_source_subsets_take_whole_sources_of_both_classes_in_the_share_asked() -> None:
    pool = pool_of()
    train = np.arange(pool.n)
    rng = np.random.default_rng(1)
    sub = source_subset(pool, train, 0.4, rng)
    kept = set(pool.sources[sub])
    assert len(kept) == 4  # 40 % of 5 human and of 5 AI sources
    assert {int(pool.labels[pool.sources == s][0]) for s in kept} == {0, 1}
    assert all(np.sum(pool.sources[sub] == s) == 6 for s in kept)  # whole sources
    tiny = source_subset(pool, train, 0.01, rng)
    assert set(pool.labels[tiny]) == {0, 1}  # at least one source of each class


def test_curve_reports_every_share_with_fewer_sources_for_smaller_shares() -> None:
    pool = pool_of(n_sources=20)
    rows = curve(pool, Candidate("f0-1", (slice(0, 3),)), [0.3, 1.0], repeats=2)
    assert [r["share"] for r in rows] == [0.3, 1.0]
    assert rows[0]["sources"] < rows[1]["sources"]
    assert rows[1]["auc"] > 0.7  # the class feature is found on sources it never saw
