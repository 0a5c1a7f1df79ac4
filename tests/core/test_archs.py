"""Miwake's own architectures load from bundles and scan like any timm model, small tiles included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from miwake.core.bundle import IMAGENET_MEAN, IMAGENET_STD, ModelCard, read_bundle, save_bundle
from miwake.core.detector import Detector
from miwake.core.model_factory import build_model


@pytest.mark.parametrize(
    "arch",
    [
        "miwake_dinov2_s14",
        "miwake_dinov2_s14_layers",
        "miwake_dinov2_s14_b6",
        "miwake_dinov2_s14_b6_residual",
        "miwake_dinov2s_lite2",
    ],
)
def test_bundle_of_a_miwake_architecture_scores_crops_and_small_tiles(arch: str, tmp_path: Path) -> None:
    import timm

    torch.manual_seed(0)
    model = build_model(arch)
    assert timm.is_model(arch)
    with torch.no_grad():
        model.get_classifier().weight.normal_(0, 0.05)
    card = ModelCard(
        id="probe",
        display_name="probe",
        arch=arch,
        crop_size=224,
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        max_tiles=8,
        weights_dtype="float16",
    )
    save_bundle(tmp_path / "b", card, model.state_dict())
    det = Detector(read_bundle(tmp_path / "b"), "cpu")
    rng = np.random.default_rng(0)
    full = det.logits(rng.integers(0, 255, (2, 224, 224, 3), dtype=np.uint8))
    small = det.logits(rng.integers(0, 255, (1, 100, 150, 3), dtype=np.uint8))  # a whole small image
    assert full.shape == (2,) and small.shape == (1,)
    assert np.isfinite(full).all() and np.isfinite(small).all()
    assert abs(full[0] - full[1]) > 1e-4  # the head reads the pixels


def test_fusion_feeds_each_branch_the_normalisation_it_was_trained_with() -> None:
    from miwake.core.archs import DinoV2LiteProbe

    m = DinoV2LiteProbe().eval()
    x01 = torch.rand(1, 3, 224, 224)
    x_imagenet = (x01 - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    with torch.no_grad():
        feats = m.pooled(x_imagenet)
        lite_ref = m.lite((x01 - 0.5) / 0.5)
    torch.testing.assert_close(feats[:, 768:], lite_ref, rtol=1e-4, atol=1e-4)


def test_hub_weights_are_refused() -> None:
    import timm

    from miwake.core import archs  # noqa: F401

    with pytest.raises(ValueError, match="no hub weights"):
        timm.create_model("miwake_dinov2_s14", pretrained=True)


def test_every_block_features_end_with_the_last_block_features() -> None:
    from miwake.core.archs import DinoV2LayersProbe, DinoV2Probe

    torch.manual_seed(0)
    layers, last = DinoV2LayersProbe().eval(), DinoV2Probe().eval()
    last.dino.load_state_dict(layers.dino.state_dict())
    x = torch.randn(1, 3, 98, 126)  # a small tile: padded to 14 x 14 patches, position embedding resampled
    with torch.no_grad():
        f_all, f_last = layers.pooled(x), last.pooled(x)
    assert f_all.shape == (1, 12 * 768)
    torch.testing.assert_close(f_all[:, -768:], f_last)
    assert not torch.allclose(f_all[:, :768], f_last)  # the first block's features are not the last one's


def test_a_head_on_the_first_blocks_runs_only_those_blocks_and_gives_the_full_networks_logit() -> None:
    """Issue #26: the default's head reads blocks 1-6; blocks 7-12 meet only zero weights, so scoring skips them."""
    from miwake.core.archs import DinoV2LayersProbe

    torch.manual_seed(0)
    m = DinoV2LayersProbe(img_size=56).eval()
    assert m.blocks_read() == 12  # a fresh head reads every block
    ran: list[int] = []
    for i, blk in enumerate(m.dino.blocks):
        blk.register_forward_hook(lambda mod, inp, out, i=i: ran.append(i))
    with torch.no_grad():
        m.head.weight[:, 4 * 768 :] = 0  # blocks 1-4 only (768 features per block)
        x = torch.randn(3, 3, 56, 56)
        cut = m(x)
        assert m.blocks_read() == 4 and ran == [0, 1, 2, 3]
        full = m.head(m.pooled(x))
    torch.testing.assert_close(cut, full, rtol=0, atol=1e-6)
    ran.clear()
    m.train()  # training runs every block: the zeros may not stay zeros
    m(x)
    assert ran == list(range(12))


def test_the_network_cut_after_block_6_with_the_residual_is_the_full_networks_features_and_the_residual() -> None:
    """Default v4 (#23): blocks 1-6 of the every-block network (the same weights), then the 24 noise-residual
    features of the exact 8-bit pixels the crop was normalised from; its logit is its head on those features."""
    from miwake.core.archs import DinoV2Block6ResidualProbe, DinoV2LayersProbe
    from miwake.core.residual import DIMS, residual_features

    torch.manual_seed(0)
    full, cut = DinoV2LayersProbe(img_size=56).eval(), DinoV2Block6ResidualProbe(img_size=56).eval()
    missing = cut.dino.load_state_dict(full.dino.state_dict(), strict=False)
    assert {int(k.split(".")[1]) for k in missing.unexpected_keys} == set(range(6, 12))  # blocks 7-12 dropped
    assert len(cut.dino.blocks) == 6 and cut.num_features == 6 * 768 + DIMS
    pixels = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (2, 3, 42, 56))).float()
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1) * 255
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1) * 255
    x = (pixels - mean) / std
    with torch.no_grad():
        f_cut, f_full = cut.pooled(x), full.pooled(x)
        torch.testing.assert_close(f_cut[:, : 6 * 768], f_full[:, : 6 * 768])
        torch.testing.assert_close(f_cut[:, 6 * 768 :], residual_features(pixels), rtol=0, atol=0)
        cut.head.weight.normal_(0, 0.05)
        torch.testing.assert_close(cut(x), cut.head(f_cut), rtol=0, atol=1e-5)
        cut.head.weight[:, : 6 * 768] = 0  # only the residual: the logit still moves with the pixels
        logits = cut(x)
    assert abs(float(logits[0] - logits[1])) > 1e-3
