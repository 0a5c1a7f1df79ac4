"""Cached tokens (``features.extract(tokens=...)``) and partial fine-tuning on them (``training.token_finetune``),
on a tiny ViT and images the tests make."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from miwake.core.archs import dinov2_pool_layers, pool_blocks, vit_tokens
from miwake.training.dataset import Sample
from miwake.training.features import KINDS, FeatureConfig, extract
from miwake.training.token_finetune import CachedTokens, FinetuneConfig, Rows, crop_logits, finetune, image_mean


def tiny_vit(depth: int = 3):
    import timm

    torch.manual_seed(0)
    return timm.create_model(
        "vit_small_patch14_dinov2",
        pretrained=False,
        num_classes=0,
        global_pool="",
        img_size=28,
        embed_dim=32,
        depth=depth,
        num_heads=2,
        dynamic_img_size=True,
        dynamic_img_pad=True,
    ).eval()


def as_input(crops: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(crops)).permute(0, 3, 1, 2).float() / 127.5 - 1.0


def test_pooling_from_cached_tokens_equals_pooling_from_the_image() -> None:
    vit = tiny_vit()
    x = torch.randn(2, 3, 28, 28)
    with torch.no_grad():
        full = dinov2_pool_layers(vit, x)
        head, kept = pool_blocks(vit, vit_tokens(vit, x), vit.blocks[:2])
        tail, _ = pool_blocks(vit, kept, vit.blocks[2:])
    torch.testing.assert_close(torch.cat([head, tail], dim=1), full)


def test_the_patch_spread_follows_every_block_feature_and_is_each_channels_spread_over_the_patches() -> None:
    vit = tiny_vit()
    x = torch.randn(2, 3, 28, 28)
    with torch.no_grad():
        plain = dinov2_pool_layers(vit, x)
        both = dinov2_pool_layers(vit, x, spread=True)
        t = vit_tokens(vit, x)
        expect = []
        for blk in vit.blocks:
            t = blk(t)
            expect.append(vit.norm(t)[:, 1:].std(dim=1, correction=0))
    assert both.shape == (2, 3 * 64 + 3 * 32)
    torch.testing.assert_close(both[:, : 3 * 64], plain)  # the block features keep their columns
    torch.testing.assert_close(both[:, 3 * 64 :], torch.cat(expect, dim=1))
    one_patch = dinov2_pool_layers(vit, torch.randn(1, 3, 14, 14), spread=True)
    assert torch.isfinite(one_patch).all() and (one_patch[:, 3 * 64 :] == 0).all()  # one patch: no spread, no NaN


def _images(tmp_path: Path, n: int) -> list[Sample]:
    from PIL import Image

    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        size = (12, 16) if i == 0 else (40, 36)  # the first is smaller than a crop: scored whole, fewer tokens
        p = tmp_path / f"{i}.png"
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(p)
        out.append(Sample(str(p), i % 2, f"s{i % 3}", "g", "f"))
    return out


def test_extract_keeps_tokens_row_for_row_beside_the_same_features(tmp_path: Path) -> None:
    vit = tiny_vit()
    samples = _images(tmp_path, 5)

    def pooled(crops: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return dinov2_pool_layers(vit, as_input(crops)).numpy()

    def tokens(crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with torch.no_grad():
            f, kept = pool_blocks(vit, vit_tokens(vit, as_input(crops)), vit.blocks[:2])
            g, _ = pool_blocks(vit, kept, vit.blocks[2:])
        return torch.cat([f, g], dim=1).numpy(), kept.numpy()

    base = FeatureConfig(crop=28, train_crops=2, shard=3)
    plain = extract(samples, pooled, tmp_path / "plain", base)
    cfg = FeatureConfig(crop=28, train_crops=2, shard=3, token_kinds=("train", "raw"))
    with_tokens = extract(samples, pooled, tmp_path / "tokens", cfg, tokens=tokens)
    f0, i0, k0, _ = plain.load()
    f1, i1, k1, _ = with_tokens.load()
    assert np.array_equal(i0, i1) and np.array_equal(k0, k1)
    np.testing.assert_allclose(f0, f1, atol=2e-3)  # float16 rows of the same crops

    cached = with_tokens.load_tokens()
    assert sorted(cached) == [1 * 2 + 1, 2 * 2 + 1]  # class token + patches: the small image (padded) 1x2, crops 2x2
    rows = np.concatenate([r for _, r in cached.values()])
    wanted = np.flatnonzero(np.isin(k1, [KINDS.index("train"), KINDS.index("raw")]))
    assert np.array_equal(np.sort(rows), wanted)  # every crop of the kinds asked for, once, none of the others
    # the tokens continue to the same features: block 3 run on them gives the stored block-3 columns
    for toks, r in cached.values():
        with torch.no_grad():
            g, _ = pool_blocks(vit, torch.from_numpy(toks.astype(np.float32)), vit.blocks[2:])
        np.testing.assert_allclose(g.numpy(), f1[r][:, 64 * 2 :], atol=2e-2)

    with pytest.raises(ValueError, match="other images or settings"):
        extract(samples, pooled, tmp_path / "plain", cfg, tokens=tokens)  # a store without tokens is not resumed


def _toy(n_images: int = 24, crops: int = 3, seed: int = 0):
    """A tiny ViT split after block 1, cached tokens of random crops, labels the frozen features cannot see:
    the AI crops' tokens carry a pattern that block 2 can learn to pool and the frozen block-1 features lack."""
    vit = tiny_vit(depth=2)
    rng = np.random.default_rng(seed)
    n = n_images * crops
    image = np.repeat(np.arange(n_images), crops)
    labels = (image % 2).astype(int)
    toks = rng.normal(size=(n, 5, 32)).astype(np.float32)
    toks[labels == 1, 1:, :4] += 0.6  # a weak pattern in the patch tokens of the AI crops
    with torch.no_grad():
        f2, _ = pool_blocks(vit, torch.from_numpy(toks), vit.blocks[1:])
    frozen = rng.normal(size=(n, 64)).astype(np.float32)  # block-1 features: noise
    feats = np.hstack([frozen, f2.numpy()])
    rows = Rows(np.arange(n), feats, labels, np.array([f"s{i % 4}" for i in image]), image)
    cached = CachedTokens({5: (toks.astype(np.float16), np.arange(n))}, n)
    return vit, rows, cached


