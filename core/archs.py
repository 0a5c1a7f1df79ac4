"""Miwake's own detector architectures: pretrained timm backbones with a linear head on pooled features.

They are registered with timm under plain names, so a model card's ``arch`` names them like any timm model
and ``timm.create_model`` / ``timm.is_model`` know them once this module is imported (``core.detector`` does).

- ``miwake_dinov2_s14``: DINOv2 ViT-S/14 on a native-resolution crop (224 px = 16 x 16 patches; smaller
  tiles are padded to a multiple of 14 and the position embedding follows), features = class token and
  mean patch token after the final norm (768), one linear logit. Frozen DINOv2 features with a linear head
  are what the best-generalising published detectors build on (UnivFD, B-Free).
- ``miwake_dinov2_s14_layers``: the same backbone, features of every block (class token and mean patch token
  of each, through the final norm: 12 x 768); the head may read any subset of them, and scoring runs the
  blocks up to the last one it reads.
- ``miwake_dinov2_s14_b6``: the network cut after block 6, features of blocks 1-6 (6 x 768): what a head on
  the early blocks reads, in half the weights (the default v3, repackaged as ``dinov2-v3``).
- ``miwake_dinov2_s14_b6_residual``: blocks 1-6 and the 24 noise-residual features of ``core.residual``
  (6 x 768 + 24): the default v4; the residual carries what DINOv2 misses (GAN upsampling, demosaicking).
- ``miwake_dinov2s_lite2``: the same DINOv2 branch beside an EfficientNet-Lite2 branch (ImageNet, global
  average pool, 1280); one linear logit over both feature vectors. The card's mean/std normalise the input
  for DINOv2 (ImageNet statistics); the Lite branch re-normalises to the mean = std = 0.5 it was trained with.

``pooled(x)`` returns the feature vector the head reads, so a head can be fitted on extracted features
(``training.probe``) and installed into the same module that scans.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .bundle import IMAGENET_MEAN, IMAGENET_STD


def _dinov2_small(img_size: int = 224, depth: int = 12) -> nn.Module:
    import timm

    return timm.create_model(
        "vit_small_patch14_dinov2",
        pretrained=False,
        num_classes=0,
        global_pool="",
        img_size=img_size,
        dynamic_img_size=True,
        dynamic_img_pad=True,
        depth=depth,
    )


def _lite(n: int) -> nn.Module:
    import timm

    return timm.create_model(f"tf_efficientnet_lite{n}", pretrained=False, num_classes=0)


class ProbeModel(nn.Module):
    """Backbones -> concatenated pooled features -> one logit. Subclasses say how each backbone pools."""

    def __init__(self, num_features: int, num_classes: int = 1, drop_rate: float = 0.0) -> None:
        super().__init__()
        self.num_features = num_features
        self.num_classes = num_classes
        self.drop = nn.Dropout(drop_rate)
        self.head = nn.Linear(num_features, num_classes) if num_classes else nn.Identity()

    @property
    def vit(self) -> Any:
        """The ViT branch, whose position embedding follows the crop size (None: none)."""
        return getattr(self, "dino", None)

    def pooled(self, x: torch.Tensor, pos: torch.Tensor | None = None) -> torch.Tensor:  # abstract
        raise NotImplementedError

    def forward(self, x: torch.Tensor, pos: torch.Tensor | None = None) -> torch.Tensor:
        """`pos`: the ViT branch's position embedding for this crop size (see `vit_tokens`); None = computed."""
        return self.head(self.drop(self.pooled(x, pos)))

    def get_classifier(self) -> nn.Module:
        return self.head

    def reset_classifier(self, num_classes: int, global_pool: Any = None) -> None:
        self.num_classes = num_classes
        self.head = nn.Linear(self.num_features, num_classes) if num_classes else nn.Identity()


def vit_tokens(vit: Any, x: torch.Tensor, pos: torch.Tensor | None = None) -> torch.Tensor:
    """A timm ViT's tokens before its blocks: patches (padded to the patch size), class token, position.

    `pos`: the position embedding for this crop's patch grid (`grid_pos_embed`), given instead of resampled
    here. The ONNX export (`core.onnx_runtime`) takes it as an input, so one graph scores every crop size."""
    x = vit.patch_embed(x)  # B x h x w x C (dynamic_img_size)
    if pos is None:
        x = vit._pos_embed(x)
    else:
        b, c = x.shape[0], x.shape[-1]
        x = torch.cat([vit.cls_token.expand(b, -1, -1), x.reshape(b, -1, c)], dim=1) + pos
    x = vit.patch_drop(x)
    return vit.norm_pre(x)


