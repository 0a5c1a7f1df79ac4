"""Make AI images for detector training: Stable Diffusion txt2img, and VAE reconstructions of the user's own reals.

Both jobs are headless, resumable and cancellable. Image `i` always gets the same file name, seed (`seed + i`) and
prompt, and counts as finished once its PNG and JSON sidecar exist, so a rerun skips finished images and an
interrupted run simply continues. `cancel` is checked between images and between denoising steps. Progress is
reported through `on_event` with frozen dataclasses (`GenerateStarted`, `StepProgress`, `GenerateProgress`), the
final `GenerateSummary` is returned.

Reconstructions ("aligned fakes", Rajan et al. 2024; AEROBLADE, Ricker et al. 2024): each real image goes through the
SD autoencoder, encode -> decode, at native resolution, so the fake has the real's content and the decoder's traces.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from miwake.core import atomic
from miwake.core.timefmt import utc_now

from .generate_errors import GenerateError, InsufficientDiskSpaceError, RunMismatchError
from .sd_models import FAMILIES, is_oom, load_pipeline, oom_error, resolve_source
from .sd_prompts import PromptSource, load_prompts

log = logging.getLogger(__name__)

MANIFEST_NAME = "miwake_generate.json"
DISK_MARGIN_BYTES = 64 << 20
DEFAULT_GUIDANCE = {"xl": 5.0}  # others 7.5


@dataclass(frozen=True)
class GenerateConfig:
    model: str  # Hub id, diffusers folder or single-file .safetensors checkpoint
    out_dir: Path
    prompts: str = "landscape"  # preset name (see sd_prompts.list_presets) or a prompt file, one prompt per line
    count: int = 100
    width: int | None = None  # None: by family (512 SD 1, 768 SD 2-v, 1024 SDXL)
    height: int | None = None
    steps: int = 30
    guidance: float | None = None  # None: 7.5 (SD 1/2), 5.0 (SDXL)
    seed: int = 0  # image i uses seed + i
    negative: str | None = None  # None: the preset's default negative prompt; "" for none
    device: str = "auto"  # auto | cpu | cuda | mps
    safety_checker: bool = False
    attention_slicing: bool = False
    vae_slicing: bool = False
    cpu_offload: bool = False  # model CPU offload, for small GPUs
    batch_size: int = 1
    prediction_type: str = "auto"  # auto | epsilon | v_prediction (SD 2 "base" single files need epsilon)
    allow_download: bool = True  # False: only the local Hugging Face cache
    file_prefix: str = "gen"

    def __post_init__(self) -> None:
        object.__setattr__(self, "out_dir", Path(self.out_dir).expanduser())
        problems = []
        if not 1 <= self.count <= 10_000_000:
            problems.append(f"count {self.count} must be 1..10,000,000")
        for name in ("width", "height"):
            v = getattr(self, name)
            if v is not None and (v % 8 or not 64 <= v <= 4096):
                problems.append(f"{name} {v} must be a multiple of 8 in 64..4096")
        if not 1 <= self.steps <= 1000:
            problems.append(f"steps {self.steps} must be 1..1000")
        if self.guidance is not None and not 0.0 <= self.guidance <= 50.0:
            problems.append(f"guidance {self.guidance} must be 0..50")
        if not 0 <= self.seed < 2**63 - self.count:
            problems.append(f"seed {self.seed} must be 0..2^63")
        if not 1 <= self.batch_size <= 64:
            problems.append(f"batch size {self.batch_size} must be 1..64")
        if self.prediction_type not in ("auto", "epsilon", "v_prediction"):
            problems.append(f"prediction_type {self.prediction_type!r} must be auto, epsilon or v_prediction")
        if not self.file_prefix or any(c in self.file_prefix for c in '/\\:*?"<>|'):
            problems.append(f"file_prefix {self.file_prefix!r} must be a plain name")
        if problems:
            raise GenerateError("Invalid generation settings: " + "; ".join(problems) + ".")

    def image_name(self, index: int) -> str:
        return f"{self.file_prefix}_{index:06d}.png"


@dataclass(frozen=True)
class GenerateStarted:
    kind: str  # "txt2img" | "reconstruct"
    total: int
    todo: int
    model: str
    family: str
    device: str
    width: int | None = None  # txt2img only (reconstructions keep each real's size)
    height: int | None = None


@dataclass(frozen=True)
class StepProgress:
    index: int  # first image of the batch
    step: int  # 1-based
    steps: int


@dataclass(frozen=True)
class GenerateProgress:
    kind: str
    done: int  # finished images, skipped ones included
    total: int
    generated: int  # made in this run
    skipped: int  # already finished before this run
    errors: int
    seconds_per_image: float | None
    images_per_s: float | None
    eta_s: float | None
    last_path: str = ""  # the newest PNG, for a live preview
    last_error: str = ""


@dataclass(frozen=True)
class GenerateSummary:
    kind: str
    out_dir: str
    model: str
    family: str
    device: str
    total: int
    generated: int
    skipped: int
    filtered: int  # blocked by the safety checker (no PNG written)
    errors: int
    cancelled: bool
    elapsed_s: float
    seconds_per_image: float | None
    last_path: str = ""
    error_messages: tuple[str, ...] = field(default_factory=tuple)


GenerateEvent = GenerateStarted | StepProgress | GenerateProgress | GenerateSummary
EventCallback = Callable[[GenerateEvent], None]


def event_to_dict(ev: GenerateEvent) -> dict[str, Any]:
    """JSON-ready form (for a worker process reporting JSON lines)."""
    return {"event": type(ev).__name__, **asdict(ev)}


# -- shared helpers -----------------------------------------------------------------------------------------
def is_finished(png: Path) -> bool:
    """Finished = sidecar readable and (PNG present or the image was filtered by the safety checker)."""
    side = png.with_suffix(".json")
    try:
        record = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return png.is_file() or bool(record.get("filtered"))


def save_png(image: Any, path: Path) -> None:
    import io

    buf = io.BytesIO()
    image.save(buf, format="PNG")  # no text chunks: the sidecar carries the metadata
    atomic.write_bytes(path, buf.getvalue())


def write_sidecar(png: Path, record: dict[str, Any]) -> None:
    atomic.write_bytes(
        png.with_suffix(".json"), (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    )


def check_disk(out_dir: Path, need_bytes: int, what: str) -> None:
    free = shutil.disk_usage(out_dir).free
    if free < need_bytes + DISK_MARGIN_BYTES:
        raise InsufficientDiskSpaceError(
            f"Not enough free disk space in {out_dir}: {what} needs about {_gb(need_bytes + DISK_MARGIN_BYTES)}, "
            f"{_gb(free)} free. Free some space, choose another output folder or make fewer images."
        )


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.0f} MB"


class _Rate:
    """Seconds per image over the images made in this run."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.made = 0

    def progress(
        self, kind: str, done: int, total: int, skipped: int, errors: int, last: str, err: str = ""
    ) -> GenerateProgress:
        el = time.perf_counter() - self.t0
        spi = el / self.made if self.made else None
        eta = spi * (total - done) if spi is not None else None
        return GenerateProgress(
            kind, done, total, self.made, skipped, errors, spi, (1 / spi if spi else None), eta, last, err
        )


