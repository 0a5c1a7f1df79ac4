"""Training end to end on tiny data: a bundle the scanner loads, resume after kill -9, cancel, eval."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from miwake.cli import main
from miwake.core.bundle import read_bundle
from miwake.core.model_factory import validate_bundle
from miwake.training.augment import AugmentConfig
from miwake.training.dataset import from_manifest
from miwake.training.train import EpochEnd, TrainConfig, Trainer, TrainFinished, TrainProgress

from .conftest import _img

VAL = ("scans", "gen_b")


def config(out, **kw):
    base = dict(
        out_dir=str(out),
        arch="test_efficientnet",
        crop=32,
        epochs=2,
        batch=4,
        crops_per_image=2,
        workers=0,
        val_sources=VAL,
        val_tiles=2,
        weights_dtype="float32",
        checkpoint_every_s=1e9,
        patience=10,
    )
    base.update(kw)
    return TrainConfig(**base)


def test_one_short_training_gives_a_bundle_the_scanner_uses(toy_data, tmp_path, capsys):
    events = []
    fin = Trainer(
        config(tmp_path / "m", epochs=1), from_manifest(toy_data / "manifest.csv"), on_event=events.append
    ).run()
    assert fin.status == "finished" and isinstance(events[-1], TrainFinished)
    assert any(isinstance(e, EpochEnd) for e in events)
    assert any(isinstance(e, TrainProgress) and e.phase == "train" and e.loss is not None for e in events)
    b = read_bundle(fin.bundle_path)
    validate_bundle(b)
    card = b.card
    assert card.arch == "test_efficientnet" and card.input_mode == "crop" and card.crop_size == 32
    lo, hi = card.unsure_band
    assert lo <= card.threshold <= hi
    for key in ("auc", "f1", "recall", "precision", "jpeg90", "per_source"):
        assert key in card.metrics
    assert set(card.metrics["per_source"]) == set(VAL)
    assert card.training["data"]["validation_sources"] == sorted(VAL)
    assert card.training["duration_s"] > 0 and card.training["hardware"]
    assert (Path(fin.bundle_path) / "training" / "roc.png").exists()
    assert not (Path(fin.bundle_path) / "training" / "checkpoint").exists()

    assert main(["models", "import", fin.bundle_path, "--id", "toy"]) == 0
    out_csv = tmp_path / "r.csv"
    assert main(["scan", str(toy_data), "--model", "toy", "--csv", str(out_csv), "-q"]) == 0
    rows = out_csv.read_text("utf-8-sig").splitlines()
    assert len(rows) == 33 and all(r.split(",")[1] for r in rows[1:])


def test_existing_run_is_not_overwritten(toy_data, tmp_path):
    samples = from_manifest(toy_data / "manifest.csv")
    t = Trainer(
        config(tmp_path / "m", epochs=2),
        samples,
        on_event=lambda e: t.cancel() if isinstance(e, TrainProgress) and e.phase == "train" else None,
    )
    assert t.run().status == "cancelled"
    from miwake.training.train import TrainError

    with pytest.raises(TrainError, match="resume"):
        Trainer(config(tmp_path / "m"), samples).run()
    with pytest.raises(TrainError, match="Nothing to resume"):
        Trainer(config(tmp_path / "other"), samples, resume=True).run()


def test_cancel_then_resume_finishes(toy_data, tmp_path):
    samples = from_manifest(toy_data / "manifest.csv")
    steps = []

    def stop_at_two(ev):
        if isinstance(ev, TrainProgress) and ev.phase == "train":
            steps.append(ev.step)
            if len(steps) == 2:
                t.cancel()

    t = Trainer(config(tmp_path / "m"), samples, on_event=stop_at_two)
    assert t.run().status == "cancelled"
    first = []
    fin = Trainer(
        config(tmp_path / "m"),
        [],
        resume=True,
        on_event=lambda e: first.append(e) if isinstance(e, TrainProgress) and e.phase == "train" else None,
    ).run()
    assert fin.status == "finished" and first[0].step == 3  # went on from where it stopped


@pytest.fixture(scope="module")
def slow_data(tmp_path_factory):
    """Large images (slow to decode) so that a training step takes long enough to be killed mid-epoch."""
    root = tmp_path_factory.mktemp("slow")
    rng = np.random.default_rng(1)
    rows = ["path,label,source"]
    for label, sources in (("real", ("camera", "scans")), ("ai", ("gen_a", "gen_b"))):
        for src in sources:
            (root / src).mkdir()
            for i in range(6):
                _img(rng, label, 900, 900).save(root / src / f"{i}.png", compress_level=1)
                rows.append(f"{src}/{i}.png,{label},{src}")
    (root / "m.csv").write_text("\n".join(rows) + "\n")
    return root


def test_kill9_mid_epoch_then_resume_continues_and_matches_an_uninterrupted_run(slow_data, tmp_path):
    kw = dict(epochs=2, batch=2, crops_per_image=1, checkpoint_every_steps=1, augment=AugmentConfig(downscale_prob=0.3))
    samples = from_manifest(slow_data / "m.csv")
    ref = Trainer(config(tmp_path / "ref", **kw), samples).run()

    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "miwake",
        "train",
        "--manifest",
        str(slow_data / "m.csv"),
        "--out",
        str(out),
        "--arch",
        "test_efficientnet",
        "--crop",
        "32",
        "--epochs",
        "2",
        "--batch",
        "2",
        "--crops-per-image",
        "1",
        "--workers",
        "0",
        "--val-sources",
        *VAL,
        "--checkpoint-every-steps",
        "1",
        "--patience",
        "10",
    ]
    # the CLI's defaults differ from config(): run the reference through the same CLI settings instead
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = out / "training" / "checkpoint" / "state.json"
    deadline = time.time() + 120
    killed_at = None
    while time.time() < deadline and proc.poll() is None:
        try:
            st = json.loads(state.read_text())
        except (OSError, ValueError):
            time.sleep(0.01)
            continue
        if st["epoch"] == 0 and st["step_in_epoch"] >= 2:
            proc.send_signal(signal.SIGKILL)
            killed_at = st["step_in_epoch"]
            break
        time.sleep(0.01)
    proc.wait()
    assert killed_at is not None, "the run ended before it could be killed mid-epoch"
    first = []
    fin = Trainer(
        TrainConfig(out_dir=str(out)),
        [],
        resume=True,
        on_event=lambda e: first.append(e) if isinstance(e, TrainProgress) and e.phase == "train" else None,
    ).run()
    assert fin.status == "finished"
    assert first[0].epoch == 1 and first[0].step > killed_at - 1 >= 1  # continued mid-epoch, did not restart

    # same settings uninterrupted, through the same CLI
    ref_out = tmp_path / "ref_cli"
    subprocess.run(
        [*cmd[: cmd.index("--out") + 1], str(ref_out), *cmd[cmd.index("--out") + 2 :]],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    a = load_file(str(ref_out / "model.safetensors"))
    b = load_file(str(out / "model.safetensors"))
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_allclose(a[k].astype(np.float32), b[k].astype(np.float32), atol=2e-3, err_msg=k)
    assert ref.status == "finished"


def test_eval_cli(toy_data, tmp_path, tiny_bundle, capsys):
    out = tmp_path / "e.json"
    roc = tmp_path / "roc.png"
    assert (
        main(
            [
                "eval",
                str(tiny_bundle.path),
                "--manifest",
                str(toy_data / "manifest.csv"),
                "--json",
                str(out),
                "--roc",
                str(roc),
            ]
        )
        == 0
    )
    doc = json.loads(out.read_text())
    assert doc["metrics"]["n"] == 32 and 0 <= doc["metrics"]["auc"] <= 1
    assert doc["metrics_jpeg90"]["n"] == 32
    assert set(doc["per_source"]) == {"camera", "scans", "gen_a", "gen_b"}
    from miwake.training.metrics import binary_metrics

    y = [1 if s["label"] == "ai" else 0 for s in doc["scores"]]
    p = [s["p"] for s in doc["scores"]]
    assert binary_metrics(y, p, doc["threshold"])["confusion"] == doc["metrics"]["confusion"]
    assert roc.stat().st_size > 1000
    assert "per source" in capsys.readouterr().out


def test_the_training_state_round_trips_through_the_checkpoint_json(tmp_path):
    import json

    from miwake.training.dataset import Sample
    from miwake.training.train import TrainState

    state = TrainState(
        config(tmp_path / "m", val_sources=("b",)),
        [Sample("a.png", 1, "s", "sd15")],
        [Sample("b.png", 0, "b")],
        ["c.png: unreadable"],
        [],
        epoch=2,
        best_score=0.8,
        history=[{"epoch": 1}],
        epoch_losses=[0.5, 0.4],
    )
    again = TrainState.from_dict({**json.loads(json.dumps(state.to_dict())), "optimizer_meta": {}, "finished": False})
    assert again == state and isinstance(again.train[0], Sample) and again.config.val_sources == ("b",)


def test_a_fine_tune_starts_from_the_models_own_validation_and_keeps_it_when_training_only_harms(
    toy_data, tmp_path, tiny_bundle
):
    """Issue #24 item 2: a fine-tune whose epochs are all worse than the model it started from must end with that
    model's weights (epoch 0 is the baseline), and one whose loss runs away is stopped and says so."""
    from miwake.core.registry import ModelRegistry

    ModelRegistry().import_bundle(tiny_bundle.path)
    samples = from_manifest(toy_data / "manifest.csv")
    events = []
    fin = Trainer(
        config(
            tmp_path / "m",
            init="tiny",
            arch="test_efficientnet",
            crop=tiny_bundle.card.crop_size,
            epochs=3,
            lr=30.0,
            train_layers="all",
            warmup_epochs=0.0,
        ),
        samples,
        on_event=events.append,
    ).run()
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert epochs[0].epoch == 0 and epochs[0].best  # the model it starts from, measured first
    assert fin.status == "diverged", [(e.epoch, e.train_loss) for e in epochs]
    assert fin.card["training"]["status"] == "diverged" and fin.card["training"]["best_epoch"] == 0
    start = load_file(str(tiny_bundle.path / "model.safetensors"))
    end = load_file(str(Path(fin.bundle_path) / "model.safetensors"))
    for k, v in start.items():  # the diverged weights were not kept: the result is the model it started from
        if v.dtype.kind == "f":
            np.testing.assert_allclose(end[k].astype(np.float32), v.astype(np.float32), atol=2e-3, err_msg=k)


