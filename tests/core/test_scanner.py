import threading

import pytest

from miwake.core.detector import Detector
from miwake.core.discovery import DiscoveryOptions, discover
from miwake.core.results import ImageResult
from miwake.core.scan_events import ScanFinished, ScanProgress
from miwake.core.scan_options import ScanOptions
from miwake.core.scanner import ScanJob
from miwake.core.store import ResultStore
from tests.helpers import HOSTILE_EXPECTED, make_hostile_folder, noise_image


@pytest.fixture(scope="module")
def detector(tiny_bundle):
    return Detector(tiny_bundle, "cpu")


def noise_folder(d, n, width, height, *, digits=1, first_seed=0, name=None):
    """A folder of `n` noise PNGs (`0.png`, `1.png`... or `00.png`...; one called `name`.png when given)."""
    d.mkdir()
    for i in range(n):
        noise_image(width, height, first_seed + i).save(d / f"{name or str(i).zfill(digits)}.png")
    return d


def collect(job):
    events = list(job.events())
    results = [e for e in events if isinstance(e, ImageResult)]
    return events, results, events[-1]


def test_every_file_yields_exactly_one_result(tmp_path, detector):
    d = make_hostile_folder(tmp_path / "h")
    with ResultStore(tmp_path / "s.db") as store:
        events, results, summary = collect(ScanJob([d], detector, store=store, options=ScanOptions(batch_size=4)))
    assert isinstance(summary, ScanFinished) and not summary.cancelled
    by_name = {str(__import__("pathlib").Path(r.path).relative_to(d)): r for r in results}
    assert sorted(by_name) == sorted(HOSTILE_EXPECTED)  # the loop did not duplicate anything
    assert len(results) == len(HOSTILE_EXPECTED) == summary.total
    for name, kind in HOSTILE_EXPECTED.items():
        r = by_name[name]
        if kind is None:
            assert r.ok and 0.0 <= r.probability <= 1.0 and r.heatmap is not None, name
            assert r.crops == len(r.heatmap.xs) * len(r.heatmap.ys)
        else:
            assert r.error_kind.value == kind and r.probability is None and r.error, name
    assert summary.errors == sum(1 for k in HOSTILE_EXPECTED.values() if k)
    progress = [e for e in events if isinstance(e, ScanProgress)]
    assert progress[-1].done == summary.total and progress[0].done == 0


def test_results_stream_while_scanning(tmp_path, detector):
    d = noise_folder(tmp_path / "many", 30, 64, 64, digits=2)
    job = ScanJob([d], detector, options=ScanOptions(batch_size=4, workers=2))
    it = job.events()
    first = next(e for e in it if isinstance(e, ImageResult))
    assert first.ok  # a result before the scan is over
    rest = list(it)
    assert sum(isinstance(e, ImageResult) for e in rest) == 29


def test_cancel_stops_and_keeps_finished_results(tmp_path, detector):
    d = noise_folder(tmp_path / "many", 60, 64, 64, digits=2)
    cancel = threading.Event()
    with ResultStore(tmp_path / "s.db") as store:
        job = ScanJob([d], detector, store=store, options=ScanOptions(batch_size=2, workers=1), cancel_event=cancel)
        seen = 0
        summary = None
        for ev in job.events():
            if isinstance(ev, ImageResult):
                seen += 1
                if seen == 5:
                    job.cancel()
            elif isinstance(ev, ScanFinished):
                summary = ev
        assert summary.cancelled and summary.total == 60
        assert 5 <= seen < 60
        assert store.count_results(summary.scan_id) == seen
        assert store.scan(summary.scan_id).status == "cancelled"


def test_rescan_reuses_unchanged_and_rescores_changed(tmp_path, detector):
    d = noise_folder(tmp_path / "r", 6, 64, 48)
    with ResultStore(tmp_path / "s.db") as store:
        _, first, s1 = collect(ScanJob([d], detector, store=store))
        assert s1.reused == 0 and s1.scored == 6
        noise_image(64, 48, 99).save(d / "0.png")  # changed content
        _, second, s2 = collect(ScanJob([d], detector, store=store))
        assert s2.reused == 5 and s2.scored == 1
        old = {r.path: r.probability for r in first}
        for r in second:
            if r.reused:
                assert r.probability == old[r.path] and r.heatmap is not None
        _, _, s3 = collect(ScanJob([d], detector, store=store, options=ScanOptions(reuse=False)))
        assert s3.reused == 0 and s3.scored == 6
        # another tiling setting is another result
        _, _, s4 = collect(ScanJob([d], detector, store=store, options=ScanOptions(stride=8)))
        assert s4.reused == 0


