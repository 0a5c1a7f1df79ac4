"""Quitting the app while a retraining job runs: ask, stop politely (checkpoint), quit; offer to resume later."""

from __future__ import annotations

from pathlib import Path

from miwake.gui.main_window import MainWindow
from miwake.training.jobs import JobSpec
from miwake.training.run_state import RunState, Stage
from tests.gui.conftest import write_images
from tests.training.test_train import config

LONG = 120_000


def _manifest(root: Path) -> Path:
    rows = ["path,label,source"]
    for label, src in (("real", "cam"), ("real", "scan"), ("ai", "gen_a"), ("ai", "gen_b")):
        for p in sorted(write_images(root / src, 6).iterdir()):
            rows.append(f"{p},{label},{src}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root / "manifest.csv"


def test_quitting_during_training_asks_then_stops_with_a_checkpoint(qtbot, window, tmp_path, monkeypatch):
    window.open_retrain_wizard()
    wiz = window.retrain_wizard
    runner = wiz.training_page.runner
    out = tmp_path / "model"
    cfg = config(out, epochs=200, val_sources=("scan", "gen_b"), checkpoint_every_s=1e9).to_dict()
    steps = []
    runner.event_received.connect(lambda ev: steps.append(ev) if ev.get("phase") == "train" else None)
    assert runner.start(JobSpec("train", {"config": cfg, "manifest": str(_manifest(tmp_path / "data"))}))
    qtbot.waitUntil(lambda: bool(steps), timeout=LONG)

    answers = iter([False, True])
    monkeypatch.setattr(window, "ask_quit_with_jobs", lambda: next(answers))
    window.close()  # "Keep working"
    assert window.isVisible() and runner.running
    window.close()  # "Stop the job and quit": deferred until the job has saved its checkpoint
    assert window.isVisible()
    window.close()  # closing again while it stops neither asks again nor cuts the checkpoint short
    assert window.isVisible()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=LONG)
    assert not runner.running
    assert (out / "training" / "checkpoint" / "state.json").exists()


def test_a_later_start_offers_the_unfinished_run(qtbot, tiny_model, tmp_path):
    state = RunState(model_id="my-model", human=[str(tmp_path)])
    state.start()
    state.stage = Stage.TRAINING
    state.save()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.notifications.isVisible(), timeout=10_000)
    assert "my-model" in w.notifications.body.text() and "Retrain" in w.notifications.body.text()
    w.close()


def test_stop_on_windows_asks_through_stdin_and_never_terminates(monkeypatch, tmp_path):
    from miwake.training import process

    class FakeStdin:
        def __init__(self):
            self.lines = []

        def write(self, s):
            self.lines.append(s)

        def flush(self):
            pass

    class FakeProc:
        def __init__(self):
            self.stdin, self.signals, self.pid = FakeStdin(), [], 1

        def send_signal(self, sig):
            self.signals.append(sig)

        def poll(self):
            return None

    job = process.JobProcess(JobSpec("train", {}), lambda ev: None, workdir=tmp_path)
    job._proc = FakeProc()
    monkeypatch.setattr(process.os, "name", "nt")
    try:
        job.cancel(grace_s=3600)
    finally:
        job._done.set()  # ends the reaper thread
    assert job._proc.stdin.lines == ["cancel\n"] and job._proc.signals == []
