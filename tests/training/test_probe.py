"""Linear probes on frozen features and the leave-sources-out protocol, on features the tests make."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from miwake.training.crossval import Candidate, Pool, family_folds, run_protocol, source_folds
from miwake.training.features import KINDS
from miwake.training.probe import LinearHead, fit_head, install_head, row_weights
from tests.training.pools import synthetic_pool


def test_row_weights_balance_sources_and_classes() -> None:
    y = np.array([1] * 10 + [1] * 2 + [0] * 4)
    g = ["a"] * 10 + ["b"] * 2 + ["c"] * 4
    w = row_weights(y, g)
    assert w[:10].sum() == pytest.approx(w[10:12].sum())
    assert w[y == 1].sum() == pytest.approx(w[y == 0].sum())


def test_row_weights_can_balance_families_too() -> None:
    # family sd1 has three sources (a, b, c), family gan one (d); human one source (h)
    y = np.array([1] * 9 + [1] * 3 + [0] * 6)
    g = ["a"] * 3 + ["b"] * 3 + ["c"] * 3 + ["d"] * 3 + ["h"] * 6
    f = ["sd1"] * 9 + ["gan"] * 3 + ["human"] * 6
    by_source = row_weights(y, g)
    assert by_source[:9].sum() == pytest.approx(3 * by_source[9:12].sum())  # sources equal: sd1 has 3x the say
    w = row_weights(y, g, families=f, family_power=1.0)
    assert w[:9].sum() == pytest.approx(w[9:12].sum())  # families equal
    assert w[:3].sum() == pytest.approx(w[3:6].sum())  # sources of a family equal
    assert w[y == 1].sum() == pytest.approx(w[y == 0].sum())


def test_fitted_head_works_on_raw_features_and_reads_the_class_feature() -> None:
    pool = synthetic_pool()
    x, y, g = pool.rows(np.arange(pool.n), slice(0, 6))
    head = fit_head(x * 5 + 3, y, g, c=1.0)  # standardisation is folded into the raw-feature weights
    acc = np.mean((head.logits(x * 5 + 3) > 0) == (y == 1))
    assert acc > 0.8
    assert abs(head.weight[0]) > 3 * abs(head.weight[2:]).max()


def test_installed_head_gives_the_mean_crop_logit_of_the_model() -> None:
    import timm

    from miwake.core import archs  # noqa: F401

    model = timm.create_model("miwake_dinov2_s14", pretrained=False, num_classes=1).eval()
    rng = np.random.default_rng(0)
    head = LinearHead(rng.normal(0, 0.05, 768), 0.3)
    install_head(model, head)
    x = torch.randn(3, 3, 224, 224)
    with torch.no_grad():
        feats = model.pooled(x).numpy()
        logits = model(x).numpy().ravel()
    np.testing.assert_allclose(logits, head.logits(feats), rtol=1e-4, atol=1e-4)
    assert head.logits(feats.mean(0, keepdims=True))[0] == pytest.approx(logits.mean(), abs=1e-4)


def test_average_head_is_the_mean_of_the_slice_heads() -> None:
    a, b = LinearHead(np.array([1.0, 2.0]), 0.5), LinearHead(np.array([3.0]), -1.0)
    both = LinearHead.average([(a, slice(0, 2)), (b, slice(2, 3))], 3)
    x = np.array([[1.0, 1.0, 2.0]])
    assert both.logits(x)[0] == pytest.approx((a.logits(x[:, :2])[0] + b.logits(x[:, 2:])[0]) / 2)


def test_learned_head_weights_give_the_head_that_ranks_held_out_sources_more_say() -> None:
    """Feature 0 carries the class across sources, feature 1 only a per-source offset: stacked as two heads, the
    weights fitted on inner folds favour the first; equal weights stay the default."""
    pool = synthetic_pool()
    images = np.arange(pool.n)
    learned = Candidate("stacked", (slice(0, 1), slice(1, 2)), c=1.0, learned_weights=True)
    w = learned.head_weights(pool, images)
    assert w.shape == (2,) and w.sum() == pytest.approx(2.0) and (w >= 0).all() and w[0] > 1.5 * w[1]
    plain = Candidate("stacked", (slice(0, 1), slice(1, 2)), c=1.0).fit(pool, images)
    fitted = learned.fit(pool, images)
    assert fitted.weight[0] / plain.weight[0] == pytest.approx(w[0])  # the same heads, weighed


def test_source_folds_hold_out_whole_sources_of_both_classes() -> None:
    pool = synthetic_pool()
    folds = source_folds(pool.labels, pool.sources, k=3)
    assert sorted(np.concatenate(folds)) == list(range(pool.n))
    for test in folds:
        train_sources = set(pool.sources[np.setdiff1d(np.arange(pool.n), test)])
        assert not train_sources & set(pool.sources[test])
        assert set(pool.labels[test]) == {0, 1}


def test_family_folds_train_without_any_source_of_the_family() -> None:
    pool = synthetic_pool()
    folds = family_folds(pool, k=3, min_family=10)
    assert set(folds) == {"sd1", "sdxl", "flux"}
    for fam, (train, test) in folds.items():
        fam_sources = set(pool.sources[pool.families == fam])
        assert not fam_sources & set(pool.sources[train])
        assert not set(pool.sources[train]) & set(pool.sources[test])
        assert set(pool.families[test]) == {fam, "human"}


def test_protocol_reports_every_fold_and_condition_and_separates_the_signal() -> None:
    pool = synthetic_pool()
    res = run_protocol(pool, Candidate("all", (slice(0, 6),), c=1.0), k=3)
    assert len(res["folds"]) == 3 and set(res["families"]) == {"sd1", "sdxl", "flux"}
    s = res["summary"]
    for part in ("source", "family"):
        for kind in ("raw", "jpeg90", "down05"):
            assert f"{part}_auc_{kind}_worst" in s
    assert s["source_auc_raw_mean"] > 0.85
    assert s["source_auc_raw_worst"] == min(f["auc_raw"] for f in res["folds"])
    assert not np.isnan(res["oof"]["raw"]).any()
    for f in res["folds"]:
        lo, hi = f["band"]
        assert 0 <= lo <= f["threshold"] <= hi <= 1


def source_signature_pool(seed: int = 0, dim: int = 32) -> Pool:
    """Each source has its own random feature signature and no class signal at all: an image looks like its
    source, and its label is only its source's label."""
    rng = np.random.default_rng(seed)
    sig = rng.normal(0, 1, (16, dim))
    feats, image, kind, labels, sources = [], [], [], [], []
    for s in range(16):
        for _ in range(10):
            i = len(labels)
            labels.append(int(s % 2))
            sources.append(f"src{s}")
            for k in ("train", "raw", "jpeg90", "down05"):
                for _ in range(2):
                    feats.append(sig[s] + rng.normal(0, 0.3, dim))
                    image.append(i)
                    kind.append(KINDS.index(k))
    labels = np.array(labels)
    fams = np.array(
        ["human" if lab == 0 else ("sd1" if int(src[3:]) % 4 == 1 else "sdxl") for lab, src in zip(labels, sources)]
    )
    return Pool(np.array(feats, np.float32), np.array(image), np.array(kind, np.int8), labels, np.array(sources), fams)