def test_copied_file_is_reused_by_content(tmp_path, detector):
    d = noise_folder(tmp_path / "c", 1, 64, 48, first_seed=1, name="a")
    with ResultStore(tmp_path / "s.db") as store:
        collect(ScanJob([d], detector, store=store))
        (d / "copy.png").write_bytes((d / "a.png").read_bytes())
        _, res, s = collect(ScanJob([d], detector, store=store))
        assert s.reused == 2


def test_unsure_band_override(tmp_path, detector):
    d = noise_folder(tmp_path / "u", 1, 64, 64, first_seed=1, name="a")
    _, res, _ = collect(ScanJob([d], detector, options=ScanOptions(unsure_band=(0.0, 0.0))))
    assert res[0].verdict.value == "ai"
    _, res, _ = collect(ScanJob([d], detector, options=ScanOptions(unsure_band=(1.0, 1.0))))
    assert res[0].verdict.value == "human"


def test_resize_mode_one_cell(tmp_path):
    from tests.helpers import make_tiny_bundle

    b = make_tiny_bundle(tmp_path / "rb", mode="resize")
    d = noise_folder(tmp_path / "img", 1, 200, 100, first_seed=1, name="a")
    _, res, _ = collect(ScanJob([d], Detector(b, "cpu")))
    assert res[0].crops == 1 and res[0].heatmap.tile_w == 200 and res[0].heatmap.tile_h == 100


