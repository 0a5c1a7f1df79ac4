"""Long jobs in a child process: events as JSON lines, cancel, resume, failures that never reach the app."""

import json
import threading

import pytest

from miwake.training.augment import AugmentConfig
from miwake.training.dataset import Sample, from_manifest
from miwake.training.generate import GenerateConfig
from miwake.training.jobs import EvaluateJob, GenerateJob, JobSpec, ReconstructJob, TrainJob, run_job
from miwake.training.process import JobProcess

from .test_train import config


def run_process(spec, timeout=300, on_event=None):
    events = []

    def handler(ev):
        events.append(ev)
        if on_event:
            on_event(ev, job)

    job = JobProcess(spec, handler)
    job.start()
    assert job.wait(timeout), "job did not finish"
    return job, events


def train_spec(toy_data, out, **kw):
    return TrainJob(config(out, **kw), manifest=str(toy_data / "manifest.csv")).spec()


def test_train_job_cancel_then_resume_in_child_processes(toy_data, tmp_path):
    out = tmp_path / "m"

    def cancel_on_first_step(ev, job):
        if ev.get("event") == "TrainProgress" and ev.get("phase") == "train":
            job.cancel()

    job, events = run_process(train_spec(toy_data, out, epochs=3), on_event=cancel_on_first_step)
    assert job.result["status"] == "cancelled" and job.returncode == 1  # the CLI's "stopped"
    assert (out / "training" / "checkpoint" / "state.json").exists()

    job, events = run_process(train_spec(toy_data, out, epochs=3))
    assert job.result["status"] == "finished" and job.returncode == 0
    assert (out / "model.json").exists()
    steps = [e for e in events if e.get("event") == "TrainProgress" and e.get("phase") == "train"]
    assert steps[0]["step"] > 1 or steps[0]["epoch"] > 1  # resumed, not restarted
    assert any(e.get("event") == "EpochEnd" for e in events)


def test_evaluate_job(toy_data, tmp_path, tiny_bundle):
    spec = EvaluateJob(
        model=str(tiny_bundle.path),
        samples=tuple(from_manifest(toy_data / "manifest.csv")),
        report=str(tmp_path / "r.json"),
        roc=str(tmp_path / "roc.png"),
        jpeg90=False,
    ).spec()
    job, events = run_process(spec)
    assert job.result["status"] == "finished"
    assert (tmp_path / "r.json").exists() and (tmp_path / "roc.png").exists()
    assert any(e.get("event") == "EvalProgress" for e in events)


def test_failures_come_back_as_results(toy_data, tmp_path):
    res = run_job(
        JobSpec(
            "train",
            {
                "config": config(tmp_path / "x", arch="no_such_arch").to_dict(),
                "manifest": str(toy_data / "manifest.csv"),
            },
        ),
        lambda e: None,
        threading.Event(),
    )
    assert res["status"] == "failed" and res["message"]
    spec = JobSpec("evaluate", {"model": "nope", "samples": [], "report": str(tmp_path / "r.json")})
    job, _ = run_process(spec)
    assert (
        job.result["status"] == "failed" and job.result["error_kind"] == "invalid" and job.returncode == 4
    )  # the CLI's "failed"


def test_a_killed_job_reports_a_crash(toy_data, tmp_path):
    def kill_on_first_step(ev, job):
        if ev.get("event") == "TrainProgress" and ev.get("phase") == "train":
            job.kill()

    job, _ = run_process(train_spec(toy_data, tmp_path / "k", epochs=3), on_event=kill_on_first_step)
    assert job.result["status"] == "failed" and job.result["error_kind"] == "crashed"


def _through_json(spec: JobSpec) -> JobSpec:
    """What the child process gets: the spec written as JSON and read back."""
    return JobSpec.from_dict(json.loads(json.dumps(spec.to_dict())))


@pytest.mark.parametrize(
    "make",
    [
        lambda d: TrainJob(
            config(d / "m", augment=AugmentConfig(jpeg_quality=(70, 95)), val_sources=("a", "b")),
            real=("h1", "h2"),
            ai=("g",),
        ),
        lambda d: TrainJob(config(d / "m", augment=AugmentConfig.off()), manifest=str(d / "manifest.csv")),
        lambda d: GenerateJob(GenerateConfig(model="sd15.safetensors", out_dir=d / "gen", count=3, guidance=6.5)),
        lambda d: ReconstructJob(model="sd15.safetensors", real_dir=str(d / "h"), out_dir=str(d / "r"), device="cpu"),
        lambda d: EvaluateJob(
            model="default", samples=(Sample(str(d / "a.png"), 1, "src", "sd15"),), report=str(d / "r.json")
        ),
    ],
)
def test_job_parameters_cross_the_process_boundary_as_the_same_types(tmp_path, make):
    job = make(tmp_path)
    assert type(job).from_params(_through_json(job.spec()).params) == job


def test_a_job_with_an_unknown_or_mistyped_field_is_refused_before_any_work(tmp_path, toy_data):
    good = TrainJob(config(tmp_path / "m"), manifest=str(toy_data / "manifest.csv")).spec()
    typo = JobSpec("train", {**good.params, "config": {**good.params["config"], "epochz": 3}})
    res = run_job(typo, lambda e: None, threading.Event())
    assert res["status"] == "failed" and res["error_kind"] == "invalid" and "epochz" in res["message"]
    mistyped = JobSpec("train", {**good.params, "config": {**good.params["config"], "augment": "yes"}})
    res = run_job(mistyped, lambda e: None, threading.Event())
    assert res["status"] == "failed" and res["error_kind"] == "invalid"
    assert not (tmp_path / "m").exists()


def test_a_required_field_given_null_is_refused_and_a_lenient_read_takes_its_default(tmp_path, toy_data):
    """Issue #25: `training/plain.py` accepted null for a required field before checking its type."""
    from miwake.training.train import TrainConfig, TrainState

    good = TrainJob(config(tmp_path / "m"), manifest=str(toy_data / "manifest.csv")).spec()
    null = JobSpec("train", {**good.params, "config": {**good.params["config"], "epochs": None}})
    res = run_job(null, lambda e: None, threading.Event())
    assert res["status"] == "failed" and res["error_kind"] == "invalid" and "epochs" in res["message"]
    assert TrainConfig.from_dict({"out_dir": "x", "lr": None}).lr is None  # optional: null is fine
    state = TrainState.from_dict(
        {"config": {"out_dir": "x"}, "train": [], "val": [], "skipped": [], "warnings": [], "epoch": None}
    )  # a checkpoint of another version: lenient
    assert state.epoch == 0
