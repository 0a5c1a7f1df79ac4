"""`miwake --self-test`: scan the bundled samples with the bundled default model and say what happened.

Made for checking an installed (frozen) build: it prints where the resources are, the model and the device,
checks the native libraries a scan relies on (PyTorch, pillow-heif, C2PA), scans every sample in
`resources/samples/` and exits 0 only when every sample got a score (no errors). The user's result store is
never touched (results go to a throwaway database) and nothing is reused from earlier scans.
"""

from __future__ import annotations

import io
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from miwake.core.imaging import open_image

from . import __version__

EXIT_OK = 0
EXIT_FAILED = 1


def _check(name: str, fn: Callable[[], str], out: TextIO) -> bool:
    try:
        detail = fn()
    except Exception as e:  # a self-test reports every failure, whatever it is
        print(f"  {name:<12} FAILED: {type(e).__name__}: {e}", file=out)
        return False
    print(f"  {name:<12} ok ({detail})", file=out)
    return True


def _torch() -> str:
    import torch

    cuda = f"CUDA {torch.version.cuda}" if torch.version.cuda else "CPU-only build"
    return f"torch {torch.__version__}, {cuda}, CUDA usable: {torch.cuda.is_available()}"


def _heif() -> str:
    """Encode and decode a small HEIC in memory: both native libraries (x265, libde265) load."""
    import numpy as np
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(buf, format="HEIF", quality=80)
    buf.seek(0)
    with open_image(buf) as im:
        im.load()
        size = im.size
    return f"pillow-heif {pillow_heif.__version__}, HEIC round trip {size[0]}x{size[1]}"


def _c2pa() -> str:
    import c2pa

    return f"c2pa-python {getattr(c2pa, '__version__', '?')}, native library {c2pa.sdk_version()}"


def run_self_test(device: str = "auto", out: TextIO | None = None) -> int:
    """Print what was checked; 0 when every sample was scored and every check passed, else 4 (the command line's
    "runtime failure")."""
    from miwake.core import paths
    from miwake.core.errors import MiwakeError

    out = out or sys.stdout
    t0 = time.perf_counter()
    mode = "frozen" if paths.IS_FROZEN else "from source"
    print(
        f"Miwake {__version__} self-test ({mode}, Python {platform.python_version()}, {platform.platform()})", file=out
    )
    print(f"  executable   {sys.executable}", file=out)
    print(f"  resources    {paths.resources_dir()}", file=out)
    ok = True
    print("Libraries:", file=out)
    for name, fn in (("torch", _torch), ("pillow-heif", _heif), ("c2pa", _c2pa)):
        ok &= _check(name, fn, out)
    try:
        scanned = _scan_samples(device, out)
    except MiwakeError as e:
        print(f"FAILED: {e}", file=out)
        scanned = False
    ok &= scanned
    elapsed = time.perf_counter() - t0
    print(f"Self-test {'passed' if ok else 'FAILED'} in {elapsed:.1f} s.", file=out)
    return EXIT_OK if ok else EXIT_FAILED


def _scan_samples(device: str, out: TextIO) -> bool:
    from miwake.core import paths
    from miwake.core.detector import Detector
    from miwake.core.discovery import discover
    from miwake.core.errors import ModelNotFoundError
    from miwake.core.registry import DEFAULT_MODEL_ID, ModelRegistry
    from miwake.core.results import ImageResult
    from miwake.core.scan_events import ScanFinished
    from miwake.core.scan_options import ScanOptions
    from miwake.core.scan_setup import prepare_scan
    from miwake.core.settings import Settings
    from miwake.core.store import ResultStore

    samples = paths.samples_dir()
    files = list(discover([samples])) if samples.is_dir() else []
    if not files:
        print(f"FAILED: no sample images in {samples}", file=out)
        return False
    try:
        bundle = ModelRegistry().get(f"builtin:{DEFAULT_MODEL_ID}")
    except ModelNotFoundError as e:
        raise ModelNotFoundError(f"no bundled default model in {paths.bundled_models_dir()}: {e}") from e
    t_load = time.perf_counter()
    detector = Detector(bundle, device)
    load_s = time.perf_counter() - t_load
    c = bundle.card
    print(
        f"Model: {c.display_name} [{bundle.id}, {c.arch}, {c.input_mode} {c.crop_size}px] from {bundle.path}", file=out
    )
    print(
        f"Device: {detector.device.kind} ({detector.device.description}); model loaded in {load_s:.1f} s",
        file=out,
    )
    print(f"Scanning {len(files)} samples in {samples} ...", file=out)
    results: list[ImageResult] = []
    summary: ScanFinished | None = None
    with tempfile.TemporaryDirectory(prefix="miwake-selftest-") as tmp:
        with ResultStore(Path(tmp) / "results.sqlite3") as store:
            # the defaults, not the user's settings: the self-test checks the installation, not a configuration
            defaults = Settings()
            job = prepare_scan(
                [samples],
                model=f"builtin:{DEFAULT_MODEL_ID}",
                device=device,
                settings=defaults,
                store=store,
                detector=detector,
                options=replace(ScanOptions.from_settings(defaults), reuse=False),
            )
            for ev in job.events():
                if isinstance(ev, ImageResult):
                    results.append(ev)
                elif isinstance(ev, ScanFinished):
                    summary = ev
    for r in sorted(results, key=lambda r: r.path):
        name = Path(r.path).relative_to(samples) if Path(r.path).is_relative_to(samples) else r.path
        if r.ok and r.probability is not None:
            print(f"  {r.probability:6.3f}  {r.verdict.value:<7} {r.crops:>3} crops  {name}", file=out)
        else:
            kind = r.error_kind.value if r.error_kind else "no score"
            print(f"   ERROR  {kind}: {r.error or ''}  {name}", file=out)
    scored = sum(1 for r in results if r.ok and r.probability is not None)
    elapsed = summary.elapsed_s if summary else 0.0
    rate = scored / elapsed if elapsed > 0 else 0.0
    print(
        f"{scored}/{len(files)} samples scored, {len(files) - scored} without a score, in {elapsed:.1f} s "
        f"({rate:.1f} images/s) on {detector.device.description}",
        file=out,
    )
    return bool(results) and scored == len(files) == len(results)
