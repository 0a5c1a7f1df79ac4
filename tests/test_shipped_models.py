"""The bundled models, as shipped: valid bundles whose scores on the bundled samples match the golden values."""

from __future__ import annotations

import json

import pytest

from tests.golden.shipped_models import GOLDEN, MODELS, score_samples

GOLDEN_VALUES = json.loads(GOLDEN.read_text())


def test_every_bundled_model_has_golden_values() -> None:
    assert sorted(GOLDEN_VALUES) == sorted(d.name for d in MODELS.iterdir() if (d / "model.json").is_file())


@pytest.mark.parametrize("name", sorted(GOLDEN_VALUES))
def test_bundled_model_scores_the_samples_as_recorded(name: str) -> None:
    want = GOLDEN_VALUES[name]
    got = score_samples(MODELS / name)
    assert got["weights_sha256"] == want["weights_sha256"], "weights changed: regenerate on purpose (see golden module)"
    assert set(got["samples"]) == set(want["samples"])
    for sample, w in want["samples"].items():
        g = got["samples"][sample]
        assert g["p"] == pytest.approx(w["p"], abs=1e-3), sample
        assert (g["verdict"], g["crops"]) == (w["verdict"], w["crops"]), sample
