"""Regenerate `resources/sd_configs/`: diffusers-layout config folders for loading single-file SD checkpoints offline.

    python -m miwake.training.tools.build_sd_configs [--bpe PATH] [--out DIR] [--check-params]

Why: `from_single_file` fetches every component's config and the CLIP tokenizer from the Hugging Face Hub, so an
illustrator's local `.safetensors` checkpoint would not load without internet. We ship those configs instead.

Sources (see resources/sd_configs/README.md): the model configs are the published architecture hyper-parameters of
SD 1.x, SD 2.x (768-v) and SDXL base, written here as plain data. The CLIP tokenizer (vocab.json + merges.txt) is
derived from `bpe_simple_vocab_16e6.txt.gz`, OpenAI CLIP's BPE merges file (MIT), as shipped inside the
`open_clip_torch` wheel (MIT), exactly the way CLIP builds its vocabulary, and then checked token for token against
the original BPE code on sample sentences.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import importlib.util
import json
import logging
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BPE_NAME = "bpe_simple_vocab_16e6.txt.gz"
N_MERGES = 49152 - 256 - 2  # CLIP uses the first 48,894 merges: 256 bytes x 2 + merges + 2 specials = 49,408 ids
SOT, EOT = "<|startoftext|>", "<|endoftext|>"
KNOWN_IDS = {"a photo of a cat": [49406, 320, 1125, 539, 320, 2368, 49407]}
SAMPLES = (
    "a photo of a cat",
    "A DSLR photo of the Eiffel Tower at sunset, 35mm, f/1.8, highly detailed",
    "anime girl with silver hair, masterpiece, best quality!! (watercolor:1.2)",
    "don't stop: it's 3.14159 o'clock; they've said we'll see",
    "Café déjà vu, naïve façade in Zürich",
    "日本の城と桜、夕暮れ",
    "emoji test 🙂🚗🏔️ and symbols © ™ → ∞",
    "  multiple   spaces\tand\nnewlines  ",
    "a red sports car parked outside on a wet cobblestone street in the old town at night, reflections of neon "
    "signs, cinematic lighting, shallow depth of field, bokeh, 85mm lens, photorealistic, 8k, award winning "
    "photograph by a famous automotive photographer, trending on artstation",
)

_UNET_SD = {
    "_class_name": "UNet2DConditionModel",
    "act_fn": "silu",
    "block_out_channels": [320, 640, 1280, 1280],
    "center_input_sample": False,
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    "downsample_padding": 1,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 4,
    "layers_per_block": 2,
    "mid_block_scale_factor": 1,
    "norm_eps": 1e-05,
    "norm_num_groups": 32,
    "out_channels": 4,
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
}
_VAE = {
    "_class_name": "AutoencoderKL",
    "act_fn": "silu",
    "block_out_channels": [128, 256, 512, 512],
    "down_block_types": ["DownEncoderBlock2D"] * 4,
    "in_channels": 3,
    "latent_channels": 4,
    "layers_per_block": 2,
    "norm_num_groups": 32,
    "out_channels": 3,
    "up_block_types": ["UpDecoderBlock2D"] * 4,
}
_CLIP_TEXT = {
    "architectures": ["CLIPTextModel"],
    "attention_dropout": 0.0,
    "bos_token_id": 0,
    "dropout": 0.0,
    "eos_token_id": 2,  # as in the published SD configs: selects the legacy argmax pooling, like the original
    "initializer_factor": 1.0,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-05,
    "max_position_embeddings": 77,
    "model_type": "clip_text_model",
    "pad_token_id": 1,
    "vocab_size": 49408,
}
_CLIP_L = {
    **_CLIP_TEXT,
    "hidden_act": "quick_gelu",
    "hidden_size": 768,
    "intermediate_size": 3072,
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "projection_dim": 768,
}
_SCHED = {
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "clip_sample": False,
    "num_train_timesteps": 1000,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "trained_betas": None,
}

# family -> {relative file: JSON}; "tokenizer*/" folders are added from the BPE file with the pad token given here.
FAMILIES: dict[str, dict[str, Any]] = {
    "v1": {
        "model_index.json": {
            "_class_name": "StableDiffusionPipeline",
            "feature_extractor": [None, None],
            "requires_safety_checker": False,
            "safety_checker": [None, None],
            "scheduler": ["diffusers", "PNDMScheduler"],
            "text_encoder": ["transformers", "CLIPTextModel"],
            "tokenizer": ["transformers", "CLIPTokenizer"],
            "unet": ["diffusers", "UNet2DConditionModel"],
            "vae": ["diffusers", "AutoencoderKL"],
        },
        "unet/config.json": {**_UNET_SD, "attention_head_dim": 8, "cross_attention_dim": 768, "sample_size": 64},
        "vae/config.json": {**_VAE, "sample_size": 512, "scaling_factor": 0.18215},
        "text_encoder/config.json": _CLIP_L,
        "scheduler/scheduler_config.json": {"_class_name": "PNDMScheduler", **_SCHED, "prediction_type": "epsilon"},
        "tokenizers": {"tokenizer": EOT},
    },
    "v2": {  # SD 2.x 768-v; the 512 "base" models differ only in prediction_type (epsilon), set at load time
        "model_index.json": {
            "_class_name": "StableDiffusionPipeline",
            "feature_extractor": [None, None],
            "requires_safety_checker": False,
            "safety_checker": [None, None],
            "scheduler": ["diffusers", "DDIMScheduler"],
            "text_encoder": ["transformers", "CLIPTextModel"],
            "tokenizer": ["transformers", "CLIPTokenizer"],
            "unet": ["diffusers", "UNet2DConditionModel"],
            "vae": ["diffusers", "AutoencoderKL"],
        },
        "unet/config.json": {
            **_UNET_SD,
            "attention_head_dim": [5, 10, 20, 20],
            "cross_attention_dim": 1024,
            "sample_size": 96,
            "upcast_attention": True,
            "use_linear_projection": True,
        },
        "vae/config.json": {**_VAE, "sample_size": 768, "scaling_factor": 0.18215},
        # OpenCLIP ViT-H/14 text tower without its last layer (SD 2 conditions on the penultimate layer)
        "text_encoder/config.json": {
            **_CLIP_TEXT,
            "hidden_act": "gelu",
            "hidden_size": 1024,
            "intermediate_size": 4096,
            "num_attention_heads": 16,
            "num_hidden_layers": 23,
            "projection_dim": 512,
        },
        "scheduler/scheduler_config.json": {
            "_class_name": "DDIMScheduler",
            **_SCHED,
            "prediction_type": "v_prediction",
        },
        "tokenizers": {"tokenizer": "!"},  # OpenCLIP pads with id 0 ("!")
    },
    "xl_base": {
        "model_index.json": {
            "_class_name": "StableDiffusionXLPipeline",
            "force_zeros_for_empty_prompt": True,
            "scheduler": ["diffusers", "EulerDiscreteScheduler"],
            "text_encoder": ["transformers", "CLIPTextModel"],
            "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
            "tokenizer": ["transformers", "CLIPTokenizer"],
            "tokenizer_2": ["transformers", "CLIPTokenizer"],
            "unet": ["diffusers", "UNet2DConditionModel"],
            "vae": ["diffusers", "AutoencoderKL"],
        },
        "unet/config.json": {
            **_UNET_SD,
            "addition_embed_type": "text_time",
            "addition_embed_type_num_heads": 64,
            "addition_time_embed_dim": 256,
            "attention_head_dim": [5, 10, 20],
            "block_out_channels": [320, 640, 1280],
            "cross_attention_dim": 2048,
            "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
            "projection_class_embeddings_input_dim": 2816,
            "sample_size": 128,
            "transformer_layers_per_block": [1, 2, 10],
            "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
            "use_linear_projection": True,
        },
        "vae/config.json": {**_VAE, "force_upcast": True, "sample_size": 1024, "scaling_factor": 0.13025},
        "text_encoder/config.json": _CLIP_L,
        # OpenCLIP ViT-bigG/14 text tower with its projection
        "text_encoder_2/config.json": {
            **_CLIP_TEXT,
            "architectures": ["CLIPTextModelWithProjection"],
            "hidden_act": "gelu",
            "hidden_size": 1280,
            "intermediate_size": 5120,
            "num_attention_heads": 20,
            "num_hidden_layers": 32,
            "projection_dim": 1280,
        },
        "scheduler/scheduler_config.json": {
            "_class_name": "EulerDiscreteScheduler",
            **_SCHED,
            "interpolation_type": "linear",
            "prediction_type": "epsilon",
            "timestep_spacing": "leading",
            "use_karras_sigmas": False,
        },
        "tokenizers": {"tokenizer": EOT, "tokenizer_2": "!"},
    },
}

# Parameter counts of the published models (checked with --check-params on the meta device, no weights needed).
EXPECTED_PARAMS = {
    ("v1", "unet"): 859_520_964,
    ("v1", "vae"): 83_653_863,
    ("v1", "text_encoder"): 123_060_480,
    ("v2", "unet"): 865_910_724,
    ("v2", "text_encoder"): 340_387_840,
    ("xl_base", "unet"): 2_567_463_684,
    ("xl_base", "text_encoder_2"): 694_659_840,
}


# -- the CLIP BPE vocabulary ---------------------------------------------------------------------------------
@lru_cache
def bytes_to_unicode() -> dict[int, str]:
    """CLIP's (and GPT-2's) reversible byte -> printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def read_merges(bpe_path: Path) -> list[tuple[str, str]]:
    lines = gzip.open(bpe_path).read().decode("utf-8").split("\n")
    return [(a, b) for a, b in (line.split() for line in lines[1 : N_MERGES + 1])]


