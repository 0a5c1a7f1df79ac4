"""The CPU runtime is chosen by measuring it (issue #26): the fastest candidate wins and is remembered for this
machine, a forced setting is obeyed, a precision that changes verdicts is refused, a PyTorch choice starts on
ONNX Runtime, and reports say what scored the files."""

from __future__ import annotations

import json
import logging
import threading

import numpy as np
import pytest

from miwake.core import runtime_choice, scorers
from miwake.core.detector import Detector
from miwake.core.devices import cpu_bf16_possible
from miwake.core.onnx_runtime import OnnxDetector, load_onnx
from miwake.core.runtime_choice import Choice, Measurement, PrecisionCheck, cached_choice, choice_path
from miwake.core.scorers import StagedScorer, load_scorer

pytest.importorskip("onnxruntime")


def crops_of(size: int, n: int = 4, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


@pytest.mark.measure_runtimes
def test_the_first_cpu_scan_measures_the_candidates_and_the_choice_is_kept_for_this_machine(tiny_bundle, monkeypatch):
    scorer = load_scorer(tiny_bundle, "cpu")
    choice = cached_choice(tiny_bundle)
    assert choice is not None and choice_path(tiny_bundle).is_file()
    timed = {m.candidate: m for m in choice.measurements}
    assert {"onnxruntime", "pytorch"} <= set(timed) and all(m.crops_per_s > 0 for m in timed.values())
    assert timed["pytorch"].max_dp < 1e-4  # both fp32: the same scores
    assert choice.runtime == runtime_choice.pick(choice.measurements)
    assert (
        scorer.device.runtime == choice.runtime.split("-")[0]
        and scorer.device.precision == "fp32"
        or (choice.runtime == "pytorch-bf16" and scorer.device.precision == "bf16")
    )

    monkeypatch.setattr(scorers, "measure_here", lambda *a, **k: pytest.fail("measured again on the same machine"))
    again = load_scorer(tiny_bundle, "cpu")
    assert again.device.runtime == scorer.device.runtime

    measured = []
    monkeypatch.setattr(scorers, "measure_here", lambda b, p, o, **k: measured.append(1) or Choice("pytorch", {}))
    monkeypatch.setattr(runtime_choice, "cpu_fingerprint", lambda: "another processor")
    assert cached_choice(tiny_bundle) is None  # another CPU: the choice does not hold there
    assert isinstance(load_scorer(tiny_bundle, "cpu"), Detector) and measured == [1]


def test_two_loads_at_once_measure_once_and_the_second_takes_the_choice_the_first_kept(tiny_bundle, monkeypatch):
    import time

    runtime_choice.forget_choice(tiny_bundle)
    measured = []

    def slow_measure(bundle, pytorch, onnx, *, with_bf16):  # a measurement takes seconds: the other load comes in
        measured.append(threading.current_thread().name)
        time.sleep(0.5)
        choice = Choice("onnxruntime", runtime_choice.choice_key(bundle))
        runtime_choice.store_choice(bundle, choice)
        return choice

    monkeypatch.setattr(scorers, "measure_here", slow_measure)
    got: dict[str, object] = {}
    loads = [
        threading.Thread(target=lambda n=n: got.update({n: load_scorer(tiny_bundle, "cpu")}), name=n)
        for n in ("preload", "scan")
    ]
    for t in loads:
        t.start()
    for t in loads:
        t.join(60)
    assert len(measured) == 1  # the app's preload and a scan's own load do not measure side by side
    assert {type(v) for v in got.values()} == {OnnxDetector} and len(got) == 2
    runtime_choice.forget_choice(tiny_bundle)


def test_pytorch_replaces_onnx_runtime_only_when_clearly_faster():
    def pick(**rates):
        return runtime_choice.pick([Measurement(k.replace("_", "-"), v) for k, v in rates.items()])

    assert pick(onnxruntime=10.0, pytorch=11.0) == "onnxruntime"  # 1.1x: not worth loading PyTorch for
    assert pick(onnxruntime=10.0, pytorch=12.0) == "pytorch"
    assert pick(onnxruntime=17.6, pytorch=18.8, pytorch_bf16=52.5) == "pytorch-bf16"  # issue #26's Xeon
    assert pick(pytorch=5.0, pytorch_bf16=4.0) == "pytorch"  # no ONNX Runtime: the faster PyTorch
    refused = [Measurement("onnxruntime", 10.0), Measurement("pytorch-bf16", None, 0.2, "verdicts changed")]
    assert runtime_choice.pick(refused) == "onnxruntime"


def test_a_reduced_precision_that_changes_verdicts_or_moves_scores_is_refused(tiny_bundle):
    ref = Detector(tiny_bundle, "cpu")
    images = [crops_of(tiny_bundle.card.crop_size, n=3, seed=s) for s in range(6)]
    same = runtime_choice.check_precision(tiny_bundle, ref.logits, ref.logits, "bf16", images)
    assert same.passed and same.max_dp == 0 and same.images == 6 and same.verdicts_changed == 0

    shifted = runtime_choice.check_precision(tiny_bundle, ref.logits, lambda c: ref.logits(c) + 3.0, "bf16", images)
    assert not shifted.passed and "moved" in shifted.refused

    from dataclasses import replace

    p0 = float(1 / (1 + np.exp(-ref.logits(images[0]).mean())))  # image 0 just below the upper edge of a band
    edged = replace(tiny_bundle, card=replace(tiny_bundle.card, unsure_band=(p0 - 0.01, p0 + 0.0005)))
    crossing = runtime_choice.check_precision(edged, ref.logits, lambda c: ref.logits(c) + 0.01, "bf16", images[:1])
    assert crossing.max_dp < runtime_choice.MAX_DP_REDUCED  # too small a move to refuse by |dp| ...
    assert not crossing.passed and crossing.verdicts_changed == 1 and "changed verdict" in crossing.refused  # ...

    def broken(c):
        raise RuntimeError("no bf16 kernel for this op")

    failed = runtime_choice.check_precision(tiny_bundle, ref.logits, broken, "bf16", images)
    assert not failed.passed and "no bf16 kernel" in failed.refused


def test_a_refused_precision_is_never_timed_or_chosen(tiny_bundle):
    ref = Detector(tiny_bundle, "cpu")
    fast_but_wrong = lambda c: ref.logits(c) + 3.0  # noqa: E731
    check = PrecisionCheck("bf16", 0.4, 10, 2, "2 of 10 sample images changed verdict")
    choice = runtime_choice.measure(
        tiny_bundle, {"pytorch": ref.logits, "pytorch-bf16": fast_but_wrong}, precision_check=check
    )
    assert choice.runtime == "pytorch"
    bf16 = next(m for m in choice.measurements if m.candidate == "pytorch-bf16")
    assert bf16.crops_per_s is None and bf16.refused == check.refused


def test_bf16_scores_close_to_fp32_on_any_cpu(tiny_bundle):
    """Autocast bf16 runs everywhere (emulated where the CPU lacks it, so slowly): the numbers are checked here;
    only the speed needs the processor (`test_on_a_bf16_cpu_...`)."""
    fp32, bf16 = Detector(tiny_bundle, "cpu"), Detector(tiny_bundle, "cpu", precision="bf16")
    assert bf16.device.precision == "bf16" and bf16.device.description.endswith("PyTorch bf16")
    crops = crops_of(tiny_bundle.card.crop_size, n=8)
    p32, p16 = (1 / (1 + np.exp(-d.logits(crops))) for d in (fp32, bf16))
    assert 0 < np.max(np.abs(p32 - p16)) < runtime_choice.MAX_DP_REDUCED  # different, but within the bound
    with pytest.raises(ValueError, match="precision"):
        Detector(tiny_bundle, "cpu", precision="int8")


def test_a_forced_cpu_runtime_is_obeyed_and_bf16_only_where_its_check_passed(tiny_bundle, monkeypatch, caplog):
    assert isinstance(load_scorer(tiny_bundle, "cpu", "onnxruntime"), OnnxDetector)
    forced = load_scorer(tiny_bundle, "cpu", "pytorch")
    assert type(forced) is Detector and forced.device.precision == "fp32"
    with pytest.raises(ValueError, match="CPU runtime"):
        load_scorer(tiny_bundle, "cpu", "tensorrt")

    def measured_with(check):
        def measure(bundle, pytorch, onnx, *, with_bf16):
            choice = Choice("onnxruntime", runtime_choice.choice_key(bundle), (), check)
            runtime_choice.store_choice(bundle, choice)
            return choice

        return measure

    refused = PrecisionCheck("bf16", 0.2, 10, 1, "1 of 10 sample images changed verdict")
    monkeypatch.setattr(scorers, "measure_here", measured_with(refused))
    with caplog.at_level(logging.WARNING, logger="miwake.core.scorers"):
        scorer = load_scorer(tiny_bundle, "cpu", "pytorch-bf16")
    assert type(scorer) is Detector and scorer.device.precision == "fp32"  # never switched silently ...
    assert "does not keep this model's verdicts" in caplog.text  # ... and said why

    runtime_choice.forget_choice(tiny_bundle)
    monkeypatch.setattr(scorers, "measure_here", measured_with(None))  # a CPU without bf16 units: never checked
    with caplog.at_level(logging.WARNING, logger="miwake.core.scorers"):
        scorer = load_scorer(tiny_bundle, "cpu", "pytorch-bf16")
    assert type(scorer) is Detector and scorer.device.precision == "fp32"
    assert "has no bf16 units" in caplog.text

    runtime_choice.forget_choice(tiny_bundle)
    monkeypatch.setattr(scorers, "measure_here", measured_with(PrecisionCheck("bf16", 0.004, 10, 0, None)))
    scorer = load_scorer(tiny_bundle, "cpu", "pytorch-bf16")
    assert type(scorer) is Detector and scorer.device.precision == "bf16"
    monkeypatch.setattr(scorers, "measure_here", lambda *a, **k: pytest.fail("the check is kept with the choice"))
    again = load_scorer(tiny_bundle, "cpu", "pytorch-bf16")
    assert isinstance(again, StagedScorer) and again.wait(30)  # ONNX Runtime scores while PyTorch loads
    assert again.device.precision == "bf16"
    assert load_scorer(tiny_bundle, "cpu").device.runtime == "onnxruntime"  # auto follows the measured choice


def test_a_pytorch_choice_starts_on_onnx_runtime_and_gives_the_same_verdicts(tiny_bundle, image_folder, monkeypatch):
    from miwake.core.results import ImageResult
    from miwake.core.scanner import ScanJob

    load_onnx(tiny_bundle)  # the export is cached, as after any earlier scan
    runtime_choice.store_choice(tiny_bundle, Choice("pytorch", runtime_choice.choice_key(tiny_bundle)))
    release = threading.Event()
    real_detector = scorers.Detector

    def slow_pytorch(*a, **k):  # PyTorch takes seconds to load: the scan does not wait for it
        assert release.wait(30)
        return real_detector(*a, **k)

    monkeypatch.setattr(scorers, "Detector", slow_pytorch)
    staged = load_scorer(tiny_bundle, "cpu")
    assert isinstance(staged, StagedScorer) and staged.device.runtime == "onnxruntime"

    def scan() -> dict[str, ImageResult]:
        return {
            ev.path: ev
            for ev in ScanJob([image_folder], staged, evidence_reader=None).events()
            if isinstance(ev, ImageResult)
        }

    first = scan()
    assert staged.first_crops > 0 and staged.final is None
    release.set()
    assert staged.wait(30)
    second = scan()
    assert staged.device.runtime == "pytorch" and "ONNX Runtime fp32 for the first" in staged.device.description
    assert first.keys() == second.keys()
    for path, r in first.items():  # the files both runtimes scored: the same verdicts and probabilities
        assert r.verdict == second[path].verdict and abs(r.probability - second[path].probability) < 1e-5


def test_the_summary_scan_record_and_json_report_say_which_runtime_scored(tmp_path, tiny_bundle, image_folder, capsys):
    from miwake.cli import main
    from miwake.core import paths
    from miwake.core.store import open_store

    assert main(["models", "import", str(tiny_bundle.path)]) == 0
    out = tmp_path / "r.json"
    assert (
        main(["scan", str(image_folder), "-q", "--device", "cpu", "--cpu-runtime", "pytorch", "--json", str(out)]) == 0
    )
    assert "scored on CPU (" in capsys.readouterr().out
    doc = json.loads(out.read_text("utf-8"))
    assert (doc["scan"]["runtime"], doc["scan"]["precision"]) == ("pytorch", "fp32")
    assert doc["scan"]["device"].endswith(", PyTorch fp32")
    store, _ = open_store(paths.store_path())
    assert store is not None
    try:
        assert store.last_scan().device.endswith(", PyTorch fp32")
    finally:
        store.close()
    assert main(["scan", str(image_folder), "-q", "--no-reuse", "--device", "cpu", "--json", str(out)]) == 0
    assert "ONNX Runtime fp32" in capsys.readouterr().out
    assert json.loads(out.read_text("utf-8"))["scan"]["runtime"] == "onnxruntime"


@pytest.mark.measure_runtimes
@pytest.mark.skipif(not cpu_bf16_possible(), reason="this CPU has no bf16 kernels")
def test_on_a_bf16_cpu_bf16_is_measured_after_its_check(tiny_bundle):
    load_scorer(tiny_bundle, "cpu")
    choice = cached_choice(tiny_bundle)
    assert choice is not None and choice.precision_check is not None
    bf16 = next(m for m in choice.measurements if m.candidate == "pytorch-bf16")
    assert (bf16.crops_per_s is not None) == choice.precision_check.passed
