"""The learning-curve recipe's source subsets and curve, on a pool the test makes."""

from __future__ import annotations

import numpy as np

from miwake.training.crossval import Candidate
from miwake.training.recipes.learning_curve import curve, source_subset
from tests.training.pools import synthetic_pool


def test_source_subsets_take_whole_sources_of_both_classes_in_the_share_asked() -> None:
    pool = synthetic_pool()  # 12 sources, 6 of each class
    train = np.arange(pool.n)
    rng = np.random.default_rng(1)
    sub = source_subset(pool, train, 0.5, rng)
    kept = set(pool.sources[sub])
    assert len(kept) == 6  # half of the 6 human and of the 6 AI sources
    assert {int(pool.labels[pool.sources == s][0]) for s in kept} == {0, 1}
    assert all(np.sum(pool.sources[sub] == s) == np.sum(pool.sources == s) for s in kept)  # whole sources
    tiny = source_subset(pool, train, 0.01, rng)
    assert set(pool.labels[tiny]) == {0, 1}  # at least one source of each class


def test_curve_reports_every_share_with_fewer_sources_for_smaller_shares() -> None:
    pool = synthetic_pool()
    rows = curve(pool, Candidate("all", (slice(0, pool.feats.shape[1]),)), [0.3, 1.0], repeats=2)
    assert [r["share"] for r in rows] == [0.3, 1.0]
    assert rows[0]["sources"] < rows[1]["sources"]
    assert rows[1]["auc"] > 0.7  # the class feature is found on sources it never saw
