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
    base = dict(out_dir=str(out), arch="test_efficientnet", crop=32, epochs=2, batch=4, crops_per_image=2, workers=0,
                val_sources=VAL, val_tiles=2, weights_dtype="float32", checkpoint_every_s=1e9, patience=10)
    base.update(kw)
    return TrainConfig(**base)


def test_one_short_training_gives_a_bundle_the_scanner_uses(toy_data, tmp_path, capsys):
    events = []
    fin = Trainer(config(tmp_path / "m", epochs=1), from_manifest(toy_data / "manifest.csv"), on_event=events.append).run()
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
    t = Trainer(config(tmp_path / "m", epochs=2), samples, on_event=lambda e: t.cancel() if isinstance(e, TrainProgress) and e.phase == "train" else None)
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
    fin = Trainer(config(tmp_path / "m"), [], resume=True,
                  on_event=lambda e: first.append(e) if isinstance(e, TrainProgress) and e.phase == "train" else None).run()
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
    cmd = [sys.executable, "-m", "miwake", "train", "--manifest", str(slow_data / "m.csv"), "--out", str(out),
           "--arch", "test_efficientnet", "--crop", "32", "--epochs", "2", "--batch", "2", "--crops-per-image", "1",
           "--workers", "0", "--val-sources", *VAL, "--checkpoint-every-steps", "1", "--patience", "10"]
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
    fin = Trainer(TrainConfig(out_dir=str(out)), [], resume=True,
                  on_event=lambda e: first.append(e) if isinstance(e, TrainProgress) and e.phase == "train" else None).run()
    assert fin.status == "finished"
    assert first[0].epoch == 1 and first[0].step > killed_at - 1 >= 1  # continued mid-epoch, did not restart

    # same settings uninterrupted, through the same CLI
    ref_out = tmp_path / "ref_cli"
    subprocess.run([*cmd[:cmd.index("--out") + 1], str(ref_out), *cmd[cmd.index("--out") + 2:]], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    a = load_file(str(ref_out / "model.safetensors"))
    b = load_file(str(out / "model.safetensors"))
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_allclose(a[k].astype(np.float32), b[k].astype(np.float32), atol=2e-3, err_msg=k)
    assert ref.status == "finished"


def test_eval_cli(toy_data, tmp_path, tiny_bundle, capsys):
    out = tmp_path / "e.json"
    roc = tmp_path / "roc.png"
    assert main(["eval", str(tiny_bundle.path), "--manifest", str(toy_data / "manifest.csv"), "--json", str(out), "--roc", str(roc)]) == 0
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

    state = TrainState(config(tmp_path / "m", val_sources=("b",)), [Sample("a.png", 1, "s", "sd15")],
                       [Sample("b.png", 0, "b")], ["c.png: unreadable"], [], epoch=2, best_score=0.8,
                       history=[{"epoch": 1}], epoch_losses=[0.5, 0.4])
    again = TrainState.from_dict({**json.loads(json.dumps(state.to_dict())), "optimizer_meta": {}, "finished": False})
    assert again == state and isinstance(again.train[0], Sample) and again.config.val_sources == ("b",)
