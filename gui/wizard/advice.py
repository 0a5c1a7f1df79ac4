"""What to tell the user when a job fails: its error kind (training/jobs.py) → what happened and what to do."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from ..i18n import fill

translate = QCoreApplication.translate


def advice(kind: str, where: str) -> str:
    """`kind` from a failed JobResult; `where`: generate | train | evaluate | benchmark."""
    if kind == "out_of_memory":
        if where == "generate":
            return translate(
                "JobAdvice",
                "The graphics card ran out of memory. Try CPU offload (slower, needs far less GPU memory), fewer "
                "images per batch, or the CPU (much slower). Images already made are kept.",
            )
        return translate(
            "JobAdvice",
            "The graphics card ran out of memory. Try a smaller batch size, or train on the CPU (much slower).",
        )
    if kind == "disk_full":
        return translate(
            "JobAdvice",
            "The disk is full. Free some space (for example by deleting the images of old runs), then continue: "
            "finished work is kept.",
        )
    if kind == "hub_unreachable":
        return translate(
            "JobAdvice",
            "The Stable Diffusion model is not on this computer and the Hugging Face Hub cannot be reached. Connect "
            "to the internet and try again, or go back and choose a local diffusers folder or .safetensors file.",
        )
    if kind == "model_files":
        return translate(
            "JobAdvice",
            "The model files are missing, incomplete or not a Stable Diffusion model. Go back and choose the model "
            "again: a diffusers folder (with model_index.json), a .safetensors checkpoint or a Hugging Face id.",
        )
    if kind == "crashed":
        return translate(
            "JobAdvice",
            "The job stopped unexpectedly (perhaps the computer ran out of memory). Continue to try again: finished "
            "work is kept. Closing other programs or a smaller batch size may help.",
        )
    if kind == "missing_extra":
        return translate("JobAdvice", "A part of Miwake that this job needs is not installed:")
    if kind == "invalid":
        return translate("JobAdvice", "The settings or the data cannot be used as they are:")
    return translate("JobAdvice", "Something went wrong (a bug in Miwake). The log folder (Help menu) has the details.")


def failure_text(result: dict[str, Any], where: str) -> str:
    """Advice plus the job's own message (in English, from the training API)."""
    kind = str(result.get("error_kind") or "internal")
    message = str(result.get("message") or "").strip()
    text = advice(kind, where)
    return f"{text}\n\n{message}" if message else text


def disk_text(need: int, free: int, folder: str) -> str:
    return fill(
        translate(
            "JobAdvice",
            "Not enough free disk space in %1: about %2 is needed, %3 is free. Free some space, then try again.",
        ),
        folder,
        format_size(need),
        format_size(free),
    )


def format_size(n: float) -> str:
    if n >= 1e9:
        return f"{n / 1e9:.1f} GB"
    return f"{max(0.0, n) / 1e6:.0f} MB"


def approx_duration(seconds: float) -> str:
    """Rounded, in words: "about 40 s", "12 min", "3 h 20 min"."""
    s = max(0, int(round(seconds)))
    if s < 90:
        return fill(translate("JobAdvice", "%1 s"), s)
    if s < 90 * 60:
        return fill(translate("JobAdvice", "%1 min"), round(s / 60))
    h, m = divmod(round(s / 60), 60)
    return fill(translate("JobAdvice", "%1 h %2 min"), h, m)
