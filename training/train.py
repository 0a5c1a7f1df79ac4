"""Train or fine-tune a detector and write it as a Miwake bundle with a complete model card.

AdamW with linear warm-up and cosine decay, AMP and channels-last on CUDA, gradient accumulation,
early stopping on validation AUC (as files are and re-encoded as JPEG q90, averaged), a checkpoint at
every epoch end and every few minutes, and `resume` that continues mid-epoch where it stopped.
Deterministic for a given `seed` (data order, augmentation and dropout are all derived from it).
"""

from __future__ import annotations

import json
import logging
import math
import os
import platform
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from miwake.core import atomic, extras
from miwake.core.bundle import IMAGENET_MEAN, IMAGENET_STD, Bundle, ModelCard, save_bundle
from miwake.core.detector import Detector
from miwake.core.devices import DeviceInfo, resolve_device
from miwake.core.errors import MiwakeError
from miwake.core.model_factory import check_arch

from .augment import AugmentConfig
from .checkpoint import has_checkpoint, load_checkpoint, save_checkpoint
from .data import SplitPlan, TrainCrops, collate, epoch_plan, plan_split, sampling_weights
from .dataset import Sample, summarize
from .evaluate import EvalReport, evaluate, jpeg_copies, score_paths, write_roc_png
from .init_weights import init_model
from .metrics import _safe_auc
from .plain import from_plain, to_plain

log = logging.getLogger(__name__)

TRAIN_MODEL_KWARGS = {"drop_rate": 0.2, "drop_path_rate": 0.1}


class TrainError(MiwakeError):
    """Training cannot start or continue (bad data, existing run, out of memory...)."""


class TrainOutOfMemoryError(TrainError):
    """The GPU ran out of memory: a smaller batch (with more accumulation) or the CPU will do."""


@dataclass(frozen=True)
class TrainConfig:
    out_dir: str
    arch: str = "tf_efficientnetv2_b0"
    init: str = "random"  # random | imagenet | PATH to weights | installed MODEL_ID (fine-tune)
    mode: str = "crop"  # crop | resize
    crop: int = 256
    epochs: int = 10
    batch: int = 32  # crops per forward pass
    accum: int = 1  # forward passes per optimizer step
    lr: float | None = None  # default 1e-3 (random/imagenet), 2e-4 (fine-tuning), 5e-5 (fine-tuning the head only)
    # which weights learn: "all", "head" (the linear head on frozen features), or "auto": the head only when
    # fine-tuning a model whose backbone was frozen when it was made (the DINOv2 default), everything otherwise
    train_layers: str = "auto"
    weight_decay: float = 0.05
    warmup_epochs: float = 1.0
    min_lr_ratio: float = 0.01
    patience: int = 4
    seed: int = 0
    workers: int | None = None  # data-loading processes; None = min(4, CPUs - 1)
    crops_per_image: int = 2
    val_fraction: float = 0.2
    val_sources: tuple[str, ...] = ()
    val_tiles: int = 4  # tiles per image for the per-epoch validation (the final one uses all)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    source_power: float = 0.5
    device: str = "auto"
    model_id: str | None = None
    display_name: str | None = None
    weights_dtype: str = "float16"
    checkpoint_every_s: float = 300.0
    checkpoint_every_steps: int = 0
    final_max_tiles: int | None = None  # None: the card's tile budget, which the scans of this model use
    max_steps_per_epoch: int | None = None
    command: str = ""

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        return from_plain(cls, d)


@dataclass(frozen=True)
class TrainProgress:
    phase: str  # train | validate | evaluate | prepare
    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float | None = None
    lr: float | None = None
    crops_per_s: float | None = None
    eta_s: float | None = None
    detail: str = ""


@dataclass(frozen=True)
class EpochEnd:
    epoch: int
    epochs: int
    train_loss: float
    val_auc: float
    val_auc_jpeg90: float
    score: float
    best: bool
    seconds: float


