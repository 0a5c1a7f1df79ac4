"""CPU scans through ONNX Runtime (issue #13): the same scores as PyTorch, a cache that is found again, and
PyTorch wherever the export cannot be trusted."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from miwake.core import onnx_runtime
from miwake.core import scorers as scorers_module
from miwake.core.detector import Detector
from miwake.core.devices import DeviceInfo
from miwake.core.onnx_runtime import OnnxDetector, onnx_path
from miwake.core.scorers import load_scorer

pytest.importorskip("onnxruntime")


def crops_of(size: int, n: int = 5, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


def test_a_cpu_scan_runs_on_the_cached_onnx_export_with_pytorchs_scores(tiny_bundle, monkeypatch):
    reference = Detector(tiny_bundle, "cpu")
    first = load_scorer(tiny_bundle, "cpu")
    assert isinstance(first, OnnxDetector) and onnx_path(tiny_bundle).is_file()
    assert first.device.kind == "cpu" and first.device.description.endswith(", ONNX Runtime fp32")
    crops = crops_of(tiny_bundle.card.crop_size)
    np.testing.assert_allclose(first.logits(crops), reference.logits(crops), atol=1e-5)

    def no_export(*a, **k):
        raise AssertionError("exported again although the cache holds the export")

    monkeypatch.setattr(onnx_runtime, "export", no_export)
    again = load_scorer(tiny_bundle, "auto" if not scorers_module.gpu_possible() else "cpu")
    assert isinstance(again, OnnxDetector) and again._pytorch is None  # PyTorch not loaded for it
    np.testing.assert_allclose(again.logits(crops), first.logits(crops), atol=1e-6)


@pytest.fixture(scope="module", params=["miwake_dinov2_s14_layers", "miwake_dinov2_s14_b6_residual"])
def vit_bundle(tmp_path_factory, request):
    """The default models' architectures (DINOv2 ViT-S/14, features of every block; cut after block 6 with the
    noise-residual features, whose matrix-product DFT and size-free indices must export), random weights, 56 px."""
    import torch

    from miwake.core.bundle import ModelCard, save_bundle
    from miwake.core.model_factory import build_model

    torch.manual_seed(0)
    card = ModelCard(
        id="vit",
        display_name="ViT test model",
        arch=request.param,
        crop_size=56,
        threshold=0.5,
        unsure_band=(0.45, 0.55),
    )
    model = build_model(card.arch)
    if getattr(model, "extra", 0):
        with torch.no_grad():
            model.head.weight[:, -model.extra :] = torch.linspace(-0.3, 0.3, model.extra)  # the residual counts
    return save_bundle(tmp_path_factory.mktemp("vit") / "vit", card, model.state_dict())


def test_a_vit_scores_crops_of_every_size_in_onnx_runtime_as_in_pytorch(vit_bundle):
    reference = Detector(vit_bundle, "cpu")
    exported = load_scorer(vit_bundle, "cpu")  # exports, and scores with the session that checked the export
    small = np.random.default_rng(0).integers(0, 256, (2, 30, 44, 3), dtype=np.uint8)
    np.testing.assert_allclose(exported._entry.run(small), reference.logits(small), atol=1e-4)
    scorer = load_scorer(vit_bundle, "cpu")  # from the cache: PyTorch not loaded
    assert isinstance(scorer, OnnxDetector) and scorer.any_size
    assert onnx_path(vit_bundle).with_suffix(".pos.npz").is_file()
    for h, w in ((56, 56), (30, 44), (56, 20), (14, 15), (1, 1)):  # padded to the patch grid, the position follows
        crops = (
            crops_of(h, n=3)[:, :, :w]
            if w <= h
            else np.random.default_rng(h).integers(0, 256, (3, h, w, 3), dtype=np.uint8)
        )
        np.testing.assert_allclose(scorer.logits(crops), reference.logits(crops), atol=1e-4, err_msg=f"{h}x{w}")
    assert scorer._pytorch is None


def test_crops_an_export_cannot_take_are_scored_by_pytorch(tiny_bundle, monkeypatch):
    def unusable(size):
        raise RuntimeError("this export takes one size only")

    monkeypatch.setattr(onnx_runtime, "small_check_crops", unusable)
    load_scorer(tiny_bundle, "cpu")
    scorer = load_scorer(tiny_bundle, "cpu")
    assert isinstance(scorer, OnnxDetector) and not scorer.any_size and scorer._pytorch is None
    small = crops_of(tiny_bundle.card.crop_size - 4, n=2)
    np.testing.assert_allclose(scorer.logits(small), Detector(tiny_bundle, "cpu").logits(small), atol=1e-6)
    assert scorer._pytorch is not None  # loaded for them


def test_an_export_that_scores_differently_is_not_kept_and_not_tried_again(tiny_bundle, monkeypatch):
    monkeypatch.setattr(onnx_runtime, "MAX_DP", -1.0)  # no export can match
    scorer = load_scorer(tiny_bundle, "cpu")
    path = onnx_path(tiny_bundle)
    assert type(scorer) is Detector and not path.exists()
    note = json.loads(path.with_suffix(".failed").read_text("utf-8"))
    assert "differently" in note["reason"] and note["versions"]["onnxruntime"]

    tried = []
    real_export = onnx_runtime.export
    monkeypatch.setattr(onnx_runtime, "export", lambda *a: tried.append(1) or real_export(*a))
    assert type(load_scorer(tiny_bundle, "cpu")) is Detector and tried == []  # the note says why: not again
    monkeypatch.setattr(onnx_runtime, "MAX_DP", 1e-4)
    monkeypatch.setattr(onnx_runtime, "library_versions", lambda: {"torch": "99", "onnx": "99", "onnxruntime": "99"})
    assert isinstance(load_scorer(tiny_bundle, "cpu"), OnnxDetector) and tried == [1]  # new versions: tried again
    assert not path.with_suffix(".failed").exists()


def test_a_damaged_cached_export_is_made_again_and_a_half_made_one_is_swept(tiny_bundle):
    import os

    path = onnx_path(tiny_bundle)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not an onnx file")
    older = path.with_name("tiny-0123456789abcdef.onnx")  # an export of an older EXPORT_VERSION: removed
    older.write_bytes(b"old")
    other_model = path.with_name("tinier-0123456789abcdef.onnx")  # another model's: kept
    other_model.write_bytes(b"other")
    stale, fresh = path.parent / ".export-stale", path.parent / ".export-fresh"  # a process stopped mid-export
    for d in (stale, fresh):
        d.mkdir()
        (d / path.name).write_bytes(b"half")
    os.utime(stale, (1e9, 1e9))
    scorer = load_scorer(tiny_bundle, "cpu")
    assert isinstance(scorer, OnnxDetector) and path.stat().st_size > 1000
    assert not stale.exists() and fresh.exists()  # the fresh one may be another process's export in progress
    os.utime(fresh, (1e9, 1e9))
    assert isinstance(load_scorer(tiny_bundle, "cpu"), OnnxDetector) and not fresh.exists()  # swept when opened too
    fresh.mkdir()
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(
        [
            path.name,
            path.with_suffix(".json").name,
            path.with_suffix(".runtime.json").name,
            fresh.name,
            other_model.name,
        ]
    )


def test_pytorch_is_used_when_chosen_on_a_gpu_or_without_onnxruntime(tiny_bundle, monkeypatch):
    assert type(load_scorer(tiny_bundle, "cpu", "pytorch")) is Detector
    monkeypatch.setattr(scorers_module, "gpu_possible", lambda: True)  # a driver is there: PyTorch decides ...
    with monkeypatch.context() as m:
        gpu = DeviceInfo("cuda", "a GPU", "cuda")
        m.setattr(scorers_module, "resolve_device", lambda req="auto": gpu)
        m.setattr(scorers_module, "load_onnx", lambda *a: pytest.fail("ONNX Runtime chosen for a GPU"))
        m.setattr(scorers_module, "Detector", lambda b, d: ("pytorch", d))
        assert load_scorer(tiny_bundle, "auto") == ("pytorch", "auto")  # ... it sees a GPU: PyTorch
    scorer = load_scorer(tiny_bundle, "auto")  # ... a driver but no usable GPU: the CPU, through ONNX Runtime
    assert isinstance(scorer, OnnxDetector)
    onnx_runtime.forget(tiny_bundle)
    monkeypatch.setattr(scorers_module, "onnxruntime_installed", lambda: False)
    assert type(load_scorer(tiny_bundle, "cpu")) is Detector
    assert not onnx_path(tiny_bundle).exists()


def test_a_cache_folder_that_cannot_be_written_leaves_the_scan_to_pytorch(tiny_bundle, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("MIWAKE_CACHE_DIR", str(blocked))
    scorer = load_scorer(tiny_bundle, "cpu")
    assert type(scorer) is Detector
    crops = crops_of(tiny_bundle.card.crop_size, n=2)
    assert scorer.logits(crops).shape == (2,)


def test_deleting_a_model_removes_its_cached_export(tiny_bundle):
    from miwake.cli import main

    assert main(["models", "import", str(tiny_bundle.path)]) == 0
    from miwake.core.registry import ModelRegistry

    installed = ModelRegistry().get("tiny")
    load_scorer(installed, "cpu")
    assert onnx_path(installed).is_file()
    assert main(["models", "delete", "tiny"]) == 0
    assert not onnx_path(installed).exists()


def test_gpu_possible_answers_without_importing_torch_and_never_hides_a_gpu():
    probe = "import sys; from miwake.core.devices import gpu_possible; print(gpu_possible(), 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120).stdout.split()
    assert out[1] == "False"
    import torch

    if out[0] == "False":  # "surely no GPU" must be true
        assert not torch.cuda.is_available()


def test_two_threads_loading_the_same_model_share_one_export(tiny_bundle):
    """The app preloads the model while its first scan loads it too: torch.onnx.export is not reentrant, and a
    race used to fail one of them ("GLOBALS.in_onnx_export must be False") and leave that scan on PyTorch."""
    import threading

    from miwake.core.onnx_runtime import _failure_path, load_onnx

    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(load_onnx(tiny_bundle))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 3 and all(isinstance(d, OnnxDetector) for d in got), got
    assert not _failure_path(onnx_path(tiny_bundle)).exists()


def test_deleting_the_active_model_resets_the_choice_even_when_its_export_is_held_open(tiny_bundle, monkeypatch):
    """Issue #25: on Windows the export could not be removed (a scan held it open), the deletion raised after the
    model's folder was gone, and the settings still named the deleted model."""
    from miwake.core.model_choice import delete_model, use_model
    from miwake.core.registry import ModelRegistry
    from miwake.core.settings import load_settings

    reg = ModelRegistry()
    reg.import_bundle(tiny_bundle.path, new_id="mine")
    use_model("mine", reg)

    def held_open(bundle):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(onnx_runtime, "forget", held_open)
    delete_model("mine", reg)
    assert load_settings().active_model is None
    assert "mine" not in [b.id for b in reg.list()]
