"""`miwake scan --cluster` on a real local Ray cluster (two 1-CPU workers) with the tiny model: the same rows as a
local scan, a worker killed mid-batch, a file that kills every worker, reuse on rescans, Ctrl-C.

Skipped where the `cluster` extra (Ray) is not installed; `make install` installs it.
"""

from __future__ import annotations

import dataclasses
import os
import signal
from pathlib import Path

import pytest

from miwake import cli
from miwake.core import cluster_scan
from miwake.core.cli import EXIT_INTERRUPTED, EXIT_USAGE
from miwake.core.cluster_scan import ClusterOptions, ClusterScanJob
from miwake.core.cluster_worker import ScanWorker
from miwake.core.errors import MissingExtraError
from miwake.core.results import ErrorKind, ImageResult
from miwake.core.scan_events import ScanFinished, ScanProgress
from miwake.core.scan_setup import prepare_scan
from miwake.core.settings import Settings
from miwake.core.store import ResultStore
from tests.helpers import make_hostile_folder, noise_image

ray = pytest.importorskip("ray")

OPTIONS = ClusterOptions("local", workers=2, cpus_per_worker=1, files_per_task=3)


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory):
    """One local Ray cluster for the module (starting one takes seconds). The workers get user folders of their
    own, as a node has: its runtime choice and ONNX export cache are its own."""
    node = tmp_path_factory.mktemp("ray-node")
    env = {var: str(node / sub) for var, sub in (("MIWAKE_CACHE_DIR", "c"), ("MIWAKE_DATA_DIR", "d"))}
    env["MIWAKE_LOG_DIR"] = str(node / "l")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": env})
    yield
    ray.shutdown()


def scan(job) -> tuple[list[ImageResult], ScanFinished, list[ScanProgress]]:
    events = list(job.events())
    summary = events[-1]
    assert isinstance(summary, ScanFinished)
    return (
        [e for e in events if isinstance(e, ImageResult)],
        summary,
        [e for e in events if isinstance(e, ScanProgress)],
    )


def local_rows(folder: Path, bundle) -> dict[str, ImageResult]:
    job = prepare_scan([folder], bundle=bundle, cpu_runtime="onnxruntime", settings=Settings(), store=None)
    rows, _, _ = scan(job)
    return {r.path: r for r in rows}


def same_row(a: ImageResult, b: ImageResult) -> None:
    """Equal but for when it was scanned; scores within 1e-6."""
    for f in dataclasses.fields(ImageResult):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "scanned_at":
            continue
        if f.name in ("probability", "max_crop_probability") and x is not None:
            assert x == pytest.approx(y, abs=1e-6), (a.path, f.name)
        elif f.name == "heatmap" and x is not None:
            assert (x.xs, x.ys) == (y.xs, y.ys)
            for rx, ry in zip(x.probs, y.probs, strict=True):
                assert [v is None for v in rx] == [v is None for v in ry]
                assert [v or 0 for v in rx] == pytest.approx([v or 0 for v in ry], abs=1e-6)
        else:
            assert x == y, (a.path, f.name, x, y)


def dying_worker(poison: str, once_marker: Path | None) -> type[ScanWorker]:
    """A worker whose process dies when it is given `poison` (only the first time, where `once_marker` is given).
    Made in a function so Ray ships the class itself to its workers."""

    class DyingWorker(ScanWorker):
        def scan(self, files: list[str]) -> list[ImageResult]:
            if any(Path(f).name == poison for f in files) and not (once_marker and once_marker.exists()):
                if once_marker:
                    once_marker.touch()
                os._exit(1)
            return super().scan(files)

    return DyingWorker