@dataclass(frozen=True)
class TrainFinished:
    status: str  # finished | stopped_early | diverged (the best weights before it are kept) | cancelled
    bundle_path: str | None
    card: dict[str, Any] | None
    history: list[dict[str, Any]]
    report_path: str | None = None


TrainEvent = TrainProgress | EpochEnd | TrainFinished


def preflight(cfg: TrainConfig) -> None:
    """What can be checked before any work: the training libraries, and the architecture when the weights do
    not come from an installed model (a typo fails now, with suggestions, not after the data is prepared)."""
    extras.require(extras.TRAINING, "Training")
    from_model = cfg.init not in ("random", "imagenet") and not Path(cfg.init).expanduser().suffix
    if not from_model:
        check_arch(cfg.arch)


HEAD_ONLY_LR = 5e-5  # Adam on a head that starts calibrated: a few dozen images should nudge it, not refit it
DIVERGE_FACTOR = 3.0  # an epoch whose mean loss is this many times the first step's (and above 1) diverged
RUNAWAY_LOSS = 10.0  # a mean BCE this high means confidently wrong on most crops, whatever the start


def trains_head_only(cfg: TrainConfig, init_kind: str) -> bool:
    """Whether only the head learns: asked for, or a fine-tune of a frozen-feature model (``core.archs``
    probes, whose backbones were never trained: a full fine-tune on a few dozen images wrecks them)."""
    if cfg.train_layers not in ("auto", "all", "head"):
        raise TrainError(f"train_layers must be auto, all or head, not {cfg.train_layers!r}")
    if cfg.train_layers != "auto":
        return cfg.train_layers == "head"
    from miwake.core.archs import ARCHS

    return init_kind == "model" and cfg.arch in ARCHS


def diverging(epoch_loss: float, first_loss: float | None) -> bool:
    """An epoch's mean training loss that says the weights ran away (not a noisy epoch)."""
    if math.isnan(epoch_loss):  # an epoch without steps
        return False
    if math.isinf(epoch_loss):
        return True
    if epoch_loss > RUNAWAY_LOSS:
        return True
    return first_loss is not None and epoch_loss > 1.0 and epoch_loss > DIVERGE_FACTOR * max(first_loss, 0.05)


def _lr_at(step: int, total: int, warmup: int, base: float, min_ratio: float) -> float:
    if warmup and step < warmup:
        return base * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return base * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, t))))


def _param_groups(model: Any, weight_decay: float) -> list[dict[str, Any]]:
    decay: list[Any] = []
    no_decay: list[Any] = []
    for _, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim <= 1 else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


RGB = tuple[float, float, float]


def _norm_stats(arch: str, base: ModelCard | None, init: str) -> tuple[RGB, RGB]:
    """Normalisation the initial weights expect: the base model's, timm's for pretrained backbones,
    ImageNet's otherwise."""
    if base is not None:
        return base.mean, base.std
    if init != "random":
        import timm

        pc = timm.models.get_pretrained_cfg(arch)
        if pc is not None and pc.mean and pc.std:
            return _rgb(pc.mean), _rgb(pc.std)
    return IMAGENET_MEAN, IMAGENET_STD


def _rgb(v: Sequence[float]) -> RGB:
    return float(v[0]), float(v[1]), float(v[2])


@dataclass
class TrainState:
    """How far a run got: kept in the checkpoint (`state.json`), so a stopped run resumes where it was."""

    config: TrainConfig
    train: list[Sample]
    val: list[Sample]
    skipped: list[str]  # training-side images left out, with the reason
    warnings: list[str]  # about the split (few sources, one class thin...)
    epoch: int = 0  # epochs done
    step_in_epoch: int = 0
    global_step: int = 0
    best_score: float | None = None
    best_epoch: int | None = None
    bad_epochs: int = 0  # epochs since the best one (early stopping)
    history: list[dict[str, Any]] = field(default_factory=list)  # one `EpochEnd` per epoch
    elapsed_s: float = 0.0
    init: dict[str, Any] | None = None  # where the starting weights came from
    stopped_early: bool = False
    epoch_losses: list[float] = field(default_factory=list)  # this epoch's so far (resumed mid-epoch)
    first_loss: float | None = None  # the run's first step's loss (the starting weights'): divergence's reference
    diverged: bool = False

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainState:
        """Lenient about keys a checkpoint of another version carries (and the optimizer's metadata)."""
        return from_plain(cls, d, strict=False)