def test_a_source_shortcut_scores_high_on_random_folds_and_at_chance_on_source_folds() -> None:
    """What the protocol is for: a model that recognises sources looks excellent when files of one source
    are on both sides of the split, and is exposed when whole sources are held out."""
    from sklearn.model_selection import StratifiedKFold

    from miwake.training.crossval import evaluate_split

    pool = source_signature_pool()
    cand = Candidate("shortcut", (slice(0, 32),), c=1.0)
    cv = StratifiedKFold(4, shuffle=True, random_state=0).split(np.zeros(pool.n), pool.labels)
    by_file = [evaluate_split(pool, cand, tr, te, inner=False)["auc_raw"] for tr, te in cv]
    by_source = run_protocol(pool, cand, k=4, inner=False)["summary"]["source_auc_raw_mean"]
    assert np.mean(by_file) > 0.95
    assert 0.2 < by_source < 0.8


def test_platt_scaling_tames_overconfident_logits_and_folds_into_the_head() -> None:
    from miwake.training.probe import platt

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    x_ = (y - 0.5) * 2 + rng.normal(0, 1, 400)  # classes at -1 and +1, sd 1: the calibrated logit is 2 x
    z = 20 * x_  # a head far too sure of itself
    scale, shift = platt(z, y, ["s"] * 400)
    assert 0.07 < scale < 0.14  # close to 2 / 20

    def log_loss(logit: np.ndarray) -> float:
        p = np.clip(1 / (1 + np.exp(-logit)), 1e-12, 1 - 1e-12)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    assert log_loss(scale * z + shift) < 0.5 * log_loss(z)
    head = LinearHead(np.array([2.0, -1.0]), 0.5)
    x = rng.normal(size=(5, 2))
    np.testing.assert_allclose(head.scaled(0.1, 0.3).logits(x), 0.1 * head.logits(x) + 0.3)


