"""Load Stable Diffusion 1.x / 2.x / SDXL pipelines (or only their VAE) from a Hub id, a folder or a single file.

Offline first: a Hub id is loaded from the local Hugging Face cache with `local_files_only=True`, and only when it
is not there (and downloads are allowed) does Miwake go online, after a quick reachability probe, so a machine
without internet fails at once with a clear message instead of hanging on retries. Single-file `.safetensors`
checkpoints load fully offline with the component configs shipped in `resources/sd_configs/` (see
`training/tools/build_sd_configs.py`). Pickle checkpoints are refused: unpickling runs arbitrary code.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

from miwake.core import paths
from miwake.core.bundle import refuse_pickle
from miwake.core.devices import DeviceInfo, resolve_device

from .generate_errors import GenerateError, HubUnreachableError, ModelFilesError, OutOfGpuMemoryError

log = logging.getLogger(__name__)
T = TypeVar("T")

# family -> (shipped config folder, default image side). "v2" is the 768-v model, "v2_base" the 512 epsilon one.
FAMILIES: dict[str, tuple[str, int]] = {
    "v1": ("v1", 512),
    "v2": ("v2", 768),
    "v2_base": ("v2", 512),
    "xl": ("xl_base", 1024),
}
SAFETY_CHECKER_REPO = "CompVis/stable-diffusion-safety-checker"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_PROBE_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ModelSource:
    kind: str  # "hub" | "folder" | "single_file"
    ref: str  # what the user gave
    path: Path | None = None


@dataclass
class LoadedPipeline:
    pipe: Any
    family: str
    source: ModelSource
    device: DeviceInfo
    dtype: str
    safety_checker: bool


def resolve_source(model: str) -> ModelSource:
    """Decide what `model` names, refusing pickle files before anything is read."""
    ref = str(model).strip()
    if not ref:
        raise ModelFilesError(
            "No model given: pass a Hugging Face id, a diffusers folder or a .safetensors checkpoint."
        )
    refuse_pickle(ref)
    p = Path(ref).expanduser()
    if p.is_dir():
        if not (p / "model_index.json").is_file():
            raise ModelFilesError(
                f"{p}: not a diffusers model folder (model_index.json is missing). Pass the folder that holds "
                "model_index.json, or a single .safetensors checkpoint file."
            )
        return ModelSource("folder", ref, p)
    if p.is_file():
        if p.suffix.lower() != ".safetensors":
            raise ModelFilesError(
                f"{p.name}: unsupported model file; use a .safetensors checkpoint or a diffusers folder."
            )
        return ModelSource("single_file", ref, p)
    if _HUB_ID.match(ref) and not ref.lower().endswith(".safetensors") and not p.parent.is_dir():
        return ModelSource("hub", ref)
    raise ModelFilesError(f"{ref}: no such file or folder (and not a Hugging Face id like 'owner/model').")


# -- family detection --------------------------------------------------------------------------------------
def checkpoint_shapes(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Key -> object with `.shape`, read from the safetensors header only (no tensor data), and the file metadata."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            shapes = {k: SimpleNamespace(shape=tuple(f.get_slice(k).get_shape())) for k in f.keys()}
            return shapes, dict(f.metadata() or {})
    except (SafetensorError, OSError, ValueError) as e:
        raise ModelFilesError(
            f"{path.name}: not a valid safetensors file ({e}); the download may be incomplete."
        ) from e


def detect_family(
    keys: dict[str, Any], metadata: dict[str, str] | None = None, name: str = "", prediction_type: str = "auto"
) -> str:
    """v1 / v2 / v2_base / xl from checkpoint keys (diffusers' `infer_diffusers_model_type`), refusing other models.

    SD 2 checkpoints do not say whether they are the 768 v-prediction or the 512 epsilon ("base") model: an explicit
    `prediction_type`, the ModelSpec metadata or the file name decide, else 768-v (as diffusers assumes).
    """
    from diffusers.loaders.single_file_utils import infer_diffusers_model_type

    if not any(k.startswith("model.diffusion_model.") for k in keys):
        raise ModelFilesError(
            f"{name or 'checkpoint'}: no UNet weights inside: this is not a full Stable Diffusion checkpoint "
            "(a LoRA, VAE or embedding file?)."
        )
    try:
        kind = infer_diffusers_model_type(keys)
    except (AttributeError, TypeError, IndexError, KeyError, ValueError) as e:
        raise ModelFilesError(f"{name or 'checkpoint'}: not a Stable Diffusion checkpoint Miwake knows ({e}).") from e
    if kind == "xl_base":
        return "xl"
    if kind == "v1":
        return "v1"
    if kind == "v2":
        if prediction_type in ("epsilon", "v_prediction"):
            return "v2_base" if prediction_type == "epsilon" else "v2"
        arch = (metadata or {}).get("modelspec.architecture", "").lower()
        low = name.lower()
        if "768-v" in arch or "v-pred" in low or "768" in low:
            return "v2"
        if arch.endswith("512") or "base" in low or "512" in low:
            return "v2_base"
        log.warning(
            "%s: SD 2 checkpoint of unknown kind; assuming the 768 v-prediction model. If images come out as "
            "noise, set prediction_type to 'epsilon' (512 'base' models).",
            name,
        )
        return "v2"
    raise ModelFilesError(
        f"{name or 'checkpoint'} is a '{kind}' model; Miwake generates with Stable Diffusion 1.x, 2.x and SDXL base "
        "text-to-image checkpoints."
    )


def family_of(pipe: Any) -> str:
    """The family of a loaded pipeline (folder or Hub models)."""
    if hasattr(pipe, "text_encoder_2"):
        return "xl"
    if int(pipe.unet.config.cross_attention_dim) == 1024:
        return "v2" if pipe.scheduler.config.get("prediction_type") == "v_prediction" else "v2_base"
    return "v1"


def config_dir(family: str) -> Path:
    d = paths.resources_dir() / "sd_configs" / FAMILIES[family][0]
    if not (d / "model_index.json").is_file():
        raise ModelFilesError(
            f"Miwake's Stable Diffusion config files are missing ({d}); the installation is incomplete. Reinstall "
            "Miwake, or load the model as a diffusers folder or Hub id instead."
        )
    return d


# -- errors ----------------------------------------------------------------------------------------------
def is_oom(e: BaseException) -> bool:
    import torch

    return isinstance(e, torch.cuda.OutOfMemoryError) or (
        isinstance(e, RuntimeError) and "out of memory" in str(e).lower()
    )


def oom_error(device: DeviceInfo, what: str) -> OutOfGpuMemoryError:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return OutOfGpuMemoryError(
        f"{device.name} ran out of memory while {what}. Reduce the batch size (--batch 1), enable --cpu-offload "
        "and --attention-slicing / --vae-slicing, choose a smaller --size, or use the CPU (--device cpu, slow)."
    )


# -- the Hub, offline first ---------------------------------------------------------------------------------
def _hub_offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def probe_hub(repo_id: str) -> None:
    """Fail fast (one request, short timeout) when the Hub is unreachable or the repo cannot be read."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    try:
        HfApi().model_info(repo_id, timeout=_PROBE_TIMEOUT_S)
    except GatedRepoError as e:
        raise ModelFilesError(
            f"{repo_id} is gated: accept its licence on huggingface.co and log in (`hf auth login`), then try again."
        ) from e
    except RepositoryNotFoundError as e:
        raise ModelFilesError(f"{repo_id}: no such model on the Hugging Face Hub (check the spelling).") from e
    except Exception as e:  # connection refused, DNS, timeout, proxy: one fast failure, no retries
        raise _unreachable(repo_id, e) from e


def _unreachable(repo_id: str, cause: BaseException | None = None) -> HubUnreachableError:
    why = f" ({type(cause).__name__}: {cause})" if cause else ""
    return HubUnreachableError(
        f"{repo_id} is not in the local Hugging Face cache and the Hub cannot be reached{why}. Connect to the internet "
        "and run again once (the model is then cached), or download the model elsewhere and pass its diffusers folder "
        "or .safetensors file with --model."
    )


def from_hub(repo_id: str, load: Callable[..., T], allow_download: bool, **kwargs: Any) -> T:
    """`load(repo_id, local_files_only=True)`; when not cached and allowed: probe, then load online."""
    try:
        return load(repo_id, local_files_only=True, **kwargs)
    except OSError as e:  # LocalEntryNotFoundError & co: not (completely) cached
        if is_oom(e):
            raise
        log.info("%s not (fully) in the local cache: %s", repo_id, e)
    if not allow_download or _hub_offline():
        raise _unreachable(repo_id)
    probe_hub(repo_id)
    log.info("Downloading %s from the Hugging Face Hub", repo_id)
    return load(repo_id, local_files_only=False, **kwargs)


def read_model_index(source: ModelSource, allow_download: bool) -> dict[str, Any]:
    if source.kind == "folder":
        assert source.path is not None
        index_path = source.path / "model_index.json"
    else:
        from huggingface_hub import hf_hub_download

        index_path = Path(
            from_hub(source.ref, lambda r, **kw: hf_hub_download(r, "model_index.json", **kw), allow_download)
        )
    try:
        return dict(json.loads(index_path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as e:
        raise ModelFilesError(f"{source.ref}: unreadable model_index.json ({e}).") from e


# -- loading ------------------------------------------------------------------------------------------------
def _dtype(device: DeviceInfo) -> Any:
    import torch

    return torch.float16 if device.kind in ("cuda", "mps") else torch.float32


def dtype_kw(dtype: Any, library: str = "diffusers") -> dict[str, Any]:
    """`dtype=` where the library has it (`torch_dtype` is deprecated there), `torch_dtype=` for older versions."""
    import importlib

    from packaging.version import Version

    since = {"diffusers": "0.42", "transformers": "4.56"}[library]
    version = Version(importlib.import_module(library).__version__).release
    return {"dtype" if version >= Version(since).release else "torch_dtype": dtype}


def _pipeline_class(class_name: str, ref: str) -> Any:
    from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline

    classes = {
        "StableDiffusionPipeline": StableDiffusionPipeline,
        "StableDiffusionXLPipeline": StableDiffusionXLPipeline,
    }
    if class_name not in classes:
        raise ModelFilesError(
            f"{ref} is a {class_name or 'non-diffusers'} model; Miwake generates with Stable Diffusion 1.x, 2.x and "
            "SDXL text-to-image models (StableDiffusionPipeline / StableDiffusionXLPipeline)."
        )
    return classes[class_name]


def _load_safety_checker(dtype: Any, allow_download: bool) -> dict[str, Any]:
    from diffusers.pipelines.stable_diffusion.safety_checker import StableDiffusionSafetyChecker
    from transformers import CLIPImageProcessor

    checker = from_hub(
        SAFETY_CHECKER_REPO,
        StableDiffusionSafetyChecker.from_pretrained,
        allow_download,
        **dtype_kw(dtype, "transformers"),
    )
    return {"safety_checker": checker, "feature_extractor": CLIPImageProcessor()}  # CLIP defaults = SD's processor


def _guard_load(ref: str, fn: Callable[[], T], device: DeviceInfo) -> T:
    try:
        return fn()
    except GenerateError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as e:
        if is_oom(e):
            raise oom_error(device, f"loading {ref}") from e
        raise ModelFilesError(
            f"{ref}: could not load the model ({type(e).__name__}: {e}). Check that it is a complete Stable Diffusion "
            "1.x/2.x/SDXL model with .safetensors weights."
        ) from e


def load_pipeline(
    model: str,
    *,
    device: str = "auto",
    safety_checker: bool = False,
    allow_download: bool = True,
    prediction_type: str = "auto",
    cpu_offload: bool = False,
    attention_slicing: bool = False,
    vae_slicing: bool = False,
) -> LoadedPipeline:
    """A txt2img pipeline on `device`: fp16 on CUDA/MPS, fp32 on CPU; invisible watermark off; no progress bars."""
    source = resolve_source(model)
    dev = resolve_device(device)
    dtype = _dtype(dev)
    extra: dict[str, Any] = {}
    keys: dict[str, Any] = {}
    if source.kind == "single_file":
        assert source.path is not None
        keys, meta = checkpoint_shapes(source.path)
        family = detect_family(keys, meta, source.path.name, prediction_type)
        cls = _pipeline_class("StableDiffusionXLPipeline" if family == "xl" else "StableDiffusionPipeline", model)
    else:
        index = read_model_index(source, allow_download)
        cls = _pipeline_class(str(index.get("_class_name", "")), model)
        family = "xl" if cls.__name__.endswith("XLPipeline") else ""
    if family == "xl":
        if safety_checker:
            raise GenerateError("SDXL has no safety checker; run without --safety-checker or use an SD 1.x/2.x model.")
        extra["add_watermarker"] = False  # a detector must not learn a watermark instead of the generator's traces
    elif safety_checker:
        if source.kind == "single_file":  # single files never hold the checker: it comes from its own Hub repo
            extra.update(_guard_load(SAFETY_CHECKER_REPO, lambda: _load_safety_checker(dtype, allow_download), dev))
    else:
        extra.update(safety_checker=None, feature_extractor=None, requires_safety_checker=False)

    def load() -> Any:
        if source.kind == "single_file":
            return cls.from_single_file(
                str(source.path), config=str(config_dir(family)), local_files_only=True, **dtype_kw(dtype), **extra
            )
        kw = dict(use_safetensors=True, **dtype_kw(dtype), **extra)
        if source.kind == "folder":
            return cls.from_pretrained(str(source.path), local_files_only=True, **kw)
        return from_hub(source.ref, cls.from_pretrained, allow_download, **kw)

    pipe = _guard_load(model, load, dev)
    if not family:
        family = family_of(pipe)
    if safety_checker and getattr(pipe, "safety_checker", None) is None:
        parts = _guard_load(SAFETY_CHECKER_REPO, lambda: _load_safety_checker(dtype, allow_download), dev)
        pipe.register_modules(**parts)
    _set_prediction_type(pipe, family, prediction_type, keys)
    if getattr(pipe, "watermark", None) is not None:
        pipe.watermark = None
    pipe.set_progress_bar_config(disable=True)
    try:
        if cpu_offload and dev.kind == "cuda":
            pipe.enable_model_cpu_offload(device=dev.torch_device)
        else:
            if cpu_offload:
                log.warning("CPU offload only helps on a CUDA GPU; ignored on %s.", dev.name)
            pipe.to(dev.torch_device)
    except (RuntimeError, ValueError) as e:
        if is_oom(e):
            raise oom_error(dev, "moving the model to the GPU") from e
        raise
    if attention_slicing:
        pipe.enable_attention_slicing()
    if vae_slicing:
        pipe.vae.enable_slicing()
    checker = getattr(pipe, "safety_checker", None) is not None
    log.info("Loaded %s (%s, %s) on %s", model, family, str(dtype).replace("torch.", ""), dev.name)
    return LoadedPipeline(pipe, family, source, dev, str(dtype).replace("torch.", ""), checker)


def _set_prediction_type(pipe: Any, family: str, requested: str, keys: dict[str, Any]) -> None:
    want = requested if requested in ("epsilon", "v_prediction") else None
    if want is None and family == "v2_base":
        want = "epsilon"
    if want is None and "v_pred" in keys:  # marker key of v-prediction fine-tunes
        want = "v_prediction"
    if want and pipe.scheduler.config.get("prediction_type") != want:
        pipe.scheduler = type(pipe.scheduler).from_config(pipe.scheduler.config, prediction_type=want)


def load_vae(model: str, *, device: str = "auto", allow_download: bool = True) -> tuple[Any, str, DeviceInfo]:
    """Only the autoencoder, in float32 (a faithful round trip): from a folder, the Hub or a single checkpoint."""
    import torch
    from diffusers import AutoencoderKL

    source = resolve_source(model)
    dev = resolve_device(device)
    family = ""

    def load() -> Any:
        nonlocal family
        if source.kind == "single_file":
            assert source.path is not None
            keys, meta = checkpoint_shapes(source.path)
            prefix = "first_stage_model." if any(k.startswith("first_stage_model.") for k in keys) else ""
            if prefix:  # a full checkpoint
                family = detect_family(keys, meta, source.path.name)
            elif "encoder.conv_in.weight" in keys and "decoder.conv_out.weight" in keys:  # a stand-alone VAE file
                family = "xl" if "xl" in source.path.name.lower() else "v1"
            else:
                raise ModelFilesError(f"{source.path.name}: neither an SD checkpoint nor an SD VAE (no VAE weights).")
            from safetensors import safe_open

            with safe_open(str(source.path), framework="pt") as f:  # read the VAE tensors only
                sd = {
                    k: f.get_tensor(k)
                    for k in f.keys()
                    if k.startswith(prefix)
                    and k.split(".")[prefix.count(".")] in ("encoder", "decoder", "quant_conv", "post_quant_conv")
                }
            return AutoencoderKL.from_single_file(
                sd, config=str(config_dir(family)), subfolder="vae", local_files_only=True, **dtype_kw(torch.float32)
            )
        if source.kind == "folder":
            return AutoencoderKL.from_pretrained(
                str(source.path),
                subfolder="vae",
                local_files_only=True,
                use_safetensors=True,
                **dtype_kw(torch.float32),
            )
        return from_hub(
            source.ref,
            AutoencoderKL.from_pretrained,
            allow_download,
            subfolder="vae",
            use_safetensors=True,
            **dtype_kw(torch.float32),
        )

    vae = _guard_load(model, load, dev)
    if not family:
        family = "xl" if abs(float(vae.config.scaling_factor) - 0.13025) < 1e-4 else "sd"  # SD 1/2 VAEs are the same
    try:
        vae.to(dev.torch_device).eval()
    except RuntimeError as e:
        if is_oom(e):
            raise oom_error(dev, "moving the VAE to the GPU") from e
        raise
    return vae, family, dev