def _summary(
    kind: str,
    out: Path,
    model: str,
    family: str,
    device: str,
    total: int,
    rate: _Rate | None,
    skipped: int,
    filtered: int,
    errors: Sequence[str],
    cancelled: bool,
    t0: float,
    last: str,
) -> GenerateSummary:
    """`elapsed_s` includes model loading; `seconds_per_image` is the image-making time only."""
    made = rate.made if rate else 0
    spi = (time.perf_counter() - rate.t0) / made if rate and made else None
    return GenerateSummary(
        kind,
        str(out),
        model,
        family,
        device,
        total,
        made,
        skipped,
        filtered,
        len(errors),
        cancelled,
        time.perf_counter() - t0,
        spi,
        last,
        tuple(errors),
    )


def _emit(on_event: EventCallback | None, ev: GenerateEvent) -> None:
    if on_event is not None:
        on_event(ev)


# -- txt2img -------------------------------------------------------------------------------------------------
def _run_key(
    cfg: GenerateConfig, prompts: PromptSource, negative: str, width: int, height: int, guidance: float
) -> dict[str, Any]:
    lines_digest = hashlib.sha256("\n".join(prompts.lines).encode()).hexdigest()[:16] if prompts.lines else ""
    model = str(Path(cfg.model).expanduser().resolve()) if Path(cfg.model).expanduser().exists() else cfg.model
    return {
        "model": model,
        "prompts": prompts.name,
        "prompts_sha256": lines_digest,
        "seed": cfg.seed,
        "negative": negative,
        "steps": cfg.steps,
        "guidance": guidance,
        "width": width,
        "height": height,
        "prediction_type": cfg.prediction_type,
        "file_prefix": cfg.file_prefix,
    }