def test_divergence_is_a_runaway_loss_not_a_noisy_epoch():
    from miwake.training.train import diverging

    assert diverging(63.0, 0.5) and diverging(float("inf"), 0.5)
    assert not diverging(0.9, 0.2)  # below 1: still a usable loss
    assert not diverging(1.2, 0.6) and not diverging(float("nan"), 0.5)


def test_fine_tuning_a_frozen_feature_model_trains_only_its_head(toy_data, tmp_path):
    """The DINOv2 default is a linear head on frozen features: its fine-tune refits the head (minutes on a CPU)
    instead of changing the ViT on a few dozen images."""
    import torch

    from miwake.core.archs import ARCHS
    from miwake.core.bundle import ModelCard, save_bundle
    from miwake.core.model_factory import build_model
    from miwake.core.registry import ModelRegistry
    from miwake.training.train import HEAD_ONLY_LR, trains_head_only

    arch = "miwake_dinov2_s14"
    assert arch in ARCHS
    assert trains_head_only(TrainConfig(out_dir="x", arch=arch), "model")
    assert not trains_head_only(TrainConfig(out_dir="x", arch="tf_efficientnetv2_b0"), "model")
    assert not trains_head_only(TrainConfig(out_dir="x", arch=arch), "random")
    assert trains_head_only(TrainConfig(out_dir="x", arch="tf_efficientnetv2_b0", train_layers="head"), "model")
    torch.manual_seed(0)
    model = build_model(arch)
    card = ModelCard(
        id="probe",
        display_name="probe",
        arch=arch,
        crop_size=28,
        threshold=0.5,
        unsure_band=(0.4, 0.6),
        weights_dtype="float32",
    )
    bundle = save_bundle(tmp_path / "probe", card, model.state_dict())
    ModelRegistry().import_bundle(bundle.path)
    events = []
    fin = Trainer(
        config(tmp_path / "m", init="probe", arch=arch, crop=28, epochs=1, max_steps_per_epoch=3),
        from_manifest(toy_data / "manifest.csv"),
        on_event=events.append,
    ).run()
    assert fin.status in ("finished", "stopped_early")
    prep = next(e for e in events if isinstance(e, TrainProgress) and e.phase == "prepare")
    assert "only the head learns" in prep.detail
    assert next(e for e in events if isinstance(e, TrainProgress) and e.phase == "train").lr <= HEAD_ONLY_LR
    start = load_file(str(bundle.path / "model.safetensors"))
    end = load_file(str(Path(fin.bundle_path) / "model.safetensors"))
    head = {k for k in start if k.startswith("head.")}
    assert head and all(np.array_equal(end[k], start[k]) for k in start if k not in head)  # backbone frozen
    assert fin.card["training"]["best_epoch"] in (0, 1)


