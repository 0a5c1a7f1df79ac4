import pytest

from miwake.training.metrics import binary_metrics, choose_operating_point, group_breakdown, roc_points

Y = [0, 0, 1, 1, 0, 1]
P = [0.1, 0.4, 0.35, 0.8, 0.6, 0.9]


def test_metrics_against_hand_computed_values():
    m = binary_metrics(Y, P, 0.5)
    # pred = [0,0,0,1,1,1]: tp 2 (0.8, 0.9), fp 1 (0.6), fn 1 (0.35), tn 2
    assert m["confusion"] == {"tn": 2, "fp": 1, "fn": 1, "tp": 2}
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["accuracy"] == pytest.approx(4 / 6)
    # AUC: pairs (pos, neg) where pos > neg: 0.35>{0.1} ; 0.8>{0.1,0.4,0.6}; 0.9>{all 3} -> 7 of 9
    assert m["auc"] == pytest.approx(7 / 9)


def test_roc_points_span_the_square():
    pts = roc_points(Y, P)
    assert pts[0][:2] == [0.0, 0.0] and pts[-1][:2] == [1.0, 1.0]


def test_operating_point_separable():
    t, (lo, hi) = choose_operating_point([0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    assert 0.3 < t <= 0.7 and lo <= t <= hi
    assert binary_metrics([0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.3, 0.7, 0.8, 0.9], t)["accuracy"] == 1.0


def test_operating_point_band_is_precise_on_validation():
    import numpy as np

    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(500), np.ones(500)].astype(int)
    p = np.clip(np.r_[rng.normal(0.3, 0.15, 500), rng.normal(0.7, 0.15, 500)], 0, 1)
    t, (lo, hi) = choose_operating_point(y, p)
    assert lo < t < hi
    assert y[p >= hi].mean() >= 0.95 and (1 - y[p < lo]).mean() >= 0.95


def test_group_breakdown():
    g = group_breakdown(Y, P, ["a", "a", "b", "b", "c", "b"], 0.5, (0.3, 0.7))
    assert g["b"]["label"] == "ai" and g["b"]["recall"] == pytest.approx(2 / 3) and g["b"]["n"] == 3
    assert g["a"]["specificity"] == 1.0 and g["c"]["specificity"] == 0.0
