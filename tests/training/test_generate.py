"""Stable Diffusion data generation on tiny pipelines built here from configs: no network, no downloads.

Covers txt2img through the real `generate()`, sidecars, resume, cancel, VAE reconstruction, the CLI, the offline
single-file path (a tiny pipeline converted to an original-format checkpoint), refusals and the shipped configs.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.helpers import noise_image

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")
transformers = pytest.importorskip("transformers")

from miwake.training import generate as gen  # noqa: E402
from miwake.training.generate_errors import (  # noqa: E402
    GenerateError,
    HubUnreachableError,
    InsufficientDiskSpaceError,
    ModelFilesError,
    OutOfGpuMemoryError,
    PromptsError,
    RunMismatchError,
)

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "sd_configs"


# -- tiny pipelines --------------------------------------------------------------------------------------------
def _write_tokenizer(folder: Path, pad: str = "<|endoftext|>") -> Any:
    """A small byte-level CLIP BPE vocabulary: 512 byte symbols, a few merges, the two specials."""
    from transformers import CLIPTokenizer

    from miwake.training.tools.build_sd_configs import bytes_to_unicode

    chars = list(bytes_to_unicode().values())
    merges = [("o", "f</w>"), ("c", "a"), ("ca", "t</w>"), ("p", "h"), ("ph", "o"), ("t", "o</w>"), ("pho", "to</w>")]
    tokens = chars + [c + "</w>" for c in chars] + ["".join(m) for m in merges] + ["<|startoftext|>", "<|endoftext|>"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"model_max_length": 77, "pad_token": pad}), encoding="utf-8"
    )
    return CLIPTokenizer.from_pretrained(str(folder))


def _text_encoder(projection: bool = False) -> Any:
    cls = transformers.CLIPTextModelWithProjection if projection else transformers.CLIPTextModel
    cfg = transformers.CLIPTextConfig(
        bos_token_id=0,
        eos_token_id=2,
        pad_token_id=1,
        hidden_size=32,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        vocab_size=600,
        projection_dim=32,
        max_position_embeddings=77,
        hidden_act="gelu",
    )
    return cls(cfg)


def _vae() -> Any:
    # four levels like SD's VAE (8x down-sampling), tiny channels
    return diffusers.AutoencoderKL(
        block_out_channels=(8, 8, 16, 16),
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        latent_channels=4,
        norm_num_groups=8,
        layers_per_block=1,
        sample_size=64,
    )


def build_tiny_sd(folder: Path) -> Path:
    torch.manual_seed(0)
    unet = diffusers.UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=2,
        sample_size=8,
        in_channels=4,
        out_channels=4,
        cross_attention_dim=32,
        attention_head_dim=8,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
    )
    sched = diffusers.DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    pipe = diffusers.StableDiffusionPipeline(
        vae=_vae(),
        text_encoder=_text_encoder(),
        tokenizer=_write_tokenizer(folder / "_tok"),
        unet=unet,
        scheduler=sched,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(folder, safe_serialization=True)
    shutil.rmtree(folder / "_tok")
    return folder


def build_tiny_sdxl(folder: Path) -> Path:
    torch.manual_seed(0)
    unet = diffusers.UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=8,
        in_channels=4,
        out_channels=4,
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 2),
        projection_class_embeddings_input_dim=80,
        cross_attention_dim=64,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
    )
    sched = diffusers.EulerDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1
    )
    tok = _write_tokenizer(folder / "_tok")
    pipe = diffusers.StableDiffusionXLPipeline(
        vae=_vae(),
        text_encoder=_text_encoder(),
        text_encoder_2=_text_encoder(True),
        tokenizer=tok,
        tokenizer_2=tok,
        unet=unet,
        scheduler=sched,
        add_watermarker=False,
    )
    pipe.save_pretrained(folder, safe_serialization=True)
    shutil.rmtree(folder / "_tok")
    return folder


def to_original_checkpoint(folder: Path, out: Path) -> Path:
    """Save a diffusers SD 1.x folder as one original-format (LDM) .safetensors file: the inverse of diffusers' converter."""
    from safetensors.torch import load_file, save_file

    unet_cfg = json.loads((folder / "unet" / "config.json").read_text())
    lpb, ldm = unet_cfg["layers_per_block"], {}
    res = (
        ("norm1", "in_layers.0"),
        ("conv1", "in_layers.2"),
        ("norm2", "out_layers.0"),
        ("conv2", "out_layers.3"),
        ("time_emb_proj", "emb_layers.1"),
        ("conv_shortcut", "skip_connection"),
    )
    fixed = {
        "time_embedding.linear_1": "time_embed.0",
        "time_embedding.linear_2": "time_embed.2",
        "conv_in": "input_blocks.0.0",
        "conv_norm_out": "out.0",
        "conv_out": "out.2",
    }
    unet = load_file(folder / "unet" / "diffusion_pytorch_model.safetensors")
    has_attn = {k.split(".")[1] for k in unet if k.startswith("up_blocks.") and ".attentions." in k}
    for k, v in unet.items():
        p = k.split(".")
        if p[0] in ("down_blocks", "up_blocks", "mid_block"):
            if p[0] == "mid_block":
                j = int(p[2])
                head, rest = f"middle_block.{2 * j if p[1] == 'resnets' else 1}", p[3:]
            elif p[2] in ("downsamplers", "upsamplers"):
                b = int(p[1])
                head = (
                    f"input_blocks.{(b + 1) * (lpb + 1)}.0.op"
                    if p[0] == "down_blocks"
                    else f"output_blocks.{b * (lpb + 1) + lpb}.{2 if p[1] in has_attn else 1}.conv"
                )
                rest = p[5:]
            else:
                b, j = int(p[1]), int(p[3])
                idx = 1 + b * (lpb + 1) + j if p[0] == "down_blocks" else b * (lpb + 1) + j
                head = f"{'input' if p[0] == 'down_blocks' else 'output'}_blocks.{idx}.{0 if p[2] == 'resnets' else 1}"
                rest = p[4:]
            if p[1 if p[0] == "mid_block" else 2] == "resnets":
                rest = [dict(res).get(rest[0], rest[0]), *rest[1:]]
            ldm["model.diffusion_model." + ".".join([head, *rest])] = v
        else:
            name, _, leaf = k.rpartition(".")
            ldm[f"model.diffusion_model.{fixed[name]}.{leaf}"] = v
    vae = load_file(folder / "vae" / "diffusion_pytorch_model.safetensors")
    n_up = len(json.loads((folder / "vae" / "config.json").read_text())["up_block_types"])
    attn = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out"}
    for k, v in vae.items():
        o = (
            k.replace("conv_norm_out", "norm_out")
            .replace("conv_shortcut", "nin_shortcut")
            .replace("mid_block.resnets.0", "mid.block_1")
            .replace("mid_block.resnets.1", "mid.block_2")
        )
        if ".down_blocks." in o:
            o = o.replace("down_blocks", "down").replace("resnets", "block").replace("downsamplers.0", "downsample")
        if ".up_blocks." in o:
            p = o.split(".")
            p[2] = str(n_up - 1 - int(p[2]))
            o = ".".join(p).replace("up_blocks", "up").replace("resnets", "block").replace("upsamplers.0", "upsample")
        if "mid_block.attentions.0" in o:
            o = o.replace("mid_block.attentions.0", "mid.attn_1")
            for a, b in attn.items():
                o = o.replace(f".{a}.", f".{b}.")
            v = v[:, :, None, None] if v.ndim == 2 else v  # linear -> 1x1 conv, as in the original
        ldm["first_stage_model." + o] = v
    te = load_file(folder / "text_encoder" / "model.safetensors")
    for k, v in te.items():
        ldm["cond_stage_model.transformer.text_model." + k.removeprefix("text_model.")] = v
    save_file({k: v.contiguous() for k, v in ldm.items()}, out)
    return out


