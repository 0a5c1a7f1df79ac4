"""`miwake scan --cluster`: the same scan spread over the workers of a Ray cluster (the optional `miwake[cluster]`).

The driver (this module, on the user's machine) finds the files, answers unchanged ones from the result library
exactly as a local scan does, and sends the rest in batches to workers (`core.cluster_worker.ScanWorker`, one Ray
actor per GPU, or per node on a CPU cluster) that each load the model once and scan their batch with the local
scan's own code. The driver alone writes the result library, and the CLI writes the reports and heatmaps from
the rows it is given: a cluster scan's rows are a local scan's rows.

Faults: a worker that dies (a node lost, a process killed) loses nothing. Its batches go back to the queue, split
into single files, and a new worker takes its place; a file that stops a worker `MAX_WORKER_DEATHS` times gets an
error row instead of stopping more. Every file gets exactly one row. A worker whose model cannot load or run
stops the scan with that message (every worker would fail the same way). Cancelling (Ctrl-C) kills the workers,
and the summary and reports still come for what finished.

The files must be on storage every node sees under the same path (a shared mount): the driver sends paths,
not pixels. Nothing else in Miwake imports Ray; `ray_module` says how to install it where it is missing.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import extras
from .bundle import Bundle, write_archive
from .cluster_worker import ScanWorker, WorkerFailed, WorkerSpec
from .devices import DeviceInfo
from .errors import MiwakeError, StoreError
from .evidence import EVIDENCE_VERSION
from .results import ErrorKind, ImageResult, Verdict
from .scan_events import ScanEvent, ScanProgress
from .scan_feed import FileFeed
from .scan_options import ScanOptions
from .scan_tally import Rate, Tally, finished, progress
from .scoring import decide
from .store import ResultStore
from .timefmt import utc_now

log = logging.getLogger(__name__)

MAX_WORKER_DEATHS = 2  # a file whose worker died this many times gets an error row instead of a third try
TASKS_PER_WORKER = 2  # batches sent ahead to each worker, so it starts the next as soon as one ends


class ClusterError(MiwakeError):
    """The cluster cannot be used: the address does not answer, or every worker was lost."""


def ray_module() -> Any:
    """Ray, or a `MissingExtraError` that says how to install it (`pip install "miwake[cluster]"`)."""
    extras.require(extras.CLUSTER, "A cluster scan (--cluster)", extra="cluster")
    import ray

    return ray


@dataclass(frozen=True)
class ClusterOptions:
    """Where the cluster is and how to use it."""

    address: str = "local"  # local (a cluster on this machine) | auto (the running one) | ray://host:10001 | host:port
    workers: int | None = None  # None: one per GPU where the cluster has GPUs, else one per node
    cpus_per_worker: int | None = None  # None: a CPU worker gets its share of the smallest node's cores
    files_per_task: int = 32  # files per batch sent to a worker (its results come back together)


@dataclass
class _Task:
    files: list[str]
    deaths: int = 0  # workers that died while holding it


@dataclass
class _Worker:
    number: int
    handle: Any
    ready_ref: Any | None  # the model loading; None once it answered
    tasks: dict[Any, _Task] = field(default_factory=dict)  # Ray ObjectRef -> the batch it scans


@dataclass(frozen=True)
class _Plan:
    workers: int
    cpus: int
    gpus: float
    device: str


class ClusterModel:
    """The model as the CLI sees it during a cluster scan (`requested_device`, `loaded`, `device`): it is loaded in
    the workers, not here."""

    def __init__(self, bundle: Bundle, device: str) -> None:
        self.bundle = bundle
        self.requested_device = device
        self.descriptions: dict[str, int] = {}  # what each ready worker scores with -> how many workers
        self.runtime = self.precision = ""

    @property
    def loaded(self) -> bool:
        return bool(self.descriptions)

    @property
    def device(self) -> DeviceInfo:
        what = "; ".join(f"{n} x {d}" for d, n in sorted(self.descriptions.items())) or "no worker ready"
        return DeviceInfo("cluster", f"Ray cluster: {what}", "", runtime="")  # `what` names runtime and precision


class ClusterScanJob:
    """A scan of `roots` on a Ray cluster, driven like `ScanJob`: iterate `events()` once; `cancel()` from any
    thread. `worker_class` is what each Ray actor runs (tests pass one that fails on purpose)."""

    def __init__(
        self,
        roots: Sequence[str | os.PathLike[str]],
        bundle: Bundle,
        cluster: ClusterOptions,
        *,
        device: str = "auto",
        cpu_runtime: str = "auto",
        options: ScanOptions | None = None,
        store: ResultStore | None = None,
        evidence: bool = True,
        worker_class: type[ScanWorker] | None = None,
    ) -> None:
        self.roots = [str(r) for r in roots]
        self.bundle = bundle
        self.cluster = cluster
        self.detector = ClusterModel(bundle, device)
        self.cpu_runtime = cpu_runtime
        self.options = options or ScanOptions()
        self.store = store
        self.evidence = evidence
        self.worker_class = worker_class or ScanWorker
        self._cancel = threading.Event()
        self._skipped: list[str] = []
        self._workers: list[_Worker] = []
        self._queue: deque[_Task] = deque()
        self._started = 0  # workers started, replacements included
        self._lost = 0
        self._plan: _Plan | None = None
        self._archive_ref: Any = None
        self._spec: WorkerSpec | None = None
        self._ray: Any = None
        self._owns_ray = False

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def workers_ready(self) -> int:
        return sum(1 for w in self._workers if w.ready_ref is None)

    def worker_handles(self) -> list[Any]:
        """The Ray actors scanning now (for tools that watch or stop them)."""
        return [w.handle for w in self._workers]

    # -- the cluster ------------------------------------------------------------------------------------------
    def _connect(self) -> None:
        ray = self._ray = ray_module()
        if ray.is_initialized():  # the caller connected already (a script, the tests): theirs to shut down
            return
        address = self.cluster.address
        kwargs: dict[str, Any] = dict(logging_level=logging.WARNING, log_to_driver=False)
        try:
            if address == "local":
                ray.init(address="local", num_cpus=os.cpu_count() or 1, include_dashboard=False, **kwargs)
            else:
                ray.init(address=address, **kwargs)
        except Exception as e:  # ConnectionError, ValueError for a bad address, RuntimeError…
            raise ClusterError(f"cannot reach the Ray cluster at {address!r}: {e}") from e
        self._owns_ray = True

    def _make_plan(self) -> _Plan:
        ray = self._ray
        total = ray.cluster_resources()
        # nodes that can hold a worker (a head node started with --num-cpus 0 takes none)
        nodes = [n for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU", 0) > 0]
        gpus = int(total.get("GPU", 0))
        device = self.detector.requested_device
        cpus_of = [int(node.get("Resources", {}).get("CPU", 0)) for node in nodes]
        smallest, largest = min(cpus_of, default=1), max(cpus_of, default=0)
        gpu = bool(gpus) and (device == "auto" or device.startswith("cuda"))
        n = self.cluster.workers or (gpus if gpu else max(1, len(nodes)))
        per_node = -(-n // max(1, len(nodes)))  # workers per node, rounded up
        share = max(1, smallest // per_node)
        if gpu:  # the GPU outruns the decoders: a GPU worker gets its share of the node's cores to decode with
            cpus = self.cluster.cpus_per_worker or share
            return _Plan(n, cpus, 1.0 if n <= gpus else gpus / n, "cuda" if device == "auto" else device)
        cpus = self.cluster.cpus_per_worker or share
        if cpus > largest:
            raise ClusterError(
                f"a worker of {cpus} CPUs fits no node (the largest has {largest}): lower --cluster-cpus"
            )
        if n * cpus > int(total.get("CPU", 0)):
            log.warning("%d workers of %d CPUs do not all fit the cluster's %d CPUs: some wait", n, cpus, total["CPU"])
        return _Plan(n, cpus, 0.0, "cpu" if device == "auto" else device)

    def _start_workers(self) -> None:
        self._plan = self._make_plan()
        with tempfile.TemporaryDirectory(prefix="miwake-cluster-") as tmp:
            archive = write_archive(self.bundle, Path(tmp) / "model")
            self._archive_ref = self._ray.put(archive.read_bytes())
        self._spec = WorkerSpec(
            device=self._plan.device,
            cpu_runtime=self.cpu_runtime,
            options=self.options,
            evidence=self.evidence,
            threads=self._plan.cpus,
        )
        for _ in range(self._plan.workers):
            self._add_worker()
        log.info("Cluster scan: %d workers, %d CPUs each, %s", self._plan.workers, self._plan.cpus, self._plan.device)

    def _add_worker(self) -> None:
        assert self._plan is not None
        actor = self._ray.remote(self.worker_class).options(
            num_cpus=self._plan.cpus, num_gpus=self._plan.gpus, max_restarts=0, max_concurrency=1
        )
        handle = actor.remote(self._archive_ref, self._spec)
        self._started += 1
        self._workers.append(_Worker(self._started, handle, handle.ready.remote()))

    def _stop_workers(self) -> None:
        if self._ray is None:
            return
        for w in self._workers:
            try:
                self._ray.kill(w.handle)
            except Exception:  # already gone
                log.debug("Could not kill worker %d", w.number, exc_info=True)
        self._workers.clear()
        if self._owns_ray:
            self._ray.shutdown()
            self._owns_ray = False

    # -- the scan ---------------------------------------------------------------------------------------------
    def events(self) -> Iterator[ScanEvent]:
        """Progress, one result per file as it comes back, then the summary (as `ScanJob.events`)."""
        t_start = time.monotonic()
        opts = self.options
        settings_key = opts.settings_key(self.bundle)
        evidence_version = EVIDENCE_VERSION if self.evidence else 0
        store = self.store
        scan_id = None
        if store is not None:
            store.prune(keep_days=opts.library_keep_days)
            scan_id = store.begin_scan(
                self.roots, self.bundle.id, self.bundle.key, settings_key, f"Ray cluster ({self.cluster.address})"
            )
        found = FileFeed(self.roots, opts.discovery, self._cancel, lambda p, m: self._skipped.append(f"{p}: {m}"))
        tally = Tally(store, scan_id, self.bundle.key, settings_key, evidence_version, opts.commit_every)
        rate = Rate()
        rate.add(t_start, 0)
        run = _Feed(found, settings_key, evidence_version)
        status, failure = "failed", None
        try:
            yield progress(tally, found, rate, workers=0)
            while not self._cancel.is_set():
                for r in self._take_files(run):
                    yield from self._emit(r, tally, found, rate)
                if self._queue and self._plan is None:  # the first file to score: a rescan needs no cluster
                    self._connect()
                    self._start_workers()
                self._dispatch(run)
                if run.exhausted and not run.batch and not self._queue and not self._busy():
                    break
                for r in self._wait(found):
                    yield from self._emit(r, tally, found, rate)
            status = "cancelled" if self._cancel.is_set() else "finished"
        except GeneratorExit:
            self._cancel.set()
            status = "cancelled"
            raise
        except KeyboardInterrupt:
            self._cancel.set()
            status = "cancelled"
        except (StoreError, ClusterError, WorkerFailed) as e:
            self._cancel.set()
            failure = str(e)
            log.error("The cluster scan stopped: %s", e)
        finally:
            found.stop()
            self._stop_workers()
            tally.close(status, found.count, self.detector.device.description)
        yield finished(
            tally,
            scan_id,
            found.count,
            t_start,
            cancelled=status == "cancelled",
            model_id=self.bundle.id,
            device=self.detector.device.description,
            runtime=self.detector.runtime,
            precision=self.detector.precision,
            skipped_folders=tuple(self._skipped),
            unsure_band=self._band,
            band_from_settings=opts.unsure_band is not None,
            failure=failure,
        )

    @property
    def _band(self) -> tuple[float, float]:
        return self.options.unsure_band or self.bundle.card.unsure_band

    def _emit(self, r: ImageResult, tally: Tally, found: FileFeed, rate: Rate) -> Iterator[ScanProgress | ImageResult]:
        """One row. Exactly one per file: a batch's rows come back together or not at all, and a batch goes back to
        the queue only when its rows did not come."""
        tally.record(r)
        yield r
        yield progress(tally, found, rate, r.path, workers=self.workers_ready)

    def _busy(self) -> bool:
        return any(w.tasks for w in self._workers)

    def _take_files(self, run: _Feed) -> Iterator[ImageResult]:
        """Files from discovery: unchanged ones answered from the result library, the rest into batches (as many as
        keep every worker busy; discovery keeps the others)."""
        limit = TASKS_PER_WORKER * max(1, len(self._workers)) + 1
        size = max(1, self.cluster.files_per_task)
        while not run.exhausted and len(self._queue) < limit and not self._cancel.is_set():
            path = run.found.next()
            if path is None:
                run.exhausted = run.found.finished and not run.found.pending
                break
            reused = self._stored(path, run)
            if reused is not None:
                yield reused
                continue
            run.batch.append(str(path))
            if len(run.batch) >= size:
                self._queue.append(_Task(run.batch))
                run.batch = []
        idle = any(w.ready_ref is None and len(w.tasks) < TASKS_PER_WORKER for w in self._workers)
        if run.batch and (run.exhausted or (idle and not self._queue)):  # no worker waits for a full batch
            self._queue.append(_Task(run.batch))
            run.batch = []

    def _stored(self, path: Path, run: _Feed) -> ImageResult | None:
        """The stored result of an unchanged file (the local scan's rule); one whose evidence was read by another
        reader version is scanned again (a local scan re-reads only the evidence)."""
        if self.store is None or not self.options.reuse:
            return None
        try:
            st = path.stat()
        except OSError:
            return None
        if not st.st_size:
            return None
        hit = self.store.lookup(str(path), st.st_size, st.st_mtime_ns, self.bundle.key, run.settings_key)
        if hit is None or (self.evidence and hit[1] != run.evidence_version):
            return None
        return decide(hit[0].with_(reused=True), self._band)

    def _dispatch(self, run: _Feed) -> None:
        if run.exhausted:
            self._balance()
        for w in self._workers:
            while w.ready_ref is None and self._queue and _takes(w, self._queue[0]):
                task = self._queue.popleft()
                w.tasks[w.handle.scan.remote(task.files)] = task

    def _balance(self) -> None:
        """Once every file is found, the batches still waiting are cut into equal ones, at least one for each place
        a worker has (`TASKS_PER_WORKER`): a folder of 40 files is not one batch of 32 for one worker and 8 for the
        other, and the last files of an archive are shared too. Retried single files stay as they are."""
        places = TASKS_PER_WORKER * max(1, len(self._workers))
        fresh = [t for t in self._queue if not t.deaths]
        if len(fresh) >= places or len(fresh) == sum(len(t.files) for t in fresh):
            return
        files = [p for t in fresh for p in t.files]
        parts = min(places, len(files))
        retried = [t for t in self._queue if t.deaths]
        self._queue = deque(retried + [_Task(files[i::parts]) for i in range(parts)])

    def _wait(self, found: FileFeed) -> list[ImageResult]:
        """Wait briefly for a worker to answer; the rows that came back."""
        refs = [w.ready_ref for w in self._workers if w.ready_ref is not None]
        refs += [ref for w in self._workers for ref in w.tasks]
        if not refs:
            if self._queue and not self._workers:
                raise ClusterError(f"every worker stopped ({self._lost} lost)")
            found.wait(0.05)
            return []
        done, _ = self._ray.wait(refs, num_returns=1, timeout=0.25)
        rows: list[ImageResult] = []
        for ref in done:
            w = next((w for w in self._workers if ref == w.ready_ref or ref in w.tasks), None)
            if w is not None:
                rows += self._answer(w, ref)
        return rows

    def _answer(self, w: _Worker, ref: Any) -> list[ImageResult]:
        """What a worker's finished call means: the model is ready, a batch's rows, or the worker is gone."""
        ray = self._ray
        try:
            value = ray.get(ref)
        except ray.exceptions.RayActorError as e:
            return self._worker_lost(w, e)
        except ray.exceptions.RayTaskError as e:  # the worker's own error: its model, not one file
            if self._cancel.is_set() or isinstance(e.cause, KeyboardInterrupt):
                raise KeyboardInterrupt from e  # a terminal's Ctrl-C reached the workers too: a cancel
            cause = e.cause if isinstance(e.cause, Exception) else e
            raise WorkerFailed(str(cause)) from e
        if w.ready_ref is not None and ref == w.ready_ref:
            w.ready_ref = None
            self._worker_ready(value)
            return []
        return self._rows(w.tasks.pop(ref), value)

    def _rows(self, task: _Task, value: list[ImageResult]) -> list[ImageResult]:
        """A batch's rows, and an error row for any file of it the worker did not answer (there should be none)."""
        rows = list(value)
        missing = set(task.files) - {r.path for r in rows}
        return rows + [self._error_row(p, "the worker returned no result for this file") for p in sorted(missing)]

    def _worker_ready(self, device: DeviceInfo) -> None:
        d = self.detector
        d.descriptions[device.description] = d.descriptions.get(device.description, 0) + 1
        if not d.runtime:  # the summary's runtime and precision: the first worker's (the nodes may differ)
            d.runtime, d.precision = device.runtime, device.precision

    def _worker_lost(self, w: _Worker, why: Exception) -> list[ImageResult]:
        """A worker died, and another takes its place. Its oldest unanswered batch is taken for the one it was
        running (a worker scans its batches one after the other); the others were waiting and go back to the queue
        as they were. The running one goes back as single files, each marked with the death, so one bad file cannot
        take a batch down with it twice; a file that was alone with a dying worker `MAX_WORKER_DEATHS` times gets an
        error row (the rows returned, with those of batches it finished before it died).

        The oldest unanswered batch may be one the worker had finished, whose answer died with the process (under
        load, an exit can beat the reply): its files are marked though innocent. That costs them little — a
        marked file only ever runs alone on an idle worker (`_takes`), so a second death while it runs is its own
        (short of the worker dying of something else in that moment)."""
        self._workers.remove(w)
        self._lost += 1
        log.warning(
            "Cluster worker %d stopped (%s); %d batches go to others", w.number, type(why).__name__, len(w.tasks)
        )
        rows: list[ImageResult] = []
        for ref in list(w.tasks):  # a batch it finished before it died still counts
            done, _ = self._ray.wait([ref], timeout=0)
            if done:
                try:
                    value = self._ray.get(ref)
                except Exception:  # lost with the worker
                    continue
                rows += self._rows(w.tasks.pop(ref), value)
        if w.tasks:
            running, *waiting = w.tasks.values()
            self._queue.extendleft(reversed(waiting))
            deaths = running.deaths + 1
            if len(running.files) == 1 and deaths >= MAX_WORKER_DEATHS:
                why_row = f"the cluster worker scanning this file stopped {deaths} times; it was not tried again"
                rows.append(self._error_row(running.files[0], why_row))
            else:
                self._queue.extendleft(_Task([p], deaths) for p in reversed(running.files))
        w.tasks.clear()
        assert self._plan is not None
        if self._started < 3 * self._plan.workers + 2:  # replacements, within reason
            self._add_worker()
        return rows

    def _error_row(self, path: str, why: str) -> ImageResult:
        try:
            st = os.stat(path)
            size, mtime_ns = st.st_size, st.st_mtime_ns
        except OSError:
            size = mtime_ns = 0
        return ImageResult(
            path=path,
            size=size,
            mtime_ns=mtime_ns,
            model_id=self.bundle.id,
            verdict=Verdict.ERROR,
            error_kind=ErrorKind.INTERNAL,
            error=why,
            scanned_at=utc_now(),
        )


def _takes(w: _Worker, task: _Task) -> bool:
    """Whether worker `w` takes `task` now: up to `TASKS_PER_WORKER` batches, but a file marked by a death goes to
    a worker with nothing else in flight, and nothing is sent behind it — if that worker dies too, it was that file
    (not a batch it had finished whose answer was lost with the process, nor one waiting behind)."""
    if any(t.deaths for t in w.tasks.values()):
        return False
    return not w.tasks if task.deaths else len(w.tasks) < TASKS_PER_WORKER


@dataclass
class _Feed:
    """Discovery and the batch being filled."""

    found: FileFeed
    settings_key: str
    evidence_version: int
    batch: list[str] = field(default_factory=list)
    exhausted: bool = False