def _check_manifest(out_dir: Path, key: dict[str, Any], write: bool = True) -> None:
    """Refuse to resume a folder made with other settings (`count` may grow). `write=False`: check the given keys only."""
    path = out_dir / MANIFEST_NAME
    try:
        old = json.loads(path.read_text(encoding="utf-8")).get("run", {})
    except FileNotFoundError:
        old = None
    except (OSError, ValueError) as e:
        raise RunMismatchError(f"{path}: unreadable ({e}); delete it or choose another output folder.") from e
    if old is not None:
        diff = [f"{k}: {old.get(k)!r} -> {v!r}" for k, v in key.items() if old.get(k) != v]
        if diff:
            raise RunMismatchError(
                f"{out_dir} holds images made with other settings ({'; '.join(diff)}). Resuming would mix two data "
                "sets: choose another output folder, or use the earlier settings."
            )
    if write:
        atomic.write_bytes(
            path, (json.dumps({"format": 1, "kind": "txt2img", "run": key}, indent=2) + "\n").encode("utf-8")
        )


def generate(
    cfg: GenerateConfig, on_event: EventCallback | None = None, cancel: threading.Event | None = None
) -> GenerateSummary:
    """Make `cfg.count` images into `cfg.out_dir` (skipping finished ones); returns what happened.

    Kept whole: the pipeline is loaded once, and every image's seed, prompt, retry and skip decisions share the
    loop's state (done, errors, the rate); pulled apart they would pass that state around in a dozen arguments."""
    cancel = cancel or threading.Event()
    resolve_source(cfg.model)  # refuse pickles and missing files first
    prompts = load_prompts(cfg.prompts)  # fail on a bad preset/file before loading gigabytes
    negative = prompts.default_negative if cfg.negative is None else cfg.negative
    out = cfg.out_dir
    out.mkdir(parents=True, exist_ok=True)
    todo = [i for i in range(cfg.count) if not is_finished(out / cfg.image_name(i))]
    skipped = cfg.count - len(todo)
    t0 = time.perf_counter()
    if not todo or cancel.is_set():
        return _summary("txt2img", out, cfg.model, "", "", cfg.count, None, skipped, 0, (), bool(todo), t0, "")
    early = _run_key(cfg, prompts, negative, 0, 0, 0.0)  # before loading gigabytes: what does not need the model
    _check_manifest(out, {k: v for k, v in early.items() if k not in ("width", "height", "guidance")}, write=False)
    px = (cfg.width or 1024) * (cfg.height or 1024)
    check_disk(out, len(todo) * px * 2, f"{len(todo)} images")  # PNG of SD output: about 1.5-2 bytes per pixel
    lp = load_pipeline(
        cfg.model,
        device=cfg.device,
        safety_checker=cfg.safety_checker,
        allow_download=cfg.allow_download,
        prediction_type=cfg.prediction_type,
        cpu_offload=cfg.cpu_offload,
        attention_slicing=cfg.attention_slicing,
        vae_slicing=cfg.vae_slicing,
    )
    side = FAMILIES[lp.family][1]
    width, height = cfg.width or side, cfg.height or side
    guidance = cfg.guidance if cfg.guidance is not None else DEFAULT_GUIDANCE.get(lp.family, 7.5)
    _check_manifest(out, _run_key(cfg, prompts, negative, width, height, guidance))
    dev = lp.device
    _emit(on_event, GenerateStarted("txt2img", cfg.count, len(todo), cfg.model, lp.family, dev.name, width, height))
    pipe, rate = lp.pipe, _Rate()
    base = {
        "kind": "txt2img",
        "label": "ai",
        "model": cfg.model,
        "model_source": lp.source.kind,
        "family": lp.family,
        "steps": cfg.steps,
        "guidance": guidance,
        "width": width,
        "height": height,
        "scheduler": type(pipe.scheduler).__name__,
        "prediction_type": pipe.scheduler.config.get("prediction_type"),
        "negative_prompt": negative,
        "prompt_source": prompts.name,
        "device": dev.kind,
        "dtype": lp.dtype,
        "safety_checker": lp.safety_checker,
        "watermark": False,
        "diffusers_version": _diffusers_version(),
    }
    done, filtered, last, cancelled = skipped, 0, "", False
    for start in range(0, len(todo), cfg.batch_size):
        if cancel.is_set():
            cancelled = True
            break
        batch = todo[start : start + cfg.batch_size]
        check_disk(out, len(batch) * width * height * 3, "the next image")
        texts = [prompts.prompt(i, cfg.seed) for i in batch]
        t_batch = time.perf_counter()
        images, nsfw = _run_batch(pipe, cfg, batch, texts, negative, width, height, guidance, dev, on_event, cancel)
        if images is None:  # cancelled between denoising steps: the half-made images are dropped
            cancelled = True
            break
        seconds = (time.perf_counter() - t_batch) / len(batch)
        for i, text, image, flagged in zip(batch, texts, images, nsfw):
            png = out / cfg.image_name(i)
            record = {
                **base,
                "file": png.name,
                "index": i,
                "prompt": text,
                "seed": cfg.seed + i,
                "time": utc_now(),
                "seconds": round(seconds, 3),
            }
            if flagged:
                filtered += 1
                record["filtered"] = True
                log.info("Image %d blocked by the safety checker; not saved", i)
            else:
                save_png(image, png)
                last = str(png)
            write_sidecar(png, record)
            rate.made += 1
            done += 1
        _emit(on_event, rate.progress("txt2img", done, cfg.count, skipped, 0, last))
    return _summary(
        "txt2img", out, cfg.model, lp.family, dev.name, cfg.count, rate, skipped, filtered, (), cancelled, t0, last
    )