def test_the_log_holds_every_charted_step_and_a_resume_drops_what_it_redoes(toy_data, tmp_path):
    """After Continue, the wizard's loss chart must show the same history as before the stop: the trainer logs
    each step's shown loss, and a resumed run trims the steps it will do again."""
    samples = from_manifest(toy_data / "manifest.csv")
    seen = []

    def stop_at_three(ev):
        if isinstance(ev, TrainProgress) and ev.phase == "train":
            seen.append(ev.step)
            if len(seen) == 3:
                t.cancel()

    t = Trainer(config(tmp_path / "m", checkpoint_every_steps=2), samples, on_event=stop_at_three)
    assert t.run().status == "cancelled"
    log = tmp_path / "m" / "training" / "log.jsonl"
    steps = [json.loads(x)["global_step"] for x in log.read_text().splitlines() if '"loss"' in x]
    assert steps[:3] == [1, 2, 3]
    fin = Trainer(config(tmp_path / "m", checkpoint_every_steps=2), [], resume=True).run()
    assert fin.status == "finished"
    steps = [json.loads(x)["global_step"] for x in log.read_text().splitlines() if '"event": "loss"' in x]
    assert steps == sorted(set(steps)), steps  # no step twice: the resumed run redid none it kept


def test_a_fine_tune_that_crashes_in_its_first_epoch_still_keeps_the_model_it_started_from(
    toy_data, tmp_path, tiny_bundle
):
    """Epoch 0's weights are written with the first checkpoint: a crash before any epoch ends must not leave a
    resumed run without them (it would then keep whatever weights it reached)."""
    from miwake.core.registry import ModelRegistry
    from miwake.training.checkpoint import load_checkpoint

    ModelRegistry().import_bundle(tiny_bundle.path)
    samples = from_manifest(toy_data / "manifest.csv")
    cfg = config(
        tmp_path / "m",
        init="tiny",
        crop=tiny_bundle.card.crop_size,
        epochs=2,
        lr=30.0,
        train_layers="all",
        warmup_epochs=0.0,
        checkpoint_every_steps=1,
    )

    def crash(ev):
        if isinstance(ev, TrainProgress) and ev.phase == "train" and ev.step == 2:
            raise RuntimeError("the power went out")

    with pytest.raises(RuntimeError, match="power"):
        Trainer(cfg, samples, on_event=crash).run()
    assert load_checkpoint(tmp_path / "m" / "training" / "checkpoint")[3] is not None  # epoch 0's weights on disk
    fin = Trainer(cfg, [], resume=True).run()
    assert fin.card["training"]["best_epoch"] == 0
    start = load_file(str(tiny_bundle.path / "model.safetensors"))
    end = load_file(str(Path(fin.bundle_path) / "model.safetensors"))
    for k, v in start.items():
        if v.dtype.kind == "f":
            np.testing.assert_allclose(end[k].astype(np.float32), v.astype(np.float32), atol=2e-3, err_msg=k)
