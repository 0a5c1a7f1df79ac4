"""Long jobs in a child process: events as JSON lines, cancel, resume, failures that never reach the app."""

import threading

from miwake.training.dataset import from_manifest
from miwake.training.jobs import JobSpec, run_job
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
    cfg = config(out, **kw).to_dict()
    return JobSpec("train", {"config": cfg, "manifest": str(toy_data / "manifest.csv")})


def test_train_job_cancel_then_resume_in_child_processes(toy_data, tmp_path):
    out = tmp_path / "m"

    def cancel_on_first_step(ev, job):
        if ev.get("event") == "TrainProgress" and ev.get("phase") == "train":
            job.cancel()

    job, events = run_process(train_spec(toy_data, out, epochs=3), on_event=cancel_on_first_step)
    assert job.result["status"] == "cancelled" and job.returncode == 3
    assert (out / "training" / "checkpoint" / "state.json").exists()

    job, events = run_process(train_spec(toy_data, out, epochs=3))
    assert job.result["status"] == "finished" and job.returncode == 0
    assert (out / "model.json").exists()
    steps = [e for e in events if e.get("event") == "TrainProgress" and e.get("phase") == "train"]
    assert steps[0]["step"] > 1 or steps[0]["epoch"] > 1  # resumed, not restarted
    assert any(e.get("event") == "EpochEnd" for e in events)


def test_evaluate_job(toy_data, tmp_path, tiny_bundle):
    samples = [s.__dict__ for s in from_manifest(toy_data / "manifest.csv")]
    spec = JobSpec("evaluate", {"model": str(tiny_bundle.path), "samples": samples, "report": str(tmp_path / "r.json"),
                                "roc": str(tmp_path / "roc.png"), "jpeg90": False})
    job, events = run_process(spec)
    assert job.result["status"] == "finished"
    assert (tmp_path / "r.json").exists() and (tmp_path / "roc.png").exists()
    assert any(e.get("event") == "EvalProgress" for e in events)


def test_failures_come_back_as_results(toy_data, tmp_path):
    res = run_job(JobSpec("train", {"config": config(tmp_path / "x", arch="no_such_arch").to_dict(),
                                     "manifest": str(toy_data / "manifest.csv")}), lambda e: None, threading.Event())
    assert res["status"] == "failed" and res["message"]
    spec = JobSpec("evaluate", {"model": "nope", "samples": [], "report": str(tmp_path / "r.json")})
    job, _ = run_process(spec)
    assert job.result["status"] == "failed" and job.result["error_kind"] == "invalid" and job.returncode == 1


def test_a_killed_job_reports_a_crash(toy_data, tmp_path):
    def kill_on_first_step(ev, job):
        if ev.get("event") == "TrainProgress" and ev.get("phase") == "train":
            job.kill()

    job, _ = run_process(train_spec(toy_data, tmp_path / "k", epochs=3), on_event=kill_on_first_step)
    assert job.result["status"] == "failed" and job.result["error_kind"] == "crashed"
