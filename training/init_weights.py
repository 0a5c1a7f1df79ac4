"""Where a new detector's weights start: random, ImageNet (timm, from the local Hugging Face cache or a
weights file), or an installed Miwake model (fine-tuning). Nothing is downloaded: offline is the normal
case, so a missing cache fails at once with a message saying what to do."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from miwake.core.bundle import Bundle, refuse_pickle
from miwake.core.errors import MiwakeError
from miwake.core.model_factory import build_model

log = logging.getLogger(__name__)


class InitError(MiwakeError):
    """The requested initial weights are not available."""


@dataclass(frozen=True)
class InitInfo:
    kind: str  # random | imagenet | file | model
    detail: str
    matched: int = 0
    total: int = 0
    base_bundle: Bundle | None = None


def _read_weights_file(path: Path) -> dict[str, Any]:
    """safetensors, or a PyTorch file through the restricted (weights-only) loader that cannot run code."""
    import torch

    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    if path.suffix in (".pth", ".pt", ".bin"):
        try:
            obj = torch.load(str(path), map_location="cpu", weights_only=True)
        except Exception as e:
            raise InitError(f"{path.name} is not a plain weights file that can be loaded safely ({e}).") from e
        if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
            obj = obj["state_dict"]
        if not isinstance(obj, dict):
            raise InitError(f"{path.name} does not hold a state dict.")
        return {k: v for k, v in obj.items() if hasattr(v, "shape")}
    refuse_pickle(path)
    raise InitError(f"{path.name}: unsupported weights format (use .safetensors).")


def _is_head(key: str, shape: tuple[int, ...], model_head: set[str]) -> bool:
    return (
        key in model_head
        or key.split(".")[-2:-1] in (["fc"], ["_fc"], ["classifier"], ["head"])
        or (len(shape) >= 1 and shape[0] in (1000, 1001, 21843, 11821))
    )


def load_backbone(model: Any, source: dict[str, Any]) -> tuple[int, int]:
    """Copy backbone weights into `model` (its 1-logit head stays fresh). Keys are matched by name, or, for
    weights from another implementation of the same network, by order when every shape agrees."""
    import torch

    target = model.state_dict()
    head = {k for k in target if k.startswith(("classifier.", "head.fc.", "fc.", "head."))}
    tgt = [(k, tuple(v.shape)) for k, v in target.items() if k not in head]
    src = [(k, tuple(v.shape)) for k, v in source.items() if not _is_head(k, tuple(v.shape), head)]
    by_name = {k: source[k] for k, s in tgt if k in source and tuple(source[k].shape) == s}
    if len(by_name) >= 0.9 * len(tgt):
        mapping = by_name
    elif len(src) == len(tgt) and all(a[1] == b[1] for a, b in zip(src, tgt)):
        mapping = {t[0]: source[s[0]] for s, t in zip(src, tgt)}
    else:
        raise InitError(
            f"The weights do not fit this architecture ({len(by_name)} of {len(tgt)} tensors match by name, "
            f"{len(src)} vs {len(tgt)} by order)."
        )
    with torch.no_grad():
        for k, v in mapping.items():
            target[k].copy_(v.to(target[k].dtype))
    model.load_state_dict(target)
    return len(mapping), len(tgt)


def _hf_cached_weights(arch: str) -> Path:
    import timm

    cfg = timm.models.get_pretrained_cfg(arch)
    hub_id = getattr(cfg, "hf_hub_id", None) if cfg else None
    if not hub_id:
        raise InitError(f"timm has no ImageNet weights registered for {arch}; use --init random or a weights file.")
    try:
        from huggingface_hub import try_to_load_from_cache

        for name in ("model.safetensors", "pytorch_model.bin"):
            hit = try_to_load_from_cache(hub_id, name)
            if isinstance(hit, str) and os.path.exists(hit):
                return Path(hit)
    except ImportError:
        pass
    raise InitError(
        f"ImageNet weights for {arch} ({hub_id}) are not on this computer, and Miwake never downloads. Start from "
        f"the bundled detector instead ({STARTING_MODEL}: works offline), from random weights, or from a local "
        "weights file (.safetensors)."
    )


def fresh_head(model: Any) -> Any:
    """Zero the new 1-logit head: every image starts at p = 0.5 (loss ln 2). timm's default head init
    gives logits of several units on 1000+ features, which AdamW then needs thousands of steps to undo."""
    import torch

    head = model.get_classifier()
    with torch.no_grad():
        for p in head.parameters():
            p.zero_()
    return model


# What a new model starts from by default (the wizard, offline): the bundled EfficientNetV2-B0 detector, whose
# weights ship with Miwake. ImageNet weights need the Hugging Face cache, which a fresh machine does not have.
STARTING_MODEL = "efficientnetv2-b0"


def init_model(arch: str, init: str = "random", *, registry: Any = None) -> tuple[Any, InitInfo]:
    """A 1-logit timm model initialised as asked. `init`: random | imagenet | PATH | MODEL_ID."""
    if init == "random":
        return fresh_head(build_model(arch)), InitInfo("random", "random initialisation")
    if init == "imagenet":
        path = _hf_cached_weights(arch)
        model = build_model(arch)
        m, t = load_backbone(model, _read_weights_file(path))
        return fresh_head(model), InitInfo("imagenet", f"timm ImageNet weights ({path.name})", m, t)
    p = Path(init).expanduser()
    if p.suffix and (p.is_file() or p.suffix in (".safetensors", ".pth", ".pt", ".bin", ".ckpt")):
        if not p.is_file():
            raise InitError(f"Weights file not found: {p}")
        model = build_model(arch)
        m, t = load_backbone(model, _read_weights_file(p))
        return fresh_head(model), InitInfo("file", f"weights file {p.name}", m, t)
    from miwake.core.registry import ModelRegistry

    bundle = (registry or ModelRegistry()).get(init)
    model = build_model(bundle.card.arch)
    model.load_state_dict(bundle.load_state_dict(), strict=True)
    return model, InitInfo("model", f"fine-tuned from Miwake model {bundle.id}", base_bundle=bundle)
