"""Shared fixtures: isolated user folders, a tiny random detector bundle, generated images.

Nothing here touches the network or ../shared.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image  # noqa: F401

from tests.helpers import make_tiny_bundle, noise_image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data/log/cache folders: no test sees the user's real store or models."""
    base = tmp_path / "userdirs"
    for var, sub in (("MIWAKE_DATA_DIR", "data"), ("MIWAKE_LOG_DIR", "log"), ("MIWAKE_CACHE_DIR", "cache")):
        (base / sub).mkdir(parents=True)
        monkeypatch.setenv(var, str(base / sub))
    monkeypatch.setenv("MIWAKE_RESOURCES_DIR", str(base / "resources"))
    (base / "resources" / "models").mkdir(parents=True)
    return base


@pytest.fixture(autouse=True)
def cpu_runtime_as_if_measured(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model's first CPU scan times the CPU runtimes (`core.runtime_choice`). In tests that timing would make the
    runtime depend on the machine's load and call a model more often than a test counts, so the choice is taken
    as measured for ONNX Runtime (PyTorch where it has no export); tests marked `measure_runtimes` time for real."""
    if request.node.get_closest_marker("measure_runtimes"):
        return
    from miwake.core import runtime_choice, scorers

    def as_measured(bundle, pytorch, onnx, *, with_bf16):
        choice = runtime_choice.Choice(
            "onnxruntime" if onnx is not None else "pytorch", runtime_choice.choice_key(bundle)
        )
        runtime_choice.store_choice(bundle, choice)
        return choice

    monkeypatch.setattr(scorers, "measure_here", as_measured)


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory: pytest.TempPathFactory):
    return make_tiny_bundle(tmp_path_factory.mktemp("bundle") / "tiny")


@pytest.fixture
def image_folder(tmp_path: Path) -> Path:
    """A few ordinary images of different sizes and formats."""
    d = tmp_path / "images"
    d.mkdir()
    noise_image(96, 64, 1).save(d / "a.png")
    noise_image(50, 40, 2).save(d / "b.jpg", quality=90)
    noise_image(130, 70, 3).save(d / "c.webp", quality=90)
    (d / "sub").mkdir()
    noise_image(64, 64, 4).save(d / "sub" / "d.png")
    return d