def derive_vocab(merges: list[tuple[str, str]]) -> dict[str, int]:
    """CLIP's id order: 256 byte symbols, the same with `</w>`, one token per merge, then the two specials."""
    chars = list(bytes_to_unicode().values())
    tokens = chars + [c + "</w>" for c in chars] + ["".join(m) for m in merges] + [SOT, EOT]
    vocab = {t: i for i, t in enumerate(tokens)}
    if len(vocab) != len(tokens) or len(vocab) != 49408:
        raise SystemExit(f"unexpected vocabulary: {len(tokens)} tokens, {len(vocab)} distinct (expected 49408)")
    return vocab


def write_tokenizer(folder: Path, vocab: dict[str, int], merges: list[tuple[str, str]], pad_token: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges), encoding="utf-8")
    special = {"bos_token": SOT, "eos_token": EOT, "unk_token": EOT, "pad_token": pad_token}
    cfg = {
        "tokenizer_class": "CLIPTokenizer",
        "model_max_length": 77,
        "do_lower_case": True,
        "errors": "replace",
        "add_prefix_space": False,
        **special,
    }
    _write_json(folder / "tokenizer_config.json", cfg)
    _write_json(folder / "special_tokens_map.json", special)


class ReferenceBPE:
    """A port of CLIP's `SimpleTokenizer.encode`, used when the original (open_clip) cannot be imported."""

    def __init__(self, bpe_path: Path) -> None:
        import regex

        merges = read_merges(bpe_path)
        self.encoder = derive_vocab(merges)
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.pat = regex.compile(
            r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
            regex.IGNORECASE,
        )

    def _bpe(self, token: str) -> list[str]:
        word = [*token[:-1], token[-1] + "</w>"]
        while len(word) > 1:
            pairs = {(a, b) for a, b in zip(word, word[1:])}
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            out, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            word = out
        return word

    def encode(self, text: str) -> list[int]:
        text = " ".join(html.unescape(html.unescape(text)).split()).strip().lower()
        b2u = bytes_to_unicode()
        ids: list[int] = []
        for tok in self.pat.findall(text):
            ids += [self.encoder[t] for t in self._bpe("".join(b2u[b] for b in tok.encode("utf-8")))]
        return ids