def test_with_no_epochs_the_model_is_the_linear_probe() -> None:
    from miwake.training.probe import fit_head

    vit, rows, cached = _toy()
    model = finetune(vit, 1, 64, rows, cached, FinetuneConfig(epochs=0))
    z = crop_logits(model, 64, rows, cached)
    probe = fit_head(rows.feats, rows.labels, rows.sources, c=0.1)
    np.testing.assert_allclose(z, probe.logits(rows.feats), atol=2e-2)
    assert all(not p.requires_grad for p in model.norm.parameters())  # the shared final norm stays frozen


def test_finetuning_trains_the_block_and_lowers_the_training_loss() -> None:
    vit, rows, cached = _toy()
    cfg = FinetuneConfig(epochs=0, c=0.01)
    before = finetune(vit, 1, 64, rows, cached, cfg)
    after = finetune(vit, 1, 64, rows, cached, FinetuneConfig(epochs=30, c=0.01, lr=1e-3, head_lr=1e-2, batch=16))
    assert not torch.equal(before.blocks[0].mlp.fc1.weight, after.blocks[0].mlp.fc1.weight)
    assert torch.equal(vit.blocks[1].mlp.fc1.weight, before.blocks[0].mlp.fc1.weight)  # the backbone is copied

    def loss(m):
        z = torch.from_numpy(crop_logits(m, 64, rows, cached))
        return float(torch.nn.functional.binary_cross_entropy_with_logits(z, torch.from_numpy(rows.labels * 1.0)))

    assert loss(after) < 0.8 * loss(before)


def test_cached_tokens_are_batched_by_token_count_and_image_means_pool_crops() -> None:
    cached = CachedTokens(
        {5: (np.zeros((3, 5, 2), np.float16), np.array([0, 2, 3])), 2: (np.ones((1, 2, 2), np.float16), np.array([1]))},
        5,
    )
    got = [(r.tolist(), tuple(t.shape)) for r, t in cached.batches(np.array([3, 1, 0, 2]), 2)]
    assert got == [([1], (1, 2, 2)), ([3, 0], (2, 5, 2)), ([2], (1, 5, 2))]
    with pytest.raises(ValueError, match="without cached tokens"):
        list(cached.batches(np.array([4]), 2))
    np.testing.assert_allclose(
        image_mean(np.array([1.0, 3.0, 5.0]), np.array([7, 7, 9]), np.array([9, 7, 8])), [5.0, 2.0, np.nan]
    )


def test_noise_sensitivity_is_zero_without_noise_and_grows_with_it() -> None:
    from miwake.training.recipes.noise_sensitivity import family_aucs, sensitivity

    vit = tiny_vit()
    crops = np.random.default_rng(0).integers(0, 256, (2, 28, 28, 3), dtype=np.uint8)
    d = sensitivity(vit, crops, [0.0, 4.0, 64.0])
    assert d.shape == (3, 2 * 3)
    np.testing.assert_allclose(d[0], 0.0, atol=1e-6)
    patch = d[:, 1::2]  # the mean patch token of each block (a random tiny ViT's class token hardly sees the input)
    assert (patch[2] > patch[1]).all() and (patch[1] > 1e-5).all()
    aucs = family_aucs(np.array([0, 0, 1, 1]), np.array(["human", "human", "gan", "sd1"]), np.array([0, 1, 2, 0.5]))
    assert aucs == {"all": 0.75, "gan": 1.0, "sd1": 0.5}