def test_discovery_include_exclude_and_unreadable(tmp_path, monkeypatch):
    d = make_hostile_folder(tmp_path / "h")
    names = {p.name for p in discover([d], DiscoveryOptions(include=("*.png",), exclude=("sub",)))}
    assert "good.png" in names and "good.jpg" not in names and "nested.webp" not in names
    flat = {p.name for p in discover([d], DiscoveryOptions(recursive=False))}
    assert "nested.webp" not in flat and "readme.txt" not in flat

    import os

    real_scandir = os.scandir

    def deny(path):
        if str(path).endswith("deeper"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    errors = []
    found = list(discover([d], on_error=lambda p, m: errors.append(p)))
    assert any(p.endswith("deeper") for p in errors)
    assert len(found) == len(HOSTILE_EXPECTED) - 1


def test_explicit_file_of_any_extension_is_scanned(tmp_path, detector):
    f = tmp_path / "weird.dat"
    noise_image(40, 40).save(f, format="PNG")
    _, res, _ = collect(ScanJob([f], detector))
    assert len(res) == 1 and res[0].ok


def test_a_rescan_of_unchanged_files_imports_no_torch_and_reads_no_weights(tmp_path, tiny_bundle, image_folder):
    """Issue #13: when every file is unchanged, `miwake scan` answers from the store; the model loads lazily."""
    import subprocess
    import sys

    from miwake.cli import main

    assert main(["models", "import", str(tiny_bundle.path)]) == 0
    assert main(["scan", str(image_folder), "-q"]) == 0  # the first scan scores every file
    probe = (
        "import sys; from miwake.cli import main; rc = main(['scan', *sys.argv[1:], '-q']); "
        "print('RESULT', rc, 'torch' in sys.modules, 'safetensors' in sys.modules, 'onnxruntime' in sys.modules)"
    )

    def rescan(*args: str) -> str:
        r = subprocess.run(
            [sys.executable, "-c", probe, str(image_folder), *args], capture_output=True, text=True, timeout=300
        )
        line = next((ln for ln in r.stdout.splitlines() if ln.startswith("RESULT")), r.stdout + r.stderr)
        return line

    assert rescan() == "RESULT 0 False False False"  # nothing changed: no PyTorch, no weights, no runtime
    from tests.helpers import noise_image

    noise_image(80, 80, 99).save(image_folder / "a.png")  # one file changed: the model is needed again ...
    assert rescan() == "RESULT 0 False False True"  # ... its ONNX export (cached by the first scan) scores it
    noise_image(80, 80, 98).save(image_folder / "a.png")
    assert rescan("--cpu-runtime", "pytorch") == "RESULT 0 True True False"


def test_scanning_starts_while_discovery_is_still_finding_files(tmp_path, detector, monkeypatch):
    """Issue #13 item 2: results come before discovery ends; the total grows as files are found."""
    import miwake.core.scan_feed as scan_feed

    d = noise_folder(tmp_path / "imgs", 6, 48, 40)
    first_result = threading.Event()
    real = scan_feed.discover

    def slow_discover(roots, options=None, on_error=None):
        for i, p in enumerate(real(roots, options, on_error)):
            yield p
            if i == 1:  # after two files, discovery waits until the scan has produced a result
                assert first_result.wait(60), "the scan waited for discovery to finish"

    monkeypatch.setattr(scan_feed, "discover", slow_discover)
    totals, discovering_when_first = [], None
    for ev in ScanJob([str(d)], detector).events():
        if isinstance(ev, ScanProgress):
            totals.append(ev.total)
            if ev.done and discovering_when_first is None:
                discovering_when_first = ev.discovering
        elif isinstance(ev, ImageResult):
            first_result.set()
        elif isinstance(ev, ScanFinished):
            assert ev.total == 6
    assert discovering_when_first is True
    assert totals[-1] == 6 and min(t for t in totals if t) < 6  # the total grew while scanning


class _TightGpu:
    """A fake scorer around a real CPU detector: any batch larger than `fits` fails as CUDA does when out of memory."""

    def __init__(
        self, real: Detector, fits: int, message: str = "CUDA out of memory. Tried to allocate 2.00 GiB"
    ) -> None:
        self.real, self.fits, self.message = real, fits, message
        self.bundle, self.requested_device, self.loaded = real.bundle, "cuda", True
        self.device, self.default_batch_size = real.device, 8
        self.batches: list[int] = []

    def preload(self):
        pass

    def logits(self, crops):
        self.batches.append(len(crops))
        assert len(self.batches) < 100, f"the scan retries without end: {self.batches[:20]}"
        if len(crops) > self.fits:
            raise RuntimeError(self.message)
        return self.real.logits(crops)


def test_out_of_memory_halves_the_batch_and_loses_no_crop(tmp_path, detector):
    d = tmp_path / "imgs"
    d.mkdir()
    for i in range(5):  # different widths: crops of several shapes
        noise_image(96 + 16 * i, 80, i).save(d / f"{i}.png")
    opts = ScanOptions(batch_size=8, workers=1)
    _, want, _ = collect(ScanJob([d], detector, options=opts))
    tight = _TightGpu(detector, fits=3)
    _, got, summary = collect(ScanJob([d], tight, options=opts))
    assert summary.errors == 0 and len(got) == len(want) == 5
    by_path = {r.path: r for r in want}
    for r in got:
        assert (
            r.probability == pytest.approx(by_path[r.path].probability, abs=1e-6) and r.crops == by_path[r.path].crops
        )
    first_fit = next(i for i, n in enumerate(tight.batches) if n <= 3)
    assert tight.batches[0] > 3 and all(n <= 3 for n in tight.batches[first_fit:]), (
        tight.batches
    )  # 8 -> 4 -> 2, then stays


def test_other_model_errors_are_not_taken_for_out_of_memory_and_stop_the_scan_with_a_reason(tmp_path, detector):
    """Issue #25: a scorer failure mid-scan ends the scan as failed, with its cause, not with a traceback."""
    d = noise_folder(tmp_path / "imgs", 1, 96, 80, first_seed=1, name="a")
    _, got, summary = collect(
        ScanJob([d], _TightGpu(detector, fits=0, message="shape mismatch"), options=ScanOptions(batch_size=4))
    )
    assert summary.failure and "shape mismatch" in summary.failure and not got
    _, _, summary = collect(ScanJob([d], _TightGpu(detector, fits=0), options=ScanOptions(batch_size=4)))
    assert summary.failure and "out of memory" in summary.failure  # not even one crop fits: nothing left to halve


class _Miscounting(_TightGpu):
    def logits(self, crops):
        return self.real.logits(crops)[:-1]


def test_a_scorer_that_returns_the_wrong_number_of_scores_stops_the_scan(tmp_path, detector):
    d = noise_folder(tmp_path / "imgs", 2, 96, 80, first_seed=1, name="a")
    _, got, summary = collect(ScanJob([d], _Miscounting(detector, fits=99), options=ScanOptions(batch_size=4)))
    assert summary.failure and "scores for" in summary.failure and not got


def test_a_preloaded_model_is_loaded_once_and_a_failed_preload_is_reported_by_the_scan(tiny_bundle, monkeypatch):
    import numpy as np

    from miwake.core import scorers
    from miwake.core.scorers import LazyDetector

    made = []
    real = scorers.load_scorer

    def counting(*a, **k):
        made.append(1)
        return real(*a, **k)

    monkeypatch.setattr(scorers, "load_scorer", counting)
    lazy = LazyDetector(tiny_bundle, "cpu")
    lazy.preload()
    lazy.preload()
    crops = np.zeros((2, tiny_bundle.card.crop_size, tiny_bundle.card.crop_size, 3), np.uint8)
    assert lazy.logits(crops).shape == (2,) and lazy.loaded and made == [1] and lazy.load_seconds is not None

    broken = LazyDetector(tiny_bundle, "cuda:7")  # no such device: the preload fails quietly ...
    broken.preload()
    with pytest.raises(Exception, match="(?i)cuda|device"):  # ... and the scan's own load says why
        broken.logits(crops)


def test_the_first_files_evidence_is_read_while_its_crops_are_scored(tmp_path, detector):
    """Issue #13 item 6: the first result does not wait for evidence reading and the model one after the other."""
    from miwake.core.results import EvidenceItem

    d = noise_folder(tmp_path / "imgs", 3, 64, 48)
    scored = threading.Event()

    class Watched:  # the detector, telling when the model has run
        def __getattr__(self, name):
            return getattr(detector, name)

        def logits(self, crops):
            scored.set()
            return detector.logits(crops)

    model_ran_meanwhile = []

    def reader(path, pixels=None):
        model_ran_meanwhile.append(scored.wait(10))  # read in order, the model could not run: 10 s, then False
        return (EvidenceItem(kind="test", detail=path.name),)

    results = [
        ev
        for ev in ScanJob([str(d)], Watched(), evidence_reader=reader, evidence_version=1).events()
        if isinstance(ev, ImageResult)
    ]
    assert model_ran_meanwhile[0] is True
    assert sorted(r.evidence[0].detail for r in results) == ["0.png", "1.png", "2.png"]  # every file has its own


def test_after_an_evidence_version_change_evidence_is_read_again_in_the_decode_threads(tmp_path, detector):
    """Issue #25: reuse re-read the evidence of every file on the generator thread, one file at a time."""
    from miwake.core.results import EvidenceItem
    from miwake.core.store import ResultStore

    d = noise_folder(tmp_path / "imgs", 4, 64, 48)
    with ResultStore(tmp_path / "s.db") as store:
        collect(ScanJob([str(d)], detector, store=store, evidence_reader=lambda p, pixels=None: (), evidence_version=1))
        threads = []

        def reader(path, pixels=None):
            threads.append(threading.current_thread().name)
            return (EvidenceItem(kind="test", detail=f"v2 {path.name}"),)

        class NoModel:  # the scores are reused: the model must not run
            def __getattr__(self, name):
                return getattr(detector, name)

            def logits(self, crops):
                raise AssertionError("a reused file was scored again")

        _, results, summary = collect(
            ScanJob([str(d)], NoModel(), store=store, evidence_reader=reader, evidence_version=2)
        )
    assert summary.reused == 4 and summary.scored == 0
    assert sorted(r.evidence[0].detail for r in results) == [f"v2 {i}.png" for i in range(4)]
    assert threads and all(t.startswith("miwake-decode") for t in threads), threads