def reference_encoder(bpe_path: Path) -> tuple[Any, str]:
    """The original BPE code (open_clip's copy of OpenAI's `SimpleTokenizer`) when importable, else our port."""
    try:
        from open_clip.tokenizer import SimpleTokenizer

        return SimpleTokenizer(str(bpe_path)), "open_clip.tokenizer.SimpleTokenizer"
    except ImportError:
        return ReferenceBPE(bpe_path), "ReferenceBPE (port in this script)"


def verify_tokenizer(folder: Path, bpe_path: Path) -> str:
    from transformers import CLIPTokenizer

    tok = CLIPTokenizer.from_pretrained(str(folder))
    ref, ref_name = reference_encoder(bpe_path)
    for text in SAMPLES:
        if tok.pad_token != EOT and tok.pad_token in text:
            continue  # transformers never splits a special token, so "!!" -> [0, 0] with pad "!" (as in the SD 2 repos)
        got = tok(text).input_ids
        want = [49406, *ref.encode(text), 49407]
        if got != want:
            raise SystemExit(f"{folder}: tokenizer differs from {ref_name} on {text!r}:\n  got  {got}\n  want {want}")
    for text, ids in KNOWN_IDS.items():
        if tok(text).input_ids != ids:
            raise SystemExit(f"{folder}: {text!r} -> {tok(text).input_ids}, expected {ids}")
    log.info("%s: samples identical to %s; pad %r = id %s", folder, ref_name, tok.pad_token, tok.pad_token_id)
    return ref_name