@pytest.fixture(scope="session")
def tiny_sd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_sd(tmp_path_factory.mktemp("models") / "tiny-sd")


def _cfg(model: Path | str, out: Path, **kw: Any) -> gen.GenerateConfig:
    base = dict(prompts="car", count=2, width=64, height=64, steps=2, device="cpu", allow_download=False)
    return gen.GenerateConfig(model=str(model), out_dir=out, **{**base, **kw})


def _pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


# -- txt2img ------------------------------------------------------------------------------------------------
def test_generate_sidecars_resume_and_determinism(tiny_sd: Path, tmp_path: Path) -> None:
    out, events = tmp_path / "out", []
    s = gen.generate(_cfg(tiny_sd, out, count=3, batch_size=2, seed=7), on_event=events.append)
    assert (s.generated, s.skipped, s.cancelled, s.family) == (3, 0, False, "v1")
    pngs = sorted(out.glob("*.png"))
    assert [p.name for p in pngs] == ["gen_000000.png", "gen_000001.png", "gen_000002.png"]
    assert Image.open(pngs[0]).size == (64, 64)
    rec = json.loads(pngs[1].with_suffix(".json").read_text())
    assert rec["seed"] == 8 and rec["index"] == 1 and rec["model"] == str(tiny_sd) and rec["family"] == "v1"
    assert rec["steps"] == 2 and rec["guidance"] == 7.5 and (rec["width"], rec["height"]) == (64, 64)
    assert rec["scheduler"] == "DDIMScheduler" and rec["watermark"] is False and rec["safety_checker"] is False
    assert rec["prompt"] and " of " in rec["prompt"] and rec["negative_prompt"] and rec["time"]
    progress = [e for e in events if isinstance(e, gen.GenerateProgress)]
    assert progress[-1].done == 3 and progress[-1].last_path == str(pngs[2]) and progress[-1].eta_s == 0
    assert isinstance(events[0], gen.GenerateStarted) and any(isinstance(e, gen.StepProgress) for e in events)
    assert gen.event_to_dict(progress[-1])["event"] == "GenerateProgress"

    # resume: nothing to do -> the model is not even loaded; a larger count makes only the new image
    t = time.perf_counter()
    again = gen.generate(_cfg(tiny_sd, out, count=3, batch_size=2, seed=7))
    assert (again.generated, again.skipped) == (0, 3) and time.perf_counter() - t < 1.0
    (out / "gen_000001.json").unlink()  # a PNG without sidecar is unfinished
    more = gen.generate(_cfg(tiny_sd, out, count=4, seed=7))
    assert (more.generated, more.skipped) == (2, 2)
    # per-image seeds: image 1 made alone (batch 1) matches image 1 of the first batch of two
    assert np.abs(_pixels(out / "gen_000001.png") - _pixels(pngs[1])).max() <= 2

    with pytest.raises(RunMismatchError, match="seed"):
        gen.generate(_cfg(tiny_sd, out, count=5, seed=8))