def test_cluster_rows_are_the_local_rows(ray_cluster, tiny_bundle, tmp_path):
    folder = make_hostile_folder(tmp_path / "h")
    local = local_rows(folder, tiny_bundle)
    with ResultStore(tmp_path / "s.db") as store:
        job = ClusterScanJob([folder], tiny_bundle, OPTIONS, cpu_runtime="onnxruntime", store=store)
        rows, summary, progress = scan(job)
        stored = store.scan_results(summary.scan_id)
    assert summary.failure is None and not summary.cancelled
    assert sorted(r.path for r in rows) == sorted(local)  # one row per file, no more
    for r in rows:
        same_row(r, local[r.path])
    assert summary.errors == sum(1 for r in local.values() if not r.ok) > 0  # errors came back as rows
    assert len(stored) == len(rows)  # the driver wrote the library
    assert summary.runtime == "onnxruntime" and summary.device.startswith("Ray cluster: ")
    assert "x CPU (1 threads), ONNX Runtime fp32" in summary.device  # each worker on the one core it was given
    assert max(p.workers or 0 for p in progress) >= 1


def test_a_worker_killed_mid_batch_loses_nothing(ray_cluster, tiny_bundle, tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(10):
        noise_image(60, 50, i).save(folder / f"{i:02d}.png")
    job = ClusterScanJob(
        [folder],
        tiny_bundle,
        OPTIONS,
        cpu_runtime="onnxruntime",
        worker_class=dying_worker("04.png", tmp_path / "died-once"),
    )
    rows, summary, _ = scan(job)
    assert (tmp_path / "died-once").exists()  # a worker did die holding 04.png's batch
    assert sorted(Path(r.path).name for r in rows) == [f"{i:02d}.png" for i in range(10)]
    assert all(r.ok for r in rows) and summary.scored == 10 and summary.failure is None
    local = local_rows(folder, tiny_bundle)
    for r in rows:
        same_row(r, local[r.path])


def test_a_file_that_kills_every_worker_gets_an_error_row(ray_cluster, tiny_bundle, tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(5):
        noise_image(40, 40, i).save(folder / f"{i}.png")
    job = ClusterScanJob(
        [folder], tiny_bundle, OPTIONS, cpu_runtime="onnxruntime", worker_class=dying_worker("2.png", None)
    )
    rows, summary, _ = scan(job)
    by_name = {Path(r.path).name: r for r in rows}
    assert sorted(by_name) == [f"{i}.png" for i in range(5)]
    bad = by_name["2.png"]
    assert bad.error_kind is ErrorKind.INTERNAL and "stopped 2 times" in (bad.error or "")
    assert all(r.ok for n, r in by_name.items() if n != "2.png")
    assert summary.errors == 1 and summary.failure is None


def test_rescans_reuse_stored_results_without_a_cluster(ray_cluster, tiny_bundle, tmp_path, monkeypatch):
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(4):
        noise_image(50, 50, i).save(folder / f"{i}.png")
    with ResultStore(tmp_path / "s.db") as store:
        first, s1, _ = scan(ClusterScanJob([folder], tiny_bundle, OPTIONS, cpu_runtime="onnxruntime", store=store))
        noise_image(50, 50, 99).save(folder / "new.png")
        job = ClusterScanJob([folder], tiny_bundle, OPTIONS, cpu_runtime="onnxruntime", store=store)
        again, s2, _ = scan(job)
        third = ClusterScanJob([folder], tiny_bundle, OPTIONS, cpu_runtime="onnxruntime", store=store)
        monkeypatch.setattr(third, "_connect", lambda: pytest.fail("a rescan of unchanged files needs no cluster"))
        _, s3, _ = scan(third)
    assert s1.scored == 4 and (s2.reused, s2.scored) == (4, 1) and (s3.reused, s3.scored) == (5, 0)
    assert not third.detector.loaded
    old = {r.path: r for r in first}
    for r in again:
        if r.reused:
            assert r.probability == old[r.path].probability


def test_ctrl_c_stops_the_workers_and_writes_the_reports(ray_cluster, tiny_bundle, tmp_path, monkeypatch, capsys):
    """`miwake scan --cluster local --json …` pressed Ctrl-C after its third row: exit 130, the JSON report holds the
    rows that finished, the library's scan record says cancelled, and no worker is left running."""
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(30):
        noise_image(40, 40, i).save(folder / f"{i:02d}.png")
    from miwake.core import registry

    monkeypatch.setattr(registry.ModelRegistry, "get", lambda self, model_id: tiny_bundle)
    jobs: list[ClusterScanJob] = []
    real_record = cluster_scan.Tally.record

    raised: list[object] = []  # the handler the SIGINT met, for the failure message

    def record_then_interrupt(self, r):
        real_record(self, r)
        if self.done == 3:
            raised.append(signal.getsignal(signal.SIGINT))
            signal.raise_signal(signal.SIGINT)  # as a terminal's Ctrl-C reaches the driver

    monkeypatch.setattr(cluster_scan.Tally, "record", record_then_interrupt)
    real_init = ClusterScanJob.__init__

    def remember(self, *a, **kw):
        real_init(self, *a, **kw)
        jobs.append(self)

    monkeypatch.setattr(ClusterScanJob, "__init__", remember)
    out = tmp_path / "r.json"
    argv = ["scan", str(folder), "--model", "tiny", "--cpu-runtime", "onnxruntime", "--cluster", "local"]
    # as in a terminal: a run that a script started in the background (`make test &`) inherits SIGINT ignored
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = cli.main([*argv, "--cluster-workers", "1", "--cluster-batch", "1", "--json", str(out), "-q"])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert code == EXIT_INTERRUPTED, (
        f"SIGINT raised {len(raised)} time(s), Python's handler then {raised}; jobs {len(jobs)}"
    )
    import json

    report = json.loads(out.read_text(encoding="utf-8"))
    assert 2 <= len(report["results"]) < 30 and report["scan"]["cancelled"] is True
    assert jobs and not jobs[0].worker_handles()  # the workers were killed
    assert "Scan interrupted" in capsys.readouterr().err


def test_cluster_without_ray_says_how_to_install_it(monkeypatch, capsys, tmp_path):
    from miwake.core import extras

    monkeypatch.setattr(extras, "missing", lambda modules: list(modules))
    with pytest.raises(MissingExtraError, match=r"miwake\[cluster\]"):
        cluster_scan.ray_module()
    assert cli.main(["scan", str(tmp_path), "--cluster", "local"]) == EXIT_USAGE
    assert "miwake[cluster]" in capsys.readouterr().err


def test_the_last_batches_are_shared_between_workers(tiny_bundle):
    """40 files found before the workers are ready: not one batch of 32 for one worker and 8 for the other."""
    job = ClusterScanJob(["x"], tiny_bundle, ClusterOptions("local", files_per_task=32))
    job._workers = [cluster_scan._Worker(i, None, None) for i in range(2)]
    files = [f"/f/{i:02d}.png" for i in range(40)]
    job._queue.extend([cluster_scan._Task(files[:32]), cluster_scan._Task(files[32:]), cluster_scan._Task(["r"], 1)])
    job._balance()
    sizes = [len(t.files) for t in job._queue]
    assert sizes == [1, 10, 10, 10, 10]  # the retried file first, then four equal batches (two per worker)
    assert sorted(p for t in job._queue for p in t.files) == sorted([*files, "r"])


class FakeRay:
    """What `_make_plan` asks of Ray: the cluster's resources and its nodes."""

    def __init__(self, nodes: list[dict[str, float]]) -> None:
        self._nodes = nodes

    def cluster_resources(self) -> dict[str, float]:
        total: dict[str, float] = {}
        for n in self._nodes:
            for k, v in n.items():
                total[k] = total.get(k, 0) + v
        return total

    def nodes(self) -> list[dict]:
        return [{"Alive": True, "Resources": n} for n in self._nodes]


@pytest.mark.parametrize(
    ("nodes", "device", "options", "plan"),
    [
        # two GPU nodes of 16 cores and 2 GPUs: a worker per GPU, each with its GPU's share of the cores to decode
        ([{"CPU": 16, "GPU": 2}] * 2, "auto", {}, (4, 8, 1.0, "cuda")),
        # three CPU nodes: a worker per node with all of its cores
        ([{"CPU": 8}] * 3, "auto", {}, (3, 8, 0.0, "cpu")),
        # GPUs, but the user asked for the CPU
        ([{"CPU": 16, "GPU": 2}], "cpu", {}, (1, 16, 0.0, "cpu")),
        # a head node that takes no work (ray start --head --num-cpus 0) is not counted
        ([{"CPU": 0}, {"CPU": 8}, {"CPU": 8}], "auto", {}, (2, 8, 0.0, "cpu")),
        # this 2-core machine, two workers asked for: a core each
        ([{"CPU": 2}], "auto", {"workers": 2}, (2, 1, 0.0, "cpu")),
    ],
)
def test_workers_follow_the_cluster(tiny_bundle, nodes, device, options, plan):
    job = ClusterScanJob(["x"], tiny_bundle, ClusterOptions("auto", **options), device=device)
    job._ray = FakeRay(nodes)
    p = job._make_plan()
    assert (p.workers, p.cpus, p.gpus, p.device) == plan


def test_a_worker_no_node_can_hold_is_refused(tiny_bundle):
    job = ClusterScanJob(["x"], tiny_bundle, ClusterOptions("auto", cpus_per_worker=32))
    job._ray = FakeRay([{"CPU": 8}] * 2)
    with pytest.raises(cluster_scan.ClusterError, match="fits no node"):
        job._make_plan()


def test_cluster_options_without_cluster_are_refused(tmp_path, capsys):
    assert cli.main(["scan", str(tmp_path), "--cluster-workers", "2"]) == EXIT_USAGE
    assert "need --cluster" in capsys.readouterr().err


class FakeRayNothingDone(FakeRay):
    def wait(self, refs, timeout=None):
        return [], refs


def test_only_the_running_batch_is_blamed_for_a_workers_death(tiny_bundle):
    """A worker scans its batches in turn: when it dies, the batch it was running is split and marked, the one
    waiting behind it goes back untouched (an innocent file queued twice behind a bad one gets no error row)."""
    job = ClusterScanJob(["x"], tiny_bundle, OPTIONS)
    job._ray = FakeRayNothingDone([{"CPU": 2}])
    job._plan = cluster_scan._Plan(2, 1, 0.0, "cpu")
    job._started = 100  # no replacement (it would need Ray)
    running, waiting = cluster_scan._Task(["/bad.png"], deaths=1), cluster_scan._Task(["/fine.png"], deaths=1)
    w = cluster_scan._Worker(1, None, None, {"ref-a": running, "ref-b": waiting})
    job._workers = [w]
    rows = job._worker_lost(w, RuntimeError("died"))
    assert [Path(r.path).name for r in rows] == ["bad.png"] and rows[0].error_kind is ErrorKind.INTERNAL
    assert list(job._queue) == [waiting] and waiting.deaths == 1
    batch = cluster_scan._Task(["/a.png", "/b.png"])
    w2 = cluster_scan._Worker(2, None, None, {"ref-c": batch})
    job._workers = [w2]
    assert job._worker_lost(w2, RuntimeError("died")) == []
    assert [(t.files, t.deaths) for t in list(job._queue)[:2]] == [(["/a.png"], 1), (["/b.png"], 1)]


def test_a_file_marked_by_a_death_runs_alone_on_an_idle_worker(tiny_bundle):
    """The fresh-clone flake of 12-07: a worker's answer for a finished batch died with it, the finished batch was
    blamed, and an innocent file was later blamed again while queued beside the bad one. A marked file now runs
    alone on an idle worker with nothing behind it, so its second death is certainly its own."""
    fresh, marked = cluster_scan._Task(["/a.png", "/b.png"]), cluster_scan._Task(["/c.png"], deaths=1)
    idle = cluster_scan._Worker(1, None, None)
    busy = cluster_scan._Worker(2, None, None, {"ref-a": cluster_scan._Task(["/x.png"])})
    holding = cluster_scan._Worker(3, None, None, {"ref-b": marked})
    assert cluster_scan._takes(idle, marked) and not cluster_scan._takes(busy, marked)
    assert cluster_scan._takes(busy, fresh) and not cluster_scan._takes(holding, fresh)
    full = cluster_scan._Worker(4, None, None, {f"ref-{i}": fresh for i in range(cluster_scan.TASKS_PER_WORKER)})
    assert not cluster_scan._takes(full, fresh)