def grid_pos_embed(vit: Any, grid: tuple[int, int]) -> torch.Tensor:
    """The position embedding `vit` adds for a patch grid of `grid` (rows, columns): what `_pos_embed` computes."""
    from timm.layers import resample_abs_pos_embed

    return resample_abs_pos_embed(
        vit.pos_embed, new_size=list(grid), old_size=vit.patch_embed.grid_size, num_prefix_tokens=vit.num_prefix_tokens
    )


def dinov2_pool(vit: Any, x: torch.Tensor, pos: torch.Tensor | None = None) -> torch.Tensor:
    """[class token, mean patch token] after the final norm."""
    tokens = vit.norm(vit.blocks(vit_tokens(vit, x, pos)))  # B x (1 + N) x C, as `forward_features`
    return torch.cat([tokens[:, 0], tokens[:, 1:].mean(dim=1)], dim=1)


def dinov2_pool_layers(
    vit: Any, x: torch.Tensor, pos: torch.Tensor | None = None, blocks: int | None = None, spread: bool = False
) -> torch.Tensor:
    """[class token, mean patch token] after every block, each through the final norm (as DINOv2's
    ``get_intermediate_layers(norm=True)``): the early blocks keep more of the low-level traces that
    generators leave, the late ones more of the picture's content. Same cost as the last layer alone.
    `blocks`: run only the first that many (their features only); `spread`: see `pool_blocks`."""
    return pool_blocks(vit, vit_tokens(vit, x, pos), vit.blocks[:blocks], spread)[0]


def pool_blocks(vit: Any, x: torch.Tensor, blocks: Any, spread: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """(the features of `dinov2_pool_layers` for `blocks` run in turn from tokens `x`, the tokens after the last):
    the same pooling whether the blocks start from the image or from tokens cached after earlier blocks.

    `spread`: after all blocks' [class, mean patch], each block's standard deviation of the patch tokens per
    channel (how much the texture varies over the crop, a Gram-like texture statistic), block by block."""
    out, spreads = [], []
    for blk in blocks:
        x = blk(x)
        t = vit.norm(x)
        mean = t[:, 1:].mean(dim=1)
        out += [t[:, 0], mean]
        if spread:  # written out (not torch.std): population spread, defined for one patch, exports to ONNX
            spreads.append(((t[:, 1:] - mean[:, None]) ** 2).mean(dim=1).sqrt())
    return torch.cat(out + spreads, dim=1), x


class DinoV2Probe(ProbeModel):
    def __init__(self, num_classes: int = 1, img_size: int = 224, **kw: Any) -> None:
        super().__init__(768, num_classes, kw.pop("drop_rate", 0.0))
        self.dino = _dinov2_small(img_size)

    def pooled(self, x: torch.Tensor, pos: torch.Tensor | None = None) -> torch.Tensor:
        return dinov2_pool(self.dino, x, pos)


class DinoV2LayersProbe(ProbeModel):
    """DINOv2 ViT-S/14 (its first `depth` blocks), features of every block (depth x 768) and, with `residual`, the
    24 noise-residual features of the crop after them; a head may read any subset (zeros elsewhere)."""

    pixel_scale: torch.Tensor  # buffers: normalised input -> pixel values, for the residual features
    pixel_shift: torch.Tensor

    def __init__(
        self, num_classes: int = 1, img_size: int = 224, depth: int = 12, residual: bool = False, **kw: Any
    ) -> None:
        from .residual import DIMS

        self.extra = DIMS if residual else 0
        super().__init__(depth * 768 + self.extra, num_classes, kw.pop("drop_rate", 0.0))
        self.dino = _dinov2_small(img_size, depth)
        # the input is normalised with ImageNet mean/std (the card's): x * std + mean, in 0-255
        self.register_buffer("pixel_scale", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1) * 255.0, persistent=False)
        self.register_buffer("pixel_shift", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1) * 255.0, persistent=False)

    def residual(self, x: torch.Tensor) -> torch.Tensor:
        """The noise-residual features of the crops (empty without `residual`), from the pixel values they were
        normalised from (rounded: exactly the decoded 8-bit values, whatever the input's precision)."""
        from .residual import residual_features

        if not self.extra:
            return x.new_zeros((x.shape[0], 0))
        pixels = torch.round(x.float() * self.pixel_scale + self.pixel_shift)
        return residual_features(pixels).to(x.dtype)

    def pooled(self, x: torch.Tensor, pos: torch.Tensor | None = None) -> torch.Tensor:
        return torch.cat([dinov2_pool_layers(self.dino, x, pos), self.residual(x)], dim=1)

    def blocks_read(self) -> int:
        """How many blocks the head reads: up to the last one with a non-zero head weight. A head fitted on
        blocks 1-6 (the default v3) has zeros for blocks 7-12; their features cannot change the logit."""
        w = self.head.weight.detach() if isinstance(self.head, nn.Linear) else None
        dino: Any = self.dino  # a timm VisionTransformer
        n = len(dino.blocks)
        if w is None or w.shape[1] != self.num_features:
            return n
        used = torch.nonzero(w[:, : n * 768].reshape(w.shape[0], n, -1).abs().sum(dim=(0, 2))).flatten()
        return int(used[-1]) + 1 if used.numel() else 1

    def forward(self, x: torch.Tensor, pos: torch.Tensor | None = None) -> torch.Tensor:
        """The logit, running only the blocks the head reads when evaluating (training runs every block: the
        head's zeros may not stay zeros). The same logit as the full network: the skipped blocks' features
        would only meet zero weights. About half the time for a head on blocks 1-6."""
        if self.training or not isinstance(self.head, nn.Linear):
            return super().forward(x, pos)
        n = self.blocks_read()
        feats = dinov2_pool_layers(self.dino, x, pos, blocks=n)
        w = self.head.weight
        logit = nn.functional.linear(self.drop(feats), w[:, : feats.shape[1]], self.head.bias)
        if self.extra:  # in float32 also under fp16 autocast: the kurtosis of a crop can pass fp16's range
            with torch.autocast(device_type=x.device.type, enabled=False):
                extra = nn.functional.linear(self.drop(self.residual(x)).float(), w[:, -self.extra :].float())
            logit = logit + extra.to(logit.dtype)
        return logit


