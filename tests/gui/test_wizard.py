"""The retraining wizard end to end, with a tiny Stable Diffusion pipeline and a tiny timm model (no network).

The walk-through visits every page: it generates a few 64 x 64 images (stopped half-way, the wizard closed and
reopened, the run continued without redoing finished images), reconstructs the human-made images, measures the
training speed, trains (stopped after the first step, then resumed from the checkpoint), compares with the
previously active model and installs the result. Failures show advice, not tracebacks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from miwake.core.model_choice import active_model_id
from miwake.core.registry import ModelRegistry
from miwake.gui.dialogs.models_dialog import ModelsDialog
from miwake.gui.wizard import RetrainWizard
from miwake.training.run_state import GenerationSettings, RunState, Stage, TrainSettings, unfinished_runs
from tests.gui.conftest import write_images
from tests.helpers import TINY_ARCH, make_tiny_bundle

pytest.importorskip("diffusers")
pytest.importorskip("transformers")

from tests.training.test_generate import build_tiny_sd

pytestmark = pytest.mark.usefixtures("close_wizard_without_asking")  # the wizard closes with jobs running

LONG = 180_000


@pytest.fixture(scope="session")
def tiny_sd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_sd(tmp_path_factory.mktemp("sd") / "tiny-sd")


@pytest.fixture
def human(tmp_path: Path) -> Path:
    """Human-made images in two sources (sub-folders)."""
    root = tmp_path / "my work"
    write_images(root / "sketches", 6)
    write_images(root / "paintings", 5, size=(80, 72))
    return root


def _open(window) -> RetrainWizard:
    window.actions.retrain.trigger()
    wiz = window.retrain_wizard
    assert isinstance(wiz, RetrainWizard) and wiz.isVisible()
    return wiz


def _wait_idle(qtbot, runner, timeout: int = LONG) -> None:
    qtbot.waitUntil(lambda: not runner.running, timeout=timeout)


def test_walk_through_every_page(qtbot, window, tiny_sd, human, capsys):
    wiz = _open(window)
    try:
        # 1. goal: a new model, its name checked against the installed ids
        goal = wiz.goal_page
        goal.new.setChecked(True)
        goal.name.clear()
        qtbot.keyClicks(goal.name, "tiny")
        assert not wiz.next_button.isEnabled() and "already installed" in goal.message.text()
        goal.name.clear()
        qtbot.keyClicks(goal.name, "my model")
        assert not wiz.next_button.isEnabled()
        goal.name.clear()
        qtbot.keyClicks(goal.name, "mine")
        assert wiz.go_next() and wiz.index == 1

        # 2. human-made images: counts, sources, warnings, previews
        hp = wiz.human_page
        hp.add_folder(str(human))
        qtbot.waitUntil(hp.is_complete, timeout=30_000)
        assert "11 images in 2 source" in hp.summary.text()
        assert hp.sources.topLevelItemCount() == 2
        warnings = hp.warnings.text()
        assert "Only 11 images" in warnings and "smaller than the crop size (256" in warnings
        assert hp.preview.count() == 11
        assert wiz.go_next() and wiz.index == 2

        # 3. AI images: generate + reconstruct with the tiny pipeline (a local diffusers folder)
        ai = wiz.ai_page
        ai.generate_box.setChecked(False)
        ai.reconstruct.setChecked(False)
        assert not ai.is_complete()
        ai.generate_box.setChecked(True)
        ai.reconstruct.setChecked(True)
        ai.model.setCurrentText(str(tiny_sd))
        sd = ai.sd
        sd.count.setValue(6)
        sd.size.setCurrentIndex(sd.size.findData("custom"))
        sd.width_spin.setValue(64)
        sd.height_spin.setValue(64)
        sd.steps.setValue(2)
        sd.device.setCurrentIndex(sd.device.findData("cpu"))
        assert wiz.go_next() and wiz.index == 3

        # 4. generation starts by itself; stop it after the first image
        gen = wiz.generation_page
        state = wiz.state
        assert state.run_id and (state.folder / "run.json").is_file()
        qtbot.waitUntil(lambda: gen.strip.count() >= 1, timeout=LONG)
        gen.stop()
        _wait_idle(qtbot, gen.runner)
        assert gen.continue_button.isVisibleTo(gen) and "Stopped" in gen.message.text()
        first = {p.name: p.stat().st_mtime_ns for p in state.generated_dir.glob("gen_*.png")}
        assert 1 <= len(first) < 6

        # close the wizard (like closing the app) and reopen it: it offers to continue the run
        wiz.close()
        qtbot.waitUntil(lambda: window.retrain_wizard is None, timeout=10_000)
        assert [r.run_id for r in unfinished_runs()] == [state.run_id]
        wiz = _open(window)
        assert wiz.goal_page.resume_box.isVisibleTo(wiz.goal_page)
        assert "mine" in wiz.goal_page.resume_label.text()
        wiz.goal_page.resume_button.click()
        assert wiz.index == 3
        gen = wiz.generation_page
        qtbot.waitUntil(gen.is_complete, timeout=LONG)
        state = wiz.state
        pngs = sorted(state.generated_dir.glob("gen_*.png"))
        assert len(pngs) == 6
        assert {n: (state.generated_dir / n).stat().st_mtime_ns for n in first} == first  # not made again
        assert gen._summaries["generate"]["skipped"] == len(first)
        assert gen._summaries["generate"]["generated"] == 6 - len(first)
        assert len(list(state.reconstructed_dir(0).glob("*.png"))) == 11
        assert state.stage is Stage.GENERATED and gen.latest.pixmap() is not None

        # 5. training settings: any timm name, a small crop; a measured estimate
        state.train = TrainSettings(arch=TINY_ARCH, init="random", crop=32, epochs=3, batch=4, workers=0)
        assert wiz.go_next() and wiz.index == 4
        sp = wiz.settings_page
        assert sp.arch.currentText() == TINY_ARCH and sp.crop.value() == 32
        qtbot.waitUntil(sp.measure_button.isEnabled, timeout=30_000)  # the images are counted
        qtbot.wait(200)
        assert not sp.bench.running and "press Measure" not in sp.estimate_label.text()  # nothing starts unasked
        assert "Measure times a few training steps" in sp.estimate_label.text()
        sp.measure_button.click()
        qtbot.waitUntil(lambda: sp._per_step is not None, timeout=LONG)
        assert "Estimated training time" in sp.estimate_label.text()
        assert "11 human-made images (2 sources) and 17 AI images" in sp.data.text()
        assert "CPU" in sp.device_message.text()
        sp.epochs.setValue(2)  # scales the estimate, no new measurement
        assert "2 epochs" in sp.estimate_label.text()
        sp.epochs.setValue(3)
        qtbot.waitUntil(lambda: not sp.bench.running, timeout=30_000)
        assert not list(state.folder.glob("benchmark-*"))  # the measurement leaves nothing behind

        # 6. training starts by itself; stop after the first step, then continue from the checkpoint
        assert wiz.go_next() and wiz.index == 5
        tp = wiz.training_page
        qtbot.waitUntil(lambda: bool(tp.first_steps), timeout=LONG)
        tp.stop()
        _wait_idle(qtbot, tp.runner)
        assert tp._status == "stopped" and tp.has_checkpoint() and not wiz.back_button.isEnabled()
        stopped_run = RunState.load(state.folder)
        assert stopped_run.stage is Stage.TRAINING
        tp.continue_button.click()
        qtbot.waitUntil(tp.is_complete, timeout=LONG)
        assert len(tp.first_steps) == 2 and tp.first_steps[1] > tp.first_steps[0]  # resumed, not restarted
        assert tp.loss.points and tp.auc.points
        assert state.stage is Stage.TRAINED and Path(state.bundle_path, "model.json").is_file()

        # 7. results: beside the previous model (tiny) on the same validation images; then install and use
        assert wiz.go_next() and wiz.index == 6
        rp = wiz.results_page
        qtbot.waitUntil(lambda: rp._compare == "done", timeout=LONG)
        assert rp.table.value(0, "auc") not in ("", "–") and rp.table.value(1, "auc") not in ("", "–")
        assert rp.table.value(0, "n") == rp.table.value(1, "n")
        assert rp.new_series.points and rp.old_series.points
        assert active_model_id() == "tiny" and "mine" not in {b.id for b in ModelRegistry().list()}
        rp.install_use_button.click()
        qtbot.waitUntil(lambda: wiz.state.stage is Stage.INSTALLED, timeout=30_000)
        assert active_model_id() == "mine" and window.active_model_id == "mine"
        assert "mine" in window.model_label.text()
        assert not rp.install_button.isEnabled() and not rp.discard_button.isEnabled()
        dlg = ModelsDialog(window)
        qtbot.addWidget(dlg)
        assert dlg.select_model("mine")
        from miwake.cli import main

        capsys.readouterr()
        assert main(["models", "list"]) == 0
        assert "mine" in capsys.readouterr().out
        # the generated images stay until the user deletes them
        assert state.generated_dir.is_dir()
        rp.delete_images(confirm=False)
        assert not state.generated_dir.exists() and not state.reconstructed_root.exists()
        assert unfinished_runs() == []
        assert wiz.go_next()  # Finish closes
    finally:
        if window.retrain_wizard is not None:
            window.retrain_wizard.shutdown()


def _run(tmp_path: Path, human: Path, **gen) -> RunState:
    return RunState(model_id="x", human=[str(human)], gen=GenerationSettings(**{"enabled": True, **gen}))


def test_a_failed_generation_shows_advice(qtbot, tiny_model, human, tmp_path):
    not_a_model = tmp_path / "not-a-model"
    not_a_model.mkdir()
    wiz = RetrainWizard()
    qtbot.addWidget(wiz)
    try:
        state = _run(tmp_path, human, model=str(not_a_model), count=1, width=64, height=64, steps=1, device="cpu")
        state.start()
        state.stage = Stage.GENERATING
        wiz.continue_run(state)
        gen = wiz.generation_page
        assert wiz.index == 3 and gen.runner.running
        _wait_idle(qtbot, gen.runner, 60_000)
        assert gen._last_result["error_kind"] == "model_files"
        text = gen.message.text()
        assert "model files are missing" in text and "model_index.json" in text and "Traceback" not in text
        assert gen.continue_button.isVisibleTo(gen) and not wiz.next_button.isEnabled()
        assert wiz.back_button.isEnabled()  # nothing made yet: the model can be chosen again
        assert wiz.go_back() and wiz.index == 2
    finally:
        wiz.shutdown()


def test_out_of_memory_offers_smaller_settings(qtbot, tiny_model, human, tmp_path, monkeypatch):
    wiz = RetrainWizard()
    qtbot.addWidget(wiz)
    wiz.state = _run(tmp_path, human, model="owner/model")
    wiz.state.start()
    oom = {"event": "JobResult", "status": "failed", "error_kind": "out_of_memory", "message": "CUDA out of memory"}

    gen = wiz.generation_page
    started = []
    monkeypatch.setattr(gen, "start", lambda: started.append("gen"))
    gen._on_job_finished(oom)
    assert "ran out of memory" in gen.message.text() and "CPU offload" in gen.message.text()
    assert gen.offload_button.isVisibleTo(gen) and gen.cpu_button.isVisibleTo(gen)
    gen.offload_button.click()
    assert wiz.state.gen.cpu_offload and started == ["gen"]
    assert wiz.ai_page.sd.cpu_offload.isChecked()  # the AI page shows the new setting

    tp = wiz.training_page
    monkeypatch.setattr(tp, "start", lambda: started.append("train"))
    wiz.state.train.batch = 32
    tp._on_job_finished(oom)
    assert "smaller batch size" in tp.message.text()
    assert tp.smaller_button.isVisibleTo(tp) and "16" in tp.smaller_button.text()
    tp.smaller_button.click()
    assert wiz.state.train.batch == 16 and started[-1] == "train"
    tp._on_job_finished(oom)
    tp.cpu_button.click()
    assert wiz.state.train.device == "cpu"

    disk = {"event": "JobResult", "status": "failed", "error_kind": "disk_full", "message": "No space left"}
    tp._on_job_finished(disk)
    assert "disk is full" in tp.message.text() and not tp.smaller_button.isVisibleTo(tp)


def test_discard_leaves_no_model_and_images_can_be_deleted(qtbot, human, tmp_path):
    state = _run(tmp_path, human, model="owner/model")
    state.start()
    make_tiny_bundle(state.model_dir, model_id="x")
    write_images(state.generated_dir, 2)
    state.bundle_path = str(state.model_dir)
    state.stage = Stage.TRAINED
    state.save()
    wiz = RetrainWizard()
    qtbot.addWidget(wiz)
    assert wiz.goal_page.resume_box.isVisibleTo(wiz.goal_page)
    wiz.goal_page.resume_button.click()
    rp = wiz.results_page
    assert wiz.index == 6 and rp.install_button.isEnabled()
    assert "nothing to compare" in rp.compare_status.text()
    rp.discard(confirm=False)
    assert not state.model_dir.exists() and ModelRegistry().list() == []
    assert json.loads((state.folder / "run.json").read_text())["stage"] == "discarded"
    assert not rp.install_button.isEnabled() and state.generated_dir.is_dir()
    assert str(state.folder) in rp.images_label.text()
    rp.delete_images(confirm=False)
    assert not state.generated_dir.exists() and not rp.delete_images_button.isEnabled()
    assert unfinished_runs() == []


def test_language_switch_retranslates_the_wizard(qtbot, monkeypatch):
    from miwake.gui import i18n

    monkeypatch.setattr(i18n, "translations_dir", lambda: Path(__file__).resolve().parents[2] / "resources" / "i18n")
    wiz = RetrainWizard()
    qtbot.addWidget(wiz)
    english = wiz.title_label.text()
    try:
        i18n.apply_language("ja")
        qtbot.waitUntil(lambda: wiz.title_label.text() != english, timeout=3000)
        assert wiz.next_button.text() != "Next >"
    finally:
        i18n.apply_language("en")
    qtbot.waitUntil(lambda: wiz.title_label.text() == english, timeout=3000)


def test_an_unfinished_run_can_be_deleted_from_the_first_page(qtbot, human, tmp_path):
    state = _run(tmp_path, human, model="owner/model")
    state.start()
    state.stage = Stage.GENERATING
    write_images(state.generated_dir, 1)
    state.save()
    wiz = RetrainWizard()
    qtbot.addWidget(wiz)
    goal = wiz.goal_page
    assert goal.resume_box.isVisibleTo(goal) and "x" in goal.resume_label.text()
    goal.delete_offered_run(confirm=False)
    assert not state.folder.exists() and not goal.resume_box.isVisibleTo(goal) and unfinished_runs() == []


def test_a_model_whose_training_diverged_or_that_is_worse_is_not_installed_without_asking(
    qtbot, human, tmp_path, monkeypatch
):
    """Issue #24 item 2: the results page recommends against a worse or diverged model, and installing it asks."""
    from PySide6.QtWidgets import QMessageBox

    from miwake.core.bundle import read_bundle, save_bundle
    from miwake.gui.wizard import results_page

    state = _run(tmp_path, human, model="owner/model")
    state.start()
    import torch
    from safetensors.numpy import load_file

    made = make_tiny_bundle(tmp_path / "plain", model_id="x")
    weights = {k: torch.from_numpy(v.copy()) for k, v in load_file(str(made.path / "model.safetensors")).items()}
    save_bundle(state.model_dir, made.card.with_(training={"status": "diverged"}), weights)
    state.bundle_path = str(state.model_dir)
    state.stage = Stage.TRAINED
    state.save()
    wiz = RetrainWizard()
    qtbot.addWidget(wiz)
    wiz.goal_page.resume_button.click()
    rp = wiz.results_page
    assert rp.concern() == "diverged"
    assert "Not recommended" in rp.advice.text() and rp.discard_button.isDefault()
    asked = []
    monkeypatch.setattr(results_page, "plain_question", lambda *a: asked.append(a) or QMessageBox.StandardButton.No)
    rp.install(activate=True)
    assert asked and ModelRegistry().list() == []  # said no: nothing installed
    # a model that trained fine but scores lower than the one before on the same held-out images
    rp.bundle = read_bundle(made.path)
    rp.report = {"metrics": {"auc": 0.5}}
    rp.previous_report = {"metrics": {"auc": 1.0}}
    assert rp.concern() == "worse"
    rp.previous_report = {"metrics": {"auc": 0.505}}
    assert rp.concern() is None


def test_the_results_table_headers_are_short_and_name_the_models_in_their_tooltips(qtbot):
    """Issue #24 item 7: its column headers were cut ("New model defaul…")."""
    from miwake.gui.wizard.results_view import MetricsTable

    t = MetricsTable()
    qtbot.addWidget(t)
    t.set_column(0, "New model\nMiwake default (DINOv2 ViT-S/14 features of blocks 1-6, linear head)", {"auc": 0.9})
    t.set_column(1, "Before\nMiwake DINOv2 (2026-12, pool v2)", None)
    assert t.horizontalHeaderItem(0).text() == "New model" and t.horizontalHeaderItem(1).text() == "Before"
    assert "blocks 1-6" in t.horizontalHeaderItem(0).toolTip()