# -- config folders ------------------------------------------------------------------------------------------
def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def find_bpe() -> Path:
    for pkg in ("open_clip", "clip"):
        spec = importlib.util.find_spec(pkg)
        if spec and spec.origin:
            p = Path(spec.origin).parent / BPE_NAME
            if p.is_file():
                return p
    raise SystemExit(
        f"{BPE_NAME} not found: `pip download --no-deps open_clip_torch` and unzip it, then pass --bpe "
        "open_clip/bpe_simple_vocab_16e6.txt.gz (or install open_clip_torch)."
    )


def check_params(out: Path) -> None:
    """Instantiate every full-size component on the meta device and compare parameter counts with the real models."""
    import transformers
    from accelerate import init_empty_weights
    from diffusers import AutoencoderKL, UNet2DConditionModel

    for (fam, comp), want in EXPECTED_PARAMS.items():
        folder = out / fam / comp
        with init_empty_weights():
            if comp == "unet":
                model = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(folder))
            elif comp == "vae":
                model = AutoencoderKL.from_config(AutoencoderKL.load_config(folder))
            else:
                cfg = transformers.CLIPTextConfig.from_pretrained(folder)
                model = getattr(transformers, (cfg.architectures or ["CLIPTextModel"])[0])(cfg)
        got = sum(p.numel() for p in model.parameters())
        if got != want:
            raise SystemExit(f"{fam}/{comp}: {got:,} parameters, the published model has {want:,}")
        log.info("%s/%s: %s parameters, as published", fam, comp, f"{got:,}")


def build(out: Path, bpe_path: Path) -> dict[str, Any]:
    merges = read_merges(bpe_path)
    vocab = derive_vocab(merges)
    ref_name = ""
    for fam, files in FAMILIES.items():
        for rel, data in files.items():
            if rel == "tokenizers":
                for sub, pad in data.items():
                    write_tokenizer(out / fam / sub, vocab, merges, pad)
                    ref_name = verify_tokenizer(out / fam / sub, bpe_path)
            else:
                _write_json(out / fam / rel, data)
    digest = hashlib.sha256(bpe_path.read_bytes()).hexdigest()
    sources = {
        "bpe_file": BPE_NAME,
        "bpe_sha256": digest,
        "merges_used": N_MERGES,
        "vocab_size": len(vocab),
        "verified_against": ref_name,
        "samples": list(SAMPLES),
    }
    _write_json(out / "SOURCES.json", sources)
    return sources


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bpe", type=Path, help=f"path to {BPE_NAME} (default: from an installed open_clip or clip)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "resources" / "sd_configs")
    ap.add_argument("--check-params", action="store_true", help="also compare full-size parameter counts (meta device)")
    args = ap.parse_args(argv)
    bpe = args.bpe or find_bpe()
    sources = build(args.out, bpe)
    log.info(
        "wrote %s (BPE sha256 %s, verified against %s)",
        args.out,
        sources["bpe_sha256"][:16],
        sources["verified_against"],
    )
    if args.check_params:
        check_params(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
