"""Model-card facts: what the CLI and the app show about a model's training and validation."""

from __future__ import annotations

import pytest

from miwake.core.card_facts import (
    headline_text,
    training_facts,
    training_lines,
    validation_facts,
    validation_lines,
)
from miwake.core.timefmt import clock_duration, rough_duration

TRAINING = {
    "data": {
        "train": {
            "images": 10,
            "ai": 4,
            "real": 6,
            "sources": {"a": {"label": "ai", "images": 4}, "b": {"label": "real", "images": 6}},
            "generators": {"sd-1.5": 1, "sdxl": 3},
        },
        "validation": {"images": 5, "ai": 2, "real": 3, "sources": ["c", "d"]},
    },
    "init": {"kind": "random", "detail": "random initialisation"},
    "not_seen": ["Flux"],
    "epochs_run": 7,
    "best_epoch": 5,
    "duration_s": 3600.0,
    "hardware": "CPU (2 threads)",
    "history": [{"epoch": 1}],
}


def test_training_facts_read_a_card():
    t = training_facts(TRAINING)
    assert t.train is not None and t.train.images == 10 and t.train.ai == 4 and t.train.real == 6
    assert t.train.sources == ("a", "b")
    assert t.train.generators == ("sdxl", "sd-1.5")  # most images first
    assert t.validation is not None and t.validation.sources == ("c", "d")
    assert (t.not_seen, t.init, t.epochs_run, t.best_epoch) == (("Flux",), "random initialisation", 7, 5)
    lines = dict(training_lines(t))
    assert lines["trained on"] == "10 images (4 AI, 6 human-made) from 2 sources: a, b"
    assert lines["training run"] == "7 epochs (best 5), 60 min, CPU (2 threads)"


@pytest.mark.parametrize(
    "training",
    [None, {}, [], "text", {"data": "x"}, {"data": {"train": {"images": "many"}}}, {"init": 3, "epochs_run": True}],
)
def test_odd_cards_give_empty_facts_not_errors(training):
    t = training_facts(training)
    assert t.train is None and t.validation is None
    assert isinstance(training_lines(t), list)


def test_validation_facts():
    metrics = {
        "auc": 0.9,
        "f1": 0.8,
        "n": 30,
        "jpeg90": {"auc": 0.88},
        "verdicts": {"ai_verdict_precision": 0.8, "human_verdict_precision": 0.95, "unsure_share": 0.2},
        "per_source": {"bsds": {"label": "real", "n": 43, "accuracy": 0.65, "auc_vs_other_class": 0.81}, "bad": 3},
    }
    v = validation_facts(metrics)
    assert v.headline == {"auc": 0.9, "f1": 0.8}
    assert v.auc_jpeg90 == 0.88 and v.unsure_share == 0.2
    assert v.per_source == {"bsds": ("real", 43, 0.65, 0.81)}
    assert validation_facts("nonsense").headline == {}
    assert headline_text(v) == "AUC 0.900 · F1 0.800"
    lines = dict(validation_lines(v))
    assert lines["  verdicts"] == "'AI' right 80%, 'human' right 95%, unsure 20%"
    assert lines["  bsds"] == "real, 43 images, 65% right, AUC vs other class 0.810"


def test_durations_read_as_people_say_them():
    assert rough_duration(20) == "20 s"
    assert rough_duration(39 * 60) == "39 min"
    assert rough_duration(3 * 3600) == "3.0 h"
    assert (clock_duration(42), clock_duration(185), clock_duration(3723), clock_duration(None)) == (
        "42 s",
        "3:05",
        "1:02:03",
        "–",
    )
