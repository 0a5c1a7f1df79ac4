"""The default-model recipe ships the network its head needs: cut after block 6 where the head reads no later block,
with the noise-residual features where it reads them, scoring exactly as the probe on the stored features did."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from miwake.core.archs import DinoV2Block6ResidualProbe, DinoV2LayersProbe
from miwake.core.model_factory import build_model
from miwake.training.crossval import Candidate
from miwake.training.probe import LinearHead, install_head
from miwake.training.recipes.crossval import blocks, with_forensic
from miwake.training.recipes.default_model import B6, B6_RESIDUAL, LAYERS, layers_head, what_ja


def _crops() -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(0).normal(0, 1, (2, 3, 56, 56)).astype(np.float32))


def test_a_stacked_head_over_blocks_1_6_and_the_residual_ships_the_cut_network_and_scores_as_the_probe():
    torch.manual_seed(0)
    full = DinoV2LayersProbe(img_size=56).eval()
    x = _crops()
    with torch.no_grad():
        dino = full.pooled(x)[:, : 6 * 768].numpy()  # a `features --layers --blocks 6` store
        residual = DinoV2Block6ResidualProbe(img_size=56).residual(x).numpy()  # ... and a `features --forensic` one
    store = np.hstack([dino, residual])
    cand = next(c for c in with_forensic(6 * 768, 24) if c.name.endswith("forensic stacked"))
    rng = np.random.default_rng(1)
    head = LinearHead(rng.normal(0, 0.02, store.shape[1]), 0.3)  # as `Candidate.fit` returns: store columns
    arch, what, shipped = layers_head(cand, head, store_blocks=6, extra=24)
    assert arch == B6_RESIDUAL and what.endswith("blocks 1-6 and 24 noise-residual features")
    model = build_model(arch, img_size=56).eval()
    model.dino.load_state_dict(full.dino.state_dict(), strict=False)
    install_head(model, shipped)
    with torch.no_grad():
        np.testing.assert_allclose(model(x).numpy().ravel(), head.logits(store), atol=1e-4)
    assert what_ja(what).endswith("と 24 個のノイズ残差特徴量")


def test_with_a_patch_spread_store_the_residual_columns_come_after_the_spread_and_v4s_candidate_reads_neither():
    from miwake.training.recipes.crossval import store_columns
    from miwake.training.recipes.features import layer_dims

    dino, spread = store_columns({"dims": layer_dims(6, spread=True)})
    assert (dino, spread) == (6 * 768, 6 * 384)
    assert store_columns({"dims": layer_dims(6)}) == (6 * 768, 0)
    cands = {c.name: c for c in with_forensic(dino, 24, spread)}
    v4 = cands["dinov2-s blocks 1-6 + forensic stacked"]
    assert v4.slices == (slice(0, dino), slice(dino + spread, dino + spread + 24))
    assert cands["dinov2-s blocks 1-6 + patch spread + forensic stacked"].slices[0] == slice(0, dino + spread)
    assert "dinov2-s blocks 1-6 + forensic concat" not in cands  # its one head would read the spread too
    assert {c.name for c in with_forensic(dino, 24)} < set(cands) | {"dinov2-s blocks 1-6 + forensic concat"}


def test_the_lite2_candidates_read_the_columns_after_the_residual_and_v4s_reads_none_of_them():
    from miwake.training.recipes.crossval import with_lite2

    cands = {c.name: c for c in with_lite2(6 * 768, 24, 1280)}
    d, f, lite = slice(0, 4608), slice(4608, 4632), slice(4632, 5912)
    assert cands["dinov2-s blocks 1-6 + forensic stacked"].slices == (d, f)  # v4, as with_forensic builds it
    assert cands["dinov2-s blocks 1-6 + forensic + lite2: three heads"].slices == (d, f, lite)
    assert cands["lite2"].slices == (lite,)


def test_a_head_on_blocks_1_6_of_an_every_block_store_ships_the_network_cut_after_block_6():
    cand = Candidate("dinov2-s blocks 1-6", (blocks(1, 6),))
    w = np.zeros(12 * 768)
    w[: 6 * 768] = 1.0
    arch, what, shipped = layers_head(cand, LinearHead(w, 0.0), store_blocks=12, extra=0)
    assert (arch, len(shipped.weight)) == (B6, 6 * 768) and what.endswith("blocks 1-6")
    every = Candidate("dinov2-s blocks 1-12", (blocks(1, 12),))
    assert layers_head(every, LinearHead(np.ones(12 * 768), 0.0), 12, 0)[0] == LAYERS
    w[-1] = 1.0  # a head that reads block 12 after all: not cut
    with pytest.raises(ValueError, match="does not have"):
        layers_head(cand, LinearHead(w, 0.0), store_blocks=12, extra=0)


def test_the_ablation_groups_the_residual_numbers_by_what_they_measure():
    from miwake.core.residual import NAMES
    from miwake.training.recipes.ablate import groups_of

    groups = groups_of({name: [i, i + 1] for i, name in enumerate(NAMES)})
    assert {g: len(c) for g, c in groups.items()} == {"statistics": 3, "colour": 3, "radial": 12, "peaks": 6}
    assert sorted(i for c in groups.values() for i in c) == list(range(len(NAMES)))
    assert groups_of({"block1": [0, 768], "block2": [768, 1536]})["block2"] == list(range(768, 1536))