def test_cancel_between_images_and_steps_then_resume(tiny_sd: Path, tmp_path: Path) -> None:
    out, cancel = tmp_path / "out", threading.Event()

    def stop_after_first(ev: Any) -> None:
        if isinstance(ev, gen.GenerateProgress) and ev.done == 1:
            cancel.set()

    s = gen.generate(_cfg(tiny_sd, out, count=3), on_event=stop_after_first, cancel=cancel)
    assert s.cancelled and s.generated == 1 and len(list(out.glob("*.png"))) == 1

    cancel2 = threading.Event()

    def stop_mid_steps(ev: Any) -> None:
        if isinstance(ev, gen.StepProgress) and ev.step == 1:
            cancel2.set()

    s = gen.generate(_cfg(tiny_sd, out, count=3), on_event=stop_mid_steps, cancel=cancel2)
    assert s.cancelled and s.generated == 0 and not (out / "gen_000001.png").exists()
    s = gen.generate(_cfg(tiny_sd, out, count=3))
    assert (s.generated, s.skipped, s.cancelled) == (2, 1, False)


def test_settings_and_prompts() -> None:
    from miwake.training.sd_prompts import PRESETS, load_prompts

    assert {"landmark", "car", "illustration", "portrait", "landscape"} <= set(PRESETS)
    for name in PRESETS:
        src = load_prompts(name)
        prompts = [src.prompt(i, seed=1) for i in range(40)]
        assert len(set(prompts)) >= 35, name  # varied
        assert prompts == [load_prompts(name).prompt(i, seed=1) for i in range(40)]  # deterministic
        assert prompts != [src.prompt(i, seed=2) for i in range(40)]
    with pytest.raises(PromptsError, match="preset"):
        load_prompts("no-such-preset")
    with pytest.raises(GenerateError, match="multiple of 8"):
        gen.GenerateConfig(model="x", out_dir=Path("o"), width=65)