class DinoV2Block6Probe(DinoV2LayersProbe):
    """DINOv2 ViT-S/14 cut after block 6, features of blocks 1-6 (6 x 768)."""

    def __init__(self, num_classes: int = 1, img_size: int = 224, **kw: Any) -> None:
        super().__init__(num_classes, img_size, depth=6, **kw)


class DinoV2Block6ResidualProbe(DinoV2LayersProbe):
    """DINOv2 ViT-S/14 cut after block 6, features of blocks 1-6 and the 24 noise-residual features (6 x 768 + 24)."""

    def __init__(self, num_classes: int = 1, img_size: int = 224, **kw: Any) -> None:
        super().__init__(num_classes, img_size, depth=6, residual=True, **kw)


class DinoV2LiteProbe(ProbeModel):
    lite_scale: torch.Tensor  # buffers: the Lite branch's re-normalisation
    lite_shift: torch.Tensor

    def __init__(self, num_classes: int = 1, img_size: int = 224, lite: int = 2, **kw: Any) -> None:
        super().__init__(768 + 1280, num_classes, kw.pop("drop_rate", 0.0))
        self.dino = _dinov2_small(img_size)
        self.lite = _lite(lite)
        self.lite_n = lite
        # x is normalised with ImageNet mean/std; the Lite weights expect (x01 - 0.5) / 0.5
        std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
        mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
        self.register_buffer("lite_scale", std / 0.5, persistent=False)
        self.register_buffer("lite_shift", (mean - 0.5) / 0.5, persistent=False)

    def pooled(self, x: torch.Tensor, pos: torch.Tensor | None = None) -> torch.Tensor:
        x_lite = x * self.lite_scale.to(x.dtype) + self.lite_shift.to(x.dtype)
        return torch.cat([dinov2_pool(self.dino, x, pos), self.lite(x_lite)], dim=1)


ARCHS: dict[str, type[ProbeModel]] = {
    "miwake_dinov2_s14": DinoV2Probe,
    "miwake_dinov2_s14_layers": DinoV2LayersProbe,
    "miwake_dinov2_s14_b6": DinoV2Block6Probe,
    "miwake_dinov2_s14_b6_residual": DinoV2Block6ResidualProbe,
    "miwake_dinov2s_lite2": DinoV2LiteProbe,
}


def _register() -> None:
    from timm.models import is_model, register_model

    for name, cls in ARCHS.items():
        if is_model(name):
            continue

        def entry(pretrained: bool = False, _cls: type[ProbeModel] = cls, **kwargs: Any) -> ProbeModel:
            if pretrained:
                raise ValueError("Miwake architectures have no hub weights; they come from a Miwake bundle")
            kwargs.pop("pretrained_cfg", None)
            kwargs.pop("pretrained_cfg_overlay", None)
            kwargs.pop("cache_dir", None)
            return _cls(**kwargs)

        entry.__name__ = name
        entry.__module__ = __name__
        entry.__doc__ = cls.__doc__
        register_model(entry)


_register()
