"""What a scan is asked to do besides which files and which model: tiling, batching, reuse, discovery, the band.

Built once from the user's saved settings (`ScanOptions.from_settings`, the CLI and app alike); anything else is
changed with `dataclasses.replace`, so every field keeps its type for readers and for mypy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .bundle import Bundle
from .discovery import DiscoveryOptions
from .imaging import DEFAULT_MAX_PIXELS
from .preprocess import tile_budget
from .settings import Settings
from .tiling import TILING_VERSION


@dataclass(frozen=True)
class ScanOptions:
    batch_size: int | None = None  # crops per forward pass; None = 64 on CUDA, 8 on CPU
    stride: int | None = None  # None = "cover" policy (see core.tiling)
    max_tiles: int | None = None  # None = the model card's tile budget (core.preprocess.tile_budget)
    max_pixels: int = DEFAULT_MAX_PIXELS
    workers: int | None = None  # decode threads; None = min(4, CPU count)
    prefetch: int | None = None  # images decoded ahead of the model; None = 2 x workers + 2
    first_file_alone: bool = True  # decode only the first file until it is scored: the first row comes sooner
    reuse: bool = True
    unsure_band: tuple[float, float] | None = None  # override the model card's band (verdicts only)
    discovery: DiscoveryOptions = field(default_factory=DiscoveryOptions)
    commit_every: int = 32  # results per store commit (also committed after each model batch)
    library_keep_days: int = 365  # results unseen for this long leave the result library (0: never)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        batch_size: int | None = None,
        stride: int | None = None,
        max_tiles: int | None = None,
    ) -> ScanOptions:
        """The user's saved scan settings; `batch_size`, `stride` and `max_tiles` given (a command's options)
        replace the saved ones, None keeps them."""
        band = settings.unsure_band_override
        return cls(
            batch_size=batch_size if batch_size is not None else settings.batch_size,
            stride=stride if stride is not None else settings.stride,
            max_tiles=max_tiles if max_tiles is not None else settings.max_tiles,
            unsure_band=(float(band[0]), float(band[1])) if band else None,
            library_keep_days=settings.library_keep_days,
        )

    def settings_key(self, bundle: Bundle) -> str:
        c = bundle.card
        stride = self.stride if c.input_mode == "crop" else None
        tiles = f"t{TILING_VERSION}:{tile_budget(c, self.max_tiles)}" if c.input_mode == "crop" else "1"
        return f"{c.input_mode}:{c.crop_size}:{stride or 'cover'}:{tiles}:{self.max_pixels}"