def _diffusers_version() -> str:
    import diffusers

    return str(diffusers.__version__)


def _run_batch(
    pipe: Any,
    cfg: GenerateConfig,
    batch: Sequence[int],
    texts: list[str],
    negative: str,
    width: int,
    height: int,
    guidance: float,
    dev: Any,
    on_event: EventCallback | None,
    cancel: threading.Event,
) -> tuple[list[Any] | None, list[bool]]:
    import torch

    def on_step(p: Any, step: int, timestep: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        if cancel.is_set():
            p._interrupt = True  # the pipeline skips the remaining steps
        _emit(on_event, StepProgress(batch[0], step + 1, cfg.steps))
        return kwargs

    gens = [torch.Generator("cpu").manual_seed(cfg.seed + i) for i in batch]  # per image: independent of batch size
    try:
        with torch.inference_mode():
            out = pipe(
                prompt=texts,
                negative_prompt=[negative] * len(batch) if negative else None,
                num_inference_steps=cfg.steps,
                guidance_scale=guidance,
                width=width,
                height=height,
                generator=gens,
                output_type="pil",
                callback_on_step_end=on_step,
            )
    except (RuntimeError, torch.cuda.OutOfMemoryError) as e:
        if is_oom(e):
            raise oom_error(dev, f"generating {width}x{height} images, batch {len(batch)}") from e
        raise
    if cancel.is_set():
        return None, []
    nsfw = getattr(out, "nsfw_content_detected", None) or [False] * len(out.images)
    return list(out.images), [bool(x) for x in nsfw]


# -- VAE reconstruction --------------------------------------------------------------------------------------
def reconstruction_name(rel: str) -> str:
    """Deterministic, collision-free: `<stem>-<8 hex of the relative path>.png`."""
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in Path(rel).stem)[:80] or "image"
    return f"{stem}-{hashlib.sha1(rel.encode('utf-8')).hexdigest()[:8]}.png"