@dataclass
class _Session:
    """The live objects of one `Trainer.run()`: model, optimizer, data, schedule (torch types, so `Any`)."""

    model: Any
    opt: Any
    dev: DeviceInfo
    device: Any
    cuda: bool
    amp_dtype: Any
    scaler: Any
    mean: Any
    std: Any
    loss_fn: Any
    lr: float
    head_only: bool  # the backbone is frozen: only the head learns (and the backbone stays in eval mode)
    fine_tune: bool  # the weights come from an installed model (its validation is epoch 0's baseline)
    base_card: ModelCard | None
    best_sd: dict[str, Any] | None
    weights: Any  # sampling weight per training image
    per_batch: int  # images per step (each gives `crops_per_image` crops)
    steps: int  # per epoch
    total_opt: int  # optimizer steps in the whole run
    warmup: int
    dataset: TrainCrops
    workers: int
    val: list[Sample]
    val_jpeg: dict[str, str]
    t_run: float = field(default_factory=time.monotonic)
    t_epoch: float = field(default_factory=time.monotonic)
    t_rate: float = field(default_factory=time.monotonic)
    last_ck: float = field(default_factory=time.monotonic)
    crops_seen: int = 0


def _cpu_copy(model: Any) -> dict[str, Any]:
    return {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}


