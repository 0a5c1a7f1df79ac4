"""Commands and wizard jobs check what they need before any work, and name the fix (issue #14, item 5 and 6)."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import pytest

from miwake.cli import main
from miwake.training.jobs import JobSpec, run_job

from .test_train import config


@pytest.fixture
def without(monkeypatch):
    """Make modules look uninstalled to `core.extras` (as on a machine without the [training] extra)."""
    real = importlib.util.find_spec

    def hide(*names: str) -> None:
        def find_spec(name, *a, **kw):
            return None if name.split(".")[0] in names else real(name, *a, **kw)

        monkeypatch.setattr(importlib.util, "find_spec", find_spec)

    return hide


def test_train_without_the_training_extra_fails_before_reading_data(tmp_path, toy_data, without, capsys):
    without("sklearn")
    out = tmp_path / "m"
    rc = main(
        [
            "train",
            "--manifest",
            str(toy_data / "manifest.csv"),
            "--out",
            str(out),
            "--arch",
            "test_efficientnet",
            "--crop",
            "32",
            "--epochs",
            "1",
            "--workers",
            "0",
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and 'pip install "miwake[training]"' in err and "scikit-learn" in err
    assert not out.exists()  # nothing was prepared, no epoch ran
    assert main(["eval", "whatever", "--manifest", str(toy_data / "manifest.csv")]) == 2


def test_generate_without_diffusers_names_the_extra(tmp_path, without, capsys):
    without("diffusers")
    assert main(["generate", "--model", "x", "--out", str(tmp_path / "g"), "--offline"]) == 2
    assert "diffusers" in capsys.readouterr().err


def test_wizard_jobs_without_their_libraries_say_so_and_do_not_blame_miwake(tmp_path, without):
    without("diffusers")
    res = run_job(JobSpec("generate", {"model": "x", "out": str(tmp_path / "g")}), lambda e: None, threading.Event())
    assert res["status"] == "failed" and res["error_kind"] == "missing_extra"
    assert 'pip install "miwake[training]"' in res["message"]


def test_an_architecture_typo_is_invalid_input_with_suggestions(tmp_path, toy_data, capsys):
    spec = JobSpec(
        "train",
        {
            "config": config(tmp_path / "x", arch="tf_efficientnetv2_bo").to_dict(),
            "manifest": str(toy_data / "manifest.csv"),
        },
    )
    res = run_job(spec, lambda e: None, threading.Event())
    assert res["error_kind"] == "invalid" and "tf_efficientnetv2_b0" in res["message"]
    assert not (tmp_path / "x").exists()
    rc = main(
        [
            "train",
            "--manifest",
            str(toy_data / "manifest.csv"),
            "--out",
            str(tmp_path / "y"),
            "--arch",
            "hf-hub:someone/model",
        ]
    )
    assert rc == 2 and "hub" in capsys.readouterr().err


def test_the_default_start_of_a_new_model_works_offline(tmp_path, toy_data, isolated_user_dirs):
    """The wizard's default init is the bundled detector; no Hugging Face cache is needed."""
    from miwake.training.init_weights import STARTING_MODEL, init_model
    from miwake.training.run_state import TrainSettings
    from tests.helpers import make_tiny_bundle

    assert TrainSettings().init == STARTING_MODEL
    make_tiny_bundle(isolated_user_dirs / "resources" / "models" / STARTING_MODEL, model_id=STARTING_MODEL)
    model, info = init_model("tf_efficientnetv2_b0", STARTING_MODEL)
    assert info.kind == "model" and info.base_bundle.id == STARTING_MODEL
    spec = JobSpec(
        "train",
        {
            "config": config(tmp_path / "m", init=STARTING_MODEL, epochs=1).to_dict(),
            "manifest": str(toy_data / "manifest.csv"),
        },
    )
    res = run_job(spec, lambda e: None, threading.Event())
    assert res["status"] == "finished", res
    assert Path(res["bundle_path"]).joinpath("model.json").exists()