def reconstruct(
    model: str,
    real_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    device: str = "auto",
    limit: int | None = None,
    recursive: bool = True,
    tile_above_pixels: int = 1536 * 1536,
    allow_download: bool = True,
    on_event: EventCallback | None = None,
    cancel: threading.Event | None = None,
) -> GenerateSummary:
    """Encode -> decode every image under `real_dir` with the model's VAE, at native resolution.

    Sizes: each image is padded (reflect) on the right/bottom to a multiple of 8, as the VAE needs, and the decoded
    result is cropped back, so every fake has exactly its real's size. The latent is the encoder's mode (no noise),
    the VAE runs in float32, and images above `tile_above_pixels` use diffusers' tiled VAE to bound memory.
    """
    from miwake.core.discovery import DiscoveryOptions, discover

    from .sd_models import load_vae
    from .sd_reconstruct import round_trip

    cancel = cancel or threading.Event()
    resolve_source(model)
    real, out = Path(real_dir).expanduser(), Path(out_dir).expanduser()
    if not real.is_dir():
        raise GenerateError(f"{real}: no such folder of real images.")
    out.mkdir(parents=True, exist_ok=True)
    out_abs = out.resolve()
    files = [f for f in discover([real], DiscoveryOptions(recursive=recursive)) if out_abs not in f.resolve().parents]
    jobs = [(f, out / reconstruction_name(f.relative_to(real).as_posix())) for f in files[: limit or None]]
    todo = [(f, png) for f, png in jobs if not is_finished(png)]
    skipped, t0 = len(jobs) - len(todo), time.perf_counter()
    if not todo or cancel.is_set():
        return _summary("reconstruct", out, model, "", "", len(jobs), None, skipped, 0, (), bool(todo), t0, "")
    check_disk(out, sum(f.stat().st_size for f, _ in todo) * 3, f"{len(todo)} reconstructions")  # PNG vs JPEG reals
    vae, family, dev = load_vae(model, device=device, allow_download=allow_download)
    _emit(on_event, GenerateStarted("reconstruct", len(jobs), len(todo), model, family, dev.name))
    rate, done, errors, last, cancelled = _Rate(), skipped, [], "", False
    for src, png in todo:
        if cancel.is_set():
            cancelled = True
            break
        check_disk(out, src.stat().st_size * 10, "the next image")  # PNG of a JPEG real: up to ~10x larger
        err = ""
        try:
            image, record = round_trip(vae, src, dev, tile_above_pixels=tile_above_pixels)
        except Exception as e:  # one bad image must not stop the batch
            if is_oom(e):
                raise oom_error(dev, f"reconstructing {src.name} ({e})") from e
            err = f"{src}: {e}"
            errors.append(err)
            log.warning("Reconstruction failed: %s", err)
        else:
            save_png(image, png)
            record.update(
                file=png.name,
                kind="vae_reconstruction",
                label="ai",
                model=model,
                family=family,
                device=dev.kind,
                source=str(src.resolve()),
                source_rel=src.relative_to(real).as_posix(),
                time=utc_now(),
                diffusers_version=_diffusers_version(),
            )
            write_sidecar(png, record)
            last = str(png)
            rate.made += 1
        done += 1
        _emit(on_event, rate.progress("reconstruct", done, len(jobs), skipped, len(errors), last, err))
    return _summary(
        "reconstruct", out, model, family, dev.name, len(jobs), rate, skipped, 0, errors, cancelled, t0, last
    )


__all__ = [
    "GenerateConfig",
    "GenerateEvent",
    "GenerateProgress",
    "GenerateStarted",
    "GenerateSummary",
    "StepProgress",
    "event_to_dict",
    "generate",
    "reconstruct",
    "reconstruction_name",
]
