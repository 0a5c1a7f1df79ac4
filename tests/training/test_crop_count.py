"""The crop-count check (``training.recipes.crop_count``): a pooling that only reads how many crops an image has
scores well over all images and falls to chance where every image has the same number."""

from __future__ import annotations

import numpy as np

from miwake.training.crossval import Candidate, Pool
from miwake.training.features import KINDS
from miwake.training.recipes.crop_count import compare, fewer_tiles, most_decided
from tests.training.pools import synthetic_pool


def _count_follows_the_class(pool: Pool) -> Pool:
    """No class signal in any feature; AI images keep 4 scan tiles, three in four human images only 1."""
    raw = KINDS.index("raw")
    keep = np.ones(len(pool.kind), bool)
    human = np.flatnonzero(pool.labels == 0)
    for i in np.delete(human, np.s_[::4]):
        rows = np.flatnonzero((pool.image == i) & (pool.kind == raw))
        keep[rows[1:]] = False
    feats = pool.feats.copy()
    feats[:, 0] = np.random.default_rng(3).normal(0, 1, len(feats))  # the class signal gone
    return Pool(feats[keep], pool.image[keep], pool.kind[keep], pool.labels, pool.sources, pool.families)


def test_fewer_tiles_keeps_k_random_scan_tiles_per_image_and_every_other_crop() -> None:
    pool = synthetic_pool(crops=4)
    few = fewer_tiles(pool, 2, seed=1)
    raw = KINDS.index("raw")
    assert (np.bincount(few.image[few.kind == raw], minlength=pool.n) == 2).all()
    assert (few.kind != raw).sum() == (pool.kind != raw).sum()
    kept_rows = {tuple(r) for r in few.feats[few.kind == raw]}
    assert kept_rows <= {tuple(r) for r in pool.feats[pool.kind == raw]}
    assert not np.array_equal(few.feats[few.kind == raw], fewer_tiles(pool, 2, seed=2).feats[few.kind == raw])


def test_a_pooling_that_reads_the_crop_count_is_exposed_where_the_count_is_equal() -> None:
    pool = _count_follows_the_class(synthetic_pool(crops=4))
    table, _ = compare(pool, Candidate("all", (slice(0, pool.feats.shape[1]),)), k=1)
    gap = {name: row["noisy_or"] - row["mean"] for name, row in table.items()}
    assert gap["all images"] > 0.3  # more crops, higher noisy-or: the count shows through; the mean cannot read it
    assert abs(gap["full tiles only"]) < 0.1  # the same count for every image: nothing left to gain
    assert set(table["1 tiles"].values()) == {table["1 tiles"]["mean"]}  # one tile: every pooling is the tile


def test_most_decided_counts_the_verdicts_each_side_can_give_at_the_precision() -> None:
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1, 0, 1])
    z = np.arange(10.0)  # scores in that order
    assert most_decided(y, z, 1.0) == (1, 3)  # the top one is AI, the bottom three human
    assert most_decided(y, z, 0.75) == (5, 5)  # 4 of the top 5 and 4 of the bottom 5 are right
    assert most_decided(np.zeros(3, int), np.zeros(3), 0.95) == (0, 3)