class Trainer:
    """One training run. `run()` blocks; `cancel()` from any thread saves a checkpoint and stops."""

    def __init__(
        self,
        config: TrainConfig,
        samples: Sequence[Sample],
        *,
        resume: bool = False,
        on_event: Callable[[TrainEvent], None] | None = None,
        cancel_event: threading.Event | None = None,
    ) -> None:
        self.cfg = config
        self.samples = list(samples)
        self.resume = resume
        self.on_event = on_event
        self._cancel = cancel_event or threading.Event()
        self.out = Path(config.out_dir)
        self.work = self.out / "training"
        self.ckdir = self.work / "checkpoint"

    def cancel(self) -> None:
        self._cancel.set()

    def _emit(self, ev: TrainEvent) -> None:
        if isinstance(ev, EpochEnd):
            self._log({"event": "epoch", **asdict(ev)})
        if self.on_event:
            self.on_event(ev)

    def _log(self, line: dict[str, Any]) -> None:
        """``log.jsonl``: every epoch's figures and every step's shown loss, so a resumed run's charts show the
        same history as before the stop."""
        with open(self.work / "log.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")

    def _trim_log(self, global_step: int, epochs_done: int) -> None:
        """Drop what the log holds beyond the checkpoint a resumed run restarts from (steps it will redo)."""
        path = self.work / "log.jsonl"
        if not path.is_file():
            return
        kept = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            beyond = (ev.get("event") == "loss" and int(ev.get("global_step", 0)) > global_step) or (
                ev.get("event") == "epoch" and int(ev.get("epoch", 0)) > epochs_done
            )
            if not beyond:
                kept.append(line)
        atomic.write_text(path, "".join(k + "\n" for k in kept))

    # -- set-up -------------------------------------------------------------------------------------
    def _prepare(self) -> TrainState:
        """Split, filter and (when resuming) restore the run's state."""
        cfg = self.cfg
        if has_checkpoint(self.ckdir):
            if not self.resume:
                raise TrainError(
                    f"{self.out} already holds a training run: resume it (--resume) or choose another --out."
                )
            _, _, saved_state, _ = load_checkpoint(self.ckdir)
            state = TrainState.from_dict(saved_state)
            if state.config != cfg:
                log.info("Resuming with the run's saved settings.")
            self.cfg = state.config
            self._trim_log(state.global_step, state.epoch)
            return state
        if self.resume:
            raise TrainError(f"Nothing to resume in {self.out} (no checkpoint).")
        if cfg.mode not in ("crop", "resize"):
            raise TrainError(f"mode must be crop or resize, not {cfg.mode!r}")
        plan = plan_split(self.samples, cfg.crop, cfg.mode, cfg.val_fraction, cfg.seed, cfg.val_sources)
        if len({s.label for s in plan.train}) < 2:
            raise TrainError(
                "After the split, the training set lacks AI or human-made images large enough for the crop."
            )
        self.work.mkdir(parents=True, exist_ok=True)
        return TrainState(cfg, plan.train, plan.val, plan.skipped, plan.warnings)

    # -- the run ----------------------------------------------------------------------------------------
    def run(self) -> TrainFinished:
        preflight(self.cfg)
        state = self._prepare()
        self.work.mkdir(parents=True, exist_ok=True)
        s = self._session(state)
        if s.fine_tune and not state.history and state.global_step == 0:
            self._baseline(s, state)
        status = "finished"
        while state.epoch < self.cfg.epochs:
            ended = self._train_epoch(s, state)
            if ended == "cancelled":
                status = "cancelled"
                break
            if ended == "diverged":
                self._emit(
                    EpochEnd(
                        state.epoch + 1,
                        self.cfg.epochs,
                        float("nan"),
                        float("nan"),
                        float("nan"),
                        float("nan"),
                        False,
                        time.monotonic() - s.t_epoch,
                    )
                )
                status = "diverged"
                break
            status = self._end_epoch(s, state)
            if status != "finished":
                break
        if state.stopped_early and status not in ("cancelled", "diverged"):
            status = "stopped_early"
        if status == "cancelled":
            self._save(s, state)
            fin = TrainFinished("cancelled", None, None, state.history)
            self._emit(fin)
            return fin
        if s.best_sd is None:
            s.best_sd = _cpu_copy(s.model)
        s.model.load_state_dict(s.best_sd)
        state.elapsed_s += time.monotonic() - s.t_run
        return self._finish(s.model, self.cfg, s.base_card, s.val, state, status, s.dev.name)

    def _session(self, state: TrainState) -> _Session:
        """The model (initialised, or restored from the checkpoint), optimizer, data and schedule of this run.

        Kept whole: restoring and starting fresh set the same fields in the same order, and reading them side by
        side is how a reader checks that a resumed run is the run that stopped."""
        import torch

        cfg = self.cfg
        dev = resolve_device(cfg.device)
        device = torch.device(dev.torch_device)
        cuda = dev.kind == "cuda"
        torch.manual_seed(cfg.seed)
        if cuda:
            torch.backends.cudnn.benchmark = False
            torch.backends.cudnn.deterministic = True
        model, info = init_model(cfg.arch, cfg.init)
        if info.base_bundle is not None and info.base_bundle.card.arch != cfg.arch:
            cfg = self.cfg = replace(cfg, arch=info.base_bundle.card.arch)
        # rebuild with training regularisation; copy the initial weights across
        from miwake.core.model_factory import build_model

        sd0 = model.state_dict()
        model = build_model(cfg.arch, **TRAIN_MODEL_KWARGS)
        model.load_state_dict(sd0)
        state.init = state.init or {
            "kind": info.kind,
            "detail": info.detail,
            "matched": info.matched,
            "total": info.total,
        }
        base_card = info.base_bundle.card if info.base_bundle else None
        head_only = trains_head_only(cfg, info.kind)
        lr = cfg.lr or (HEAD_ONLY_LR if head_only else 2e-4 if info.kind == "model" else 1e-3)
        model.to(device, memory_format=torch.channels_last)
        if head_only:
            for p in model.parameters():
                p.requires_grad_(False)
            for p in model.get_classifier().parameters():
                p.requires_grad_(True)
            opt = torch.optim.AdamW(model.get_classifier().parameters(), lr=lr, weight_decay=0.0)
        else:
            opt = torch.optim.AdamW(_param_groups(model, cfg.weight_decay), lr=lr)
        best_sd = None
        if state.global_step or state.epoch:
            msd, osd, _, best_sd = load_checkpoint(self.ckdir)
            model.load_state_dict(msd)
            opt.load_state_dict(osd)
        bf16 = cuda and torch.cuda.is_bf16_supported()
        card = self._card(cfg, base_card)
        per_batch = max(1, cfg.batch // cfg.crops_per_image)
        steps = math.ceil(len(state.train) / per_batch)
        if cfg.max_steps_per_epoch:
            steps = min(steps, cfg.max_steps_per_epoch)
        opt_steps_per_epoch = math.ceil(steps / cfg.accum)
        s = _Session(
            model=model,
            opt=opt,
            dev=dev,
            device=device,
            cuda=cuda,
            amp_dtype=torch.bfloat16 if bf16 else torch.float16,
            scaler=torch.amp.GradScaler("cuda", enabled=cuda and not bf16),
            mean=torch.tensor(card.mean, device=device).view(1, 3, 1, 1) * 255,
            std=torch.tensor(card.std, device=device).view(1, 3, 1, 1) * 255,
            loss_fn=torch.nn.BCEWithLogitsLoss(),
            lr=lr,
            head_only=head_only,
            fine_tune=info.kind == "model",
            base_card=base_card,
            best_sd=best_sd,
            weights=sampling_weights(state.train, cfg.source_power),
            per_batch=per_batch,
            steps=steps,
            total_opt=opt_steps_per_epoch * cfg.epochs,
            warmup=int(round(cfg.warmup_epochs * opt_steps_per_epoch)),
            dataset=TrainCrops(
                state.train,
                crop=cfg.crop,
                mode=cfg.mode,
                augment=cfg.augment,
                seed=cfg.seed,
                crops_per_image=cfg.crops_per_image,
            ),
            workers=cfg.workers if cfg.workers is not None else max(0, min(4, (os.cpu_count() or 1) - 1)),
            val=state.val,
            val_jpeg=jpeg_copies(state.val, self.work / "val_jpeg90"),
        )
        plan = SplitPlan(state.train, state.val, list(state.skipped), list(state.warnings))
        what = "; only the head learns (the backbone stays frozen)" if head_only else ""
        self._emit(
            TrainProgress("prepare", state.epoch, cfg.epochs, 0, steps, detail=f"{plan.describe()}; {dev.name}{what}")
        )
        return s

    def _train_epoch(self, s: _Session, state: TrainState) -> str | None:
        """The training steps of one epoch, from where the checkpoint left off; "cancelled" when stopped."""
        import torch

        cfg = self.cfg
        epoch, start = state.epoch, state.step_in_epoch
        s.dataset.set_plan(epoch_plan(s.weights, s.steps * s.per_batch, cfg.seed, epoch), epoch, start * s.per_batch)
        loader: Any = torch.utils.data.DataLoader(
            s.dataset,  # type: ignore[arg-type]  # a map-style dataset (__len__, __getitem__), not a torch subclass
            batch_size=s.per_batch,
            shuffle=False,
            num_workers=s.workers,
            collate_fn=collate,
            pin_memory=s.cuda,
            persistent_workers=False,
            prefetch_factor=4 if s.workers else None,
        )
        s.model.train()
        if s.head_only:  # frozen features, as they were when the head was fitted: no dropout in the backbone
            s.model.eval()
            s.model.get_classifier().train()
        s.t_epoch = time.monotonic()
        losses = state.epoch_losses if start else []
        step = start
        for x, y in loader:
            if self._cancel.is_set():
                return "cancelled"
            torch.manual_seed(cfg.seed * 1_000_003 + state.global_step)  # dropout: same on resume
            loss = self._step(s, state, x, y, last=step + 1 == s.steps)
            step += 1
            losses.append(loss)
            if state.first_loss is None:  # the first step's loss is the starting weights' (before any update)
                state.first_loss = loss
            if not math.isfinite(loss):
                state.diverged = True
                return "diverged"
            s.crops_seen += x.shape[0]
            now = time.monotonic()
            rate = s.crops_seen / max(1e-6, now - s.t_rate)
            remaining = (cfg.epochs - epoch) * s.steps - step
            eta = remaining * s.per_batch * cfg.crops_per_image / rate if rate > 0 else None
            shown = float(np.mean(losses[-20:]))
            self._log(
                {
                    "event": "loss",
                    "epoch": epoch + 1,
                    "step": step,
                    "steps": s.steps,
                    "loss": shown,
                    "global_step": state.global_step,
                }
            )
            self._emit(
                TrainProgress(
                    "train", epoch + 1, cfg.epochs, step, s.steps, shown, s.opt.param_groups[0]["lr"], rate, eta
                )
            )
            state.step_in_epoch = step
            state.epoch_losses = losses
            due_steps = cfg.checkpoint_every_steps and state.global_step % cfg.checkpoint_every_steps == 0
            if step < s.steps and (due_steps or now - s.last_ck > cfg.checkpoint_every_s):
                self._save(s, state, with_best=False)
        return None

    def _step(self, s: _Session, state: TrainState, x: Any, y: Any, last: bool) -> float:
        """One forward/backward pass (an optimizer step every `accum` passes); returns the loss."""
        import torch

        cfg = self.cfg
        x = x.to(s.device, non_blocking=True).permute(0, 3, 1, 2).float()
        x = ((x - s.mean) / s.std).contiguous(memory_format=torch.channels_last)
        y = y.to(s.device)
        for g in s.opt.param_groups:
            g["lr"] = _lr_at(state.global_step // cfg.accum, s.total_opt, s.warmup, s.lr, cfg.min_lr_ratio)
        with torch.autocast(device_type="cuda", dtype=s.amp_dtype, enabled=s.cuda):
            loss = s.loss_fn(s.model(x).reshape(-1).float(), y)
        try:
            s.scaler.scale(loss / cfg.accum).backward()
        except torch.OutOfMemoryError as e:
            raise TrainOutOfMemoryError(
                f"Out of GPU memory at batch {cfg.batch}: lower the batch size (and raise --accum to keep "
                "the effective batch), or train on the CPU."
            ) from e
        state.global_step += 1
        if state.global_step % cfg.accum == 0 or last:
            s.scaler.step(s.opt)
            s.scaler.update()
            s.opt.zero_grad(set_to_none=True)
        return float(loss.detach())

    def _end_epoch(self, s: _Session, state: TrainState) -> str:
        """Validate (few tiles per image, as-is and as JPEG q90), keep the best weights, checkpoint; returns
        "finished" to go on, "stopped_early" (patience ran out) or "cancelled"."""
        cfg = self.cfg
        epoch = state.epoch
        losses = state.epoch_losses
        mean_loss = float(np.mean(losses)) if losses else float("nan")
        if diverging(mean_loss, state.first_loss):
            state.diverged = True
        score, auc, auc_j = self._validate(s.model, cfg, s.base_card, s.val, s.val_jpeg, epoch, s.dev.kind)
        s.model.train()
        # without a usable validation AUC the latest epoch counts as the best
        # without a usable validation AUC the latest epoch counts as the best; weights that diverged never do
        is_best = not state.diverged and (math.isnan(score) or state.best_score is None or score > state.best_score)
        if is_best:
            state.best_score = None if math.isnan(score) else score
            state.best_epoch = epoch + 1
            state.bad_epochs = 0
            s.best_sd = _cpu_copy(s.model)
        else:
            state.bad_epochs += 1
        ev = EpochEnd(epoch + 1, cfg.epochs, mean_loss, auc, auc_j, score, is_best, time.monotonic() - s.t_epoch)
        state.history.append(asdict(ev))
        state.epoch, state.step_in_epoch, state.epoch_losses = epoch + 1, 0, []
        self._emit(ev)
        stop = state.bad_epochs >= cfg.patience and state.epoch < cfg.epochs
        state.stopped_early = state.stopped_early or stop
        self._save(s, state)
        if state.diverged:
            return "diverged"
        if stop:
            return "stopped_early"
        return "cancelled" if self._cancel.is_set() else "finished"

    def _baseline(self, s: _Session, state: TrainState) -> None:
        """Epoch 0 of a fine-tune: the installed model's own validation score. Its weights are the best until an
        epoch beats them, so a run that only makes things worse ends with the model it started from."""
        score, auc, auc_j = self._validate(s.model, self.cfg, s.base_card, s.val, s.val_jpeg, -1, s.dev.kind)
        if not math.isnan(score):
            state.best_score, state.best_epoch = score, 0
        s.best_sd = _cpu_copy(s.model)
        ev = EpochEnd(0, self.cfg.epochs, float("nan"), auc, auc_j, score, True, 0.0)
        state.history.append(asdict(ev))
        self._emit(ev)
        self._save(s, state)  # with the best weights: a run stopped in epoch 1 still ends with these

    def _save(self, s: _Session, state: TrainState, with_best: bool = True) -> None:
        """Checkpoint the run; mid-epoch (`with_best=False`) the best weights on disk are kept as they are."""
        snapshot = replace(state, elapsed_s=state.elapsed_s + (time.monotonic() - s.t_run))
        save_checkpoint(
            self.ckdir, s.model.state_dict(), s.opt.state_dict(), snapshot.to_dict(), s.best_sd if with_best else None
        )
        s.last_ck = time.monotonic()

    def _card(self, cfg: TrainConfig, base: ModelCard | None) -> ModelCard:
        model_id = cfg.model_id or self.out.name or "model"
        mean, std = _norm_stats(cfg.arch, base, cfg.init)
        return ModelCard(
            id=model_id,
            display_name=cfg.display_name or model_id,
            arch=cfg.arch,
            input_mode=cfg.mode,
            crop_size=cfg.crop,
            mean=mean,
            std=std,
            max_tiles=base.max_tiles if base is not None else None,  # a fine-tuned model is as slow as its base
            weights_dtype=cfg.weights_dtype,
        )

    def _validate(self, model, cfg, base_card, val, val_jpeg, epoch, kind) -> tuple[float, float, float]:
        if not val:
            return math.nan, math.nan, math.nan
        det = Detector(Bundle(self._card(cfg, base_card), self.out), kind, model=model)
        labels = {s.path: s.label for s in val}

        def progress(phase: str, done: int, total: int) -> None:
            self._emit(TrainProgress("validate", epoch + 1, cfg.epochs, done, total, detail=phase))

        aucs = []
        for paths, key in (([s.path for s in val], lambda p: p), (list(val_jpeg.values()), None)):
            res = score_paths(det, paths, max_tiles=cfg.val_tiles, on_progress=progress, cancel=self._cancel)
            if key is None:
                back = {v: k for k, v in val_jpeg.items()}
                pairs = [(labels[back[p]], r.probability) for p, r in res.items() if r.ok and p in back]
            else:
                pairs = [(labels[p], r.probability) for p, r in res.items() if r.ok and p in labels]
            y = np.array([a for a, _ in pairs])
            p = np.array([b for _, b in pairs])
            aucs.append(_safe_auc(y, p) if len(y) else math.nan)
        finite = [a for a in aucs if not math.isnan(a)]
        return (float(np.mean(finite)) if finite else math.nan), aucs[0], aucs[1]

    def _finish(
        self,
        model: Any,
        cfg: TrainConfig,
        base_card: ModelCard | None,
        val: list[Sample],
        state: TrainState,
        status: str,
        device_name: str,
    ) -> TrainFinished:

        self._emit(
            TrainProgress("evaluate", state.epoch, cfg.epochs, 0, len(val), detail="final validation (all tiles)")
        )
        card = self._card(cfg, base_card)
        det = Detector(Bundle(card, self.out), resolve_device(cfg.device).kind, model=model)

        def progress(phase: str, done: int, total: int) -> None:
            self._emit(TrainProgress("evaluate", state.epoch, cfg.epochs, done, total, detail=phase))

        report: EvalReport | None = None
        if val and len({s.label for s in val}) == 2:
            report = evaluate(
                det,
                val,
                choose_threshold=True,
                max_tiles=cfg.final_max_tiles,
                jpeg_dir=self.work / "val_jpeg90",
                on_progress=progress,
            )
            threshold, band = report.threshold, report.band
        else:
            threshold, band = 0.5, (0.35, 0.65)
        training, metrics = card_records(cfg, state, val, status, device_name, report)
        card = card.with_(
            threshold=float(threshold),
            unsure_band=(float(band[0]), float(band[1])),
            training=training,
            metrics=metrics,
            description=(base_card.description + " — fine-tuned" if base_card else "Trained with miwake train."),
        )
        bundle, report_path = self._write_artefacts(model, card, report, status)
        fin = TrainFinished(status, str(bundle.path), bundle.card.to_dict(), state.history, report_path)
        self._emit(fin)
        return fin

    def _write_artefacts(
        self, model: Any, card: ModelCard, report: EvalReport | None, status: str
    ) -> tuple[Bundle, str | None]:
        """The model bundle, the validation report and ROC, the run's summary; then the checkpoint and the derived
        validation images go (the run is complete). Returns the bundle and the report's path."""
        sd = {k: v for k, v in model.state_dict().items()}
        bundle = save_bundle(self.out, card, sd)
        report_path = None
        if report is not None:
            report_path = str(self.work / "validation_report.json")
            Path(report_path).write_text(json.dumps(report.to_dict(), indent=1), encoding="utf-8")
            write_roc_png(report, self.work / "roc.png", title=f"{card.id}: validation ROC")
        (self.work / "summary.json").write_text(json.dumps({"status": status, "card": bundle.card.to_dict()}, indent=1))
        # the run is complete: its checkpoint and derived images are no longer needed
        shutil.rmtree(self.ckdir, ignore_errors=True)
        shutil.rmtree(self.work / "val_jpeg90", ignore_errors=True)
        return bundle, report_path


def card_records(
    cfg: TrainConfig, state: TrainState, val: list[Sample], status: str, device_name: str, report: EvalReport | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a trained model's card says of its training (data, settings, run) and its validation figures."""
    import torch

    data = {
        "train": summarize(state.train),
        "validation": summarize(val),
        "validation_sources": sorted({s.source for s in val}),
        "skipped_images": len(state.skipped),
        "split_warnings": state.warnings,
    }
    training = {
        "data": data,
        "init": state.init,
        "config": cfg.to_dict(),
        "command": cfg.command,
        "epochs_run": state.epoch,
        "best_epoch": state.best_epoch,
        "status": status,
        "duration_s": round(state.elapsed_s, 1),
        "hardware": f"{device_name}; torch {torch.__version__}; {platform.processor() or platform.machine()}",
        "history": state.history,
    }
    metrics: dict[str, Any] = {}
    if report is not None:
        metrics = {
            **{k: v for k, v in report.metrics.items()},
            "jpeg90": report.metrics_jpeg90,
            "per_source": report.per_source,
            "per_source_jpeg90": report.per_source_jpeg90,
            "evaluated_on": "validation split (held-out sources), full-image tiling",
        }
    return training, metrics