def test_prompt_file(tiny_sd: Path, tmp_path: Path) -> None:
    f = tmp_path / "prompts.txt"
    f.write_text("# my domain\nfirst prompt\n\n  second prompt  \n", encoding="utf-8")
    s = gen.generate(_cfg(tiny_sd, tmp_path / "out", prompts=str(f), count=3, steps=1, negative=""))
    assert s.generated == 3
    recs = [json.loads(p.read_text()) for p in sorted((tmp_path / "out").glob("gen_*.json"))]
    assert [r["prompt"] for r in recs] == ["first prompt", "second prompt", "first prompt"]
    assert recs[0]["negative_prompt"] == "" and recs[0]["prompt_source"] == "file:prompts.txt"
    f.write_text("", encoding="utf-8")
    with pytest.raises(PromptsError, match="no prompts"):
        gen.generate(_cfg(tiny_sd, tmp_path / "out2", prompts=str(f)))


def test_sdxl_watermark_off_and_default_size(tmp_path: Path) -> None:
    from miwake.training.sd_models import FAMILIES, load_pipeline

    folder = build_tiny_sdxl(tmp_path / "tiny-xl")
    lp = load_pipeline(str(folder), device="cpu", allow_download=False)
    assert lp.family == "xl" and lp.pipe.watermark is None and FAMILIES["xl"][1] == 1024
    s = gen.generate(_cfg(folder, tmp_path / "out", count=1, steps=1))
    rec = json.loads((tmp_path / "out" / "gen_000000.json").read_text())
    assert s.generated == 1 and rec["family"] == "xl" and rec["guidance"] == 5.0 and rec["watermark"] is False
    with pytest.raises(GenerateError, match="SDXL has no safety checker"):
        load_pipeline(str(folder), device="cpu", safety_checker=True, allow_download=False)


