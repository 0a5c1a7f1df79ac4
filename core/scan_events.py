"""What a scan tells its driver (the CLI, the app's worker, scripts): progress, one `ImageResult` per file, and
the summary at the end."""

from __future__ import annotations

from dataclasses import dataclass

from .results import ImageResult


@dataclass(frozen=True)
class ScanProgress:
    done: int
    total: int
    reused: int
    errors: int
    images_per_s: float
    eta_s: float | None
    current: str = ""
    discovering: bool = False  # still looking for files: `total` is the count so far
    workers: int | None = None  # a cluster scan's workers ready to score (None: a local scan)


@dataclass(frozen=True)
class ScanFinished:
    scan_id: int | None
    total: int
    scored: int
    reused: int
    errors: int
    cancelled: bool
    elapsed_s: float
    model_id: str
    device: str
    verdicts: dict[str, int]
    skipped_folders: tuple[str, ...] = ()
    unsure_band: tuple[float, float] = (0.5, 0.5)  # the band that decided this scan's pixel verdicts
    band_from_settings: bool = False  # True: the user's override, not the model card's band
    failure: str | None = None  # why the scan stopped early (the store could not be written), else None
    runtime: str = ""  # what scored the crops: pytorch | onnxruntime ("" where nothing was scored)
    precision: str = ""  # fp32 | bf16 | fp16


ScanEvent = ScanProgress | ImageResult | ScanFinished