def test_pooled_logits_pool_each_images_crop_logits_as_named() -> None:
    from miwake.training.crossval import POOLINGS, pooled_logits

    pool = synthetic_pool()
    head = LinearHead(np.array([1.0, 0, 0, 0, 0, 0]), 0.0)
    images = np.array([3, 0, 40])
    raw = pool.kind == KINDS.index("raw")
    for how in POOLINGS:
        got = pooled_logits(pool, head, images, "raw", how)
        for j, i in enumerate(images):
            z = np.sort(pool.feats[raw & (pool.image == i), 0].astype(np.float64))[::-1]
            p = 1 / (1 + np.exp(-z))
            want = {
                "mean": z.mean(),
                "top_half": z[: len(z) // 2].mean(),
                "top2": z[:2].mean(),
                "max": z[0],
                "noisy_or": np.log((1 - np.prod(1 - p)) / np.prod(1 - p)),
            }[how]
            assert got[j] == pytest.approx(want, rel=1e-4, abs=1e-4), (how, i)
    mean = pooled_logits(pool, head, images, "raw", "mean")
    np.testing.assert_allclose(mean, head.logits(pool.image_means("raw")[images]), rtol=1e-4, atol=1e-4)


def test_source_axes_keep_the_head_off_a_style_that_happened_to_follow_the_class() -> None:
    """Feature 0 carries the class weakly in every source; feature 1 is a per-source style that, in the training
    sources, is higher for the AI ones (by chance) and reversed in the held-out ones. A plain head leans on the
    style and fails on new sources; blind to the largest between-source axis, it reads feature 0."""
    rng = np.random.default_rng(0)

    def sources(styles: list[float], labels: list[int], tag: str):
        x, y, g = [], [], []
        for s, (style, lab) in enumerate(zip(styles, labels, strict=True)):
            f = rng.normal(0, 1, (40, 4))
            f[:, 0] += 0.6 * (lab - 0.5)
            f[:, 1] += style
            x.append(f)
            y += [lab] * 40
            g += [f"{tag}{s}"] * 40
        return np.vstack(x).astype(np.float32), np.array(y), np.array(g)

    x, y, g = sources([4.0, 6.0, 5.0, -4.0, -6.0, -5.0, 0.5, -0.5], [1, 1, 1, 0, 0, 0, 1, 0], "train")
    xt, yt, _ = sources([-5.0, -4.0, 5.0, 4.0], [1, 1, 0, 0], "test")
    from miwake.training.metrics import _safe_auc
    from miwake.training.probe import source_axes_of

    v = source_axes_of((x - x.mean(0)) / x.std(0), y, g, 1)
    assert abs(v[1, 0]) > 0.95  # the style axis is found
    plain = fit_head(x, y, g, c=1.0)
    blind = fit_head(x, y, g, c=1.0, source_axes=1)
    assert abs(plain.weight[1]) > abs(plain.weight[0])
    assert abs(blind.weight[1]) < 0.1 * abs(blind.weight[0])  # the projection is folded into raw-feature weights
    assert _safe_auc(yt, plain.logits(xt)) < 0.3
    assert _safe_auc(yt, blind.logits(xt)) > 0.6