# -- reconstruction ------------------------------------------------------------------------------------------
def test_reconstruct_round_trip(tiny_sd: Path, tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    noise_image(61, 45, 1).save(real / "a.png")
    noise_image(64, 64, 2).save(real / "sub" / "a.jpg", quality=90)
    (real / "broken.png").write_bytes(b"not an image")
    out = tmp_path / "rec"
    s = gen.reconstruct(str(tiny_sd), real, out, device="cpu", allow_download=False)
    assert (s.total, s.generated, s.errors) == (3, 2, 1) and "broken.png" in s.error_messages[0]
    for src in (real / "a.png", real / "sub" / "a.jpg"):
        png = out / gen.reconstruction_name(src.relative_to(real).as_posix())
        assert Image.open(png).size == Image.open(src).size  # padded to 8, cropped back
        rec = json.loads(png.with_suffix(".json").read_text())
        assert rec["source"] == str(src.resolve()) and rec["kind"] == "vae_reconstruction" and rec["latent"] == "mode"
    rec = json.loads((out / gen.reconstruction_name("a.png")).with_suffix(".json").read_text())
    assert rec["padding_right_bottom"] == [3, 3] and (rec["width"], rec["height"]) == (61, 45)
    again = gen.reconstruct(str(tiny_sd), real, out, device="cpu", allow_download=False)
    assert (again.generated, again.skipped, again.errors) == (0, 2, 1)  # only the broken file is tried again


# -- CLI --------------------------------------------------------------------------------------------------------
def test_cli_generate_and_reconstruct(tiny_sd: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from miwake.cli import main

    out = tmp_path / "cli"
    args = [
        "generate",
        "--model",
        str(tiny_sd),
        "--prompts",
        "landmark",
        "--count",
        "2",
        "--out",
        str(out),
        "--size",
        "64x64",
        "--steps",
        "1",
        "--seed",
        "3",
        "--device",
        "cpu",
        "--offline",
    ]
    assert main(args) == 0
    assert "2 images generated" in capsys.readouterr().out
    assert main(args) == 0 and "0 images generated, 2 already there" in capsys.readouterr().out
    real = tmp_path / "real"
    real.mkdir()
    noise_image(40, 24, 5).save(real / "x.png")
    assert (
        main(
            [
                "generate",
                "--reconstruct",
                str(real),
                "--model",
                str(tiny_sd),
                "--out",
                str(tmp_path / "r"),
                "--device",
                "cpu",
                "--offline",
            ]
        )
        == 0
    )
    assert "1 images reconstructed" in capsys.readouterr().out
    assert main(["generate", "--model", str(tiny_sd), "--out", str(out), "--prompts", "nope", "--offline"]) == 2
    assert main(["generate", "--model", "sd15.ckpt", "--out", str(out)]) == 2
    assert "pickles" in capsys.readouterr().err


# -- model loading -----------------------------------------------------------------------------------------------
def test_single_file_offline_matches_folder(tiny_sd: Path, tmp_path: Path, isolated_user_dirs: Path) -> None:
    # the shipped-config mechanism, with the tiny model's configs standing in for resources/sd_configs/v1
    configs = isolated_user_dirs / "resources" / "sd_configs" / "v1"
    shutil.copytree(tiny_sd, configs, ignore=shutil.ignore_patterns("*.safetensors"))
    ckpt = to_original_checkpoint(tiny_sd, tmp_path / "tiny-sd15.safetensors")
    a = gen.generate(_cfg(ckpt, tmp_path / "file", count=1, steps=2))
    b = gen.generate(_cfg(tiny_sd, tmp_path / "folder", count=1, steps=2))
    assert a.family == b.family == "v1"
    diff = np.abs(_pixels(tmp_path / "file" / "gen_000000.png") - _pixels(tmp_path / "folder" / "gen_000000.png"))
    assert diff.max() <= 1  # same weights, same image: the conversion and the offline configs are right
    rec = json.loads((tmp_path / "file" / "gen_000000.json").read_text())
    assert rec["model_source"] == "single_file"
    s = gen.reconstruct(str(ckpt), tmp_path / "file", tmp_path / "rec", device="cpu", allow_download=False)
    assert s.generated == 1  # VAE-only load from the single file


@pytest.mark.parametrize(
    ("keys", "name", "pred", "family"),
    [
        (
            {"model.diffusion_model.output_blocks.11.0.skip_connection.weight": (320, 640, 1, 1)},
            "sd15.safetensors",
            "auto",
            "v1",
        ),
        (
            {"model.diffusion_model.input_blocks.2.1.transformer_blocks.0.attn2.to_k.weight": (320, 1024)},
            "v2-1_768.safetensors",
            "auto",
            "v2",
        ),
        (
            {"model.diffusion_model.input_blocks.2.1.transformer_blocks.0.attn2.to_k.weight": (320, 1024)},
            "sd21-base.safetensors",
            "auto",
            "v2_base",
        ),
        (
            {"model.diffusion_model.input_blocks.2.1.transformer_blocks.0.attn2.to_k.weight": (320, 1024)},
            "x.safetensors",
            "epsilon",
            "v2_base",
        ),
        (
            {
                "model.diffusion_model.x": (1,),
                "conditioner.embedders.1.model.transformer.resblocks.9.mlp.c_proj.bias": (1280,),
            },
            "xl.safetensors",
            "auto",
            "xl",
        ),
    ],
)
def test_detect_family(keys: dict[str, tuple[int, ...]], name: str, pred: str, family: str) -> None:
    from types import SimpleNamespace

    from miwake.training.sd_models import detect_family

    assert detect_family({k: SimpleNamespace(shape=v) for k, v in keys.items()}, {}, name, pred) == family


def test_refusals_and_clear_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from miwake.core.errors import UnsafeModelFormatError
    from miwake.training.sd_models import detect_family

    for bad in ("model.ckpt", "weights.bin", str(tmp_path / "x.pt")):
        with pytest.raises(UnsafeModelFormatError, match="safetensors"):
            gen.generate(_cfg(bad, tmp_path / "o"))
    with pytest.raises(ModelFilesError, match="inpainting"):
        detect_family({"model.diffusion_model.input_blocks.0.0.weight": SimpleNamespace(shape=(320, 9, 3, 3))})
    with pytest.raises(ModelFilesError, match="LoRA"):
        detect_family({"lora_unet_down.weight": SimpleNamespace(shape=(4, 4))})
    with pytest.raises(ModelFilesError, match="no such file"):
        gen.generate(_cfg(str(tmp_path / "missing" / "model.safetensors"), tmp_path / "o"))
    t = time.perf_counter()  # not cached + offline: immediate, no retries
    with pytest.raises(HubUnreachableError, match="not in the local Hugging Face cache"):
        gen.generate(_cfg("nobody-here/no-such-model", tmp_path / "o"))
    assert time.perf_counter() - t < 10
    monkeypatch.setattr(gen.shutil, "disk_usage", lambda p: SimpleNamespace(total=1, used=1, free=10 << 20))
    with pytest.raises(InsufficientDiskSpaceError, match="free"):
        gen.generate(_cfg("nobody-here/no-such-model", tmp_path / "o"))


def test_out_of_gpu_memory_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from miwake.core.devices import DeviceInfo
    from miwake.training import sd_models

    class OomPipe:
        scheduler = SimpleNamespace(config={"prediction_type": "epsilon"})

        def __call__(self, **kw: Any) -> Any:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    dev = DeviceInfo("cuda", "Test GPU", "cpu")
    fake = sd_models.LoadedPipeline(OomPipe(), "v1", sd_models.ModelSource("hub", "a/b"), dev, "float16", False)
    monkeypatch.setattr(gen, "load_pipeline", lambda *a, **k: fake)
    with pytest.raises(OutOfGpuMemoryError, match="batch size"):
        gen.generate(_cfg("a/b", tmp_path / "o"))


# -- shipped offline configs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("family", ["v1", "v2", "xl_base"])
def test_shipped_sd_configs_load(family: str) -> None:
    from transformers import CLIPTextConfig, CLIPTokenizer

    folder = SHIPPED / family
    index = json.loads((folder / "model_index.json").read_text())
    unet = diffusers.UNet2DConditionModel.load_config(folder / "unet")
    vae = diffusers.AutoencoderKL.load_config(folder / "vae")
    sched = getattr(diffusers, index["scheduler"][1]).load_config(folder / "scheduler")
    assert unet["cross_attention_dim"] == {"v1": 768, "v2": 1024, "xl_base": 2048}[family]
    assert vae["scaling_factor"] == (0.13025 if family == "xl_base" else 0.18215)
    assert sched["prediction_type"] == ("v_prediction" if family == "v2" else "epsilon")
    for sub in [k for k in index if k.startswith("text_encoder")]:
        assert CLIPTextConfig.from_pretrained(folder / sub).vocab_size == 49408
    for sub in [k for k in index if k.startswith("tokenizer")]:
        tok = CLIPTokenizer.from_pretrained(folder / sub)
        assert tok("a photo of a cat").input_ids == [49406, 320, 1125, 539, 320, 2368, 49407]
        assert tok.model_max_length == 77
        assert tok.pad_token_id == (0 if (family, sub) in {("v2", "tokenizer"), ("xl_base", "tokenizer_2")} else 49407)


def test_shipped_tokenizer_is_clip_vocabulary() -> None:
    """vocab.json is exactly CLIP's id order derived from merges.txt (bytes, bytes</w>, merges, specials)."""
    from miwake.training.tools.build_sd_configs import derive_vocab

    folder = SHIPPED / "v1" / "tokenizer"
    lines = (folder / "merges.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#version") and len(lines) == 1 + 48894
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    assert vocab == derive_vocab([tuple(line.split()) for line in lines[1:]])
    for other in ("v2/tokenizer", "xl_base/tokenizer", "xl_base/tokenizer_2"):
        assert (SHIPPED / other / "vocab.json").read_bytes() == (folder / "vocab.json").read_bytes()
    assert "MIT License" in (SHIPPED / "LICENSES.txt").read_text(encoding="utf-8")
