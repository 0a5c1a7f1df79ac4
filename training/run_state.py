"""A retraining run as plain data, remembered in `<data_dir>/retrain/<run-id>/run.json` (Qt-free).

The folder holds everything the run makes: `generated/` (Stable Diffusion images), `reconstructed/<n>-<name>/`
(VAE round trips of each human-made folder), `model/` (the bundle the training writes, with `model/training/`
for its checkpoint and reports), `compare/` (the previous model's scores on the same validation images) and
`run.json` (these settings and how far the run got). Reopening the wizard offers to continue an unfinished run;
generation and training resume on their own (finished images are skipped, training continues from its checkpoint).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from miwake.core import atomic, paths

from .augment import AugmentConfig
from .generate import GenerateConfig
from .init_weights import STARTING_MODEL
from .jobs import GenerateJob, ReconstructJob
from .plain import from_plain, to_plain
from .train import TrainConfig

log = logging.getLogger(__name__)

STATE_NAME = "run.json"
_ID_RE = re.compile(r"^\w[\w.-]{0,63}$")


class Stage(str, Enum):
    SETUP = "setup"  # pages 1-3: nothing on disk yet
    GENERATING = "generating"  # AI images being made (page 4)
    GENERATED = "generated"  # all AI images there; training not started
    TRAINING = "training"  # page 6 (a checkpoint may exist)
    TRAINED = "trained"  # a bundle in model/, not installed yet
    INSTALLED = "installed"
    DISCARDED = "discarded"


UNFINISHED = (Stage.GENERATING, Stage.GENERATED, Stage.TRAINING, Stage.TRAINED)


@dataclass
class GenerationSettings:
    enabled: bool = False  # generating needs a model the user chooses (a multi-GB download, or a local file)
    model: str = ""  # Hub id, diffusers folder or .safetensors checkpoint (also used for reconstructions)
    prompt_mode: str = "preset"  # preset | custom
    preset: str = "illustration"
    prompts_text: str = ""  # custom prompts, one per line (saved to prompts.txt for the job)
    count: int = 500
    width: int | None = None  # None: the model family's default
    height: int | None = None
    steps: int = 30
    guidance: float | None = None  # None: the family's default
    seed: int = 0
    device: str = "auto"
    cpu_offload: bool = False
    batch: int = 1
    reconstruct: bool = False
    existing: list[str] = field(default_factory=list)  # folders of AI images the user already has


@dataclass
class TrainSettings:
    arch: str = "tf_efficientnetv2_b0"
    init: str = STARTING_MODEL  # an installed model id (the bundled detector: works offline) | imagenet | random
    mode: str = "crop"
    crop: int = 256
    epochs: int = 10
    batch: int = 32
    augment: bool = True
    device: str = "auto"
    workers: int | None = None  # data-loading processes (None: the training API's default)


@dataclass
class RunState:
    run_id: str = ""
    created: str = ""
    stage: Stage = Stage.SETUP
    goal: str = "new"  # new | finetune
    base_model: str = ""  # fine-tuned model, or the model the new one is compared with ("" = none)
    model_id: str = ""
    human: list[str] = field(default_factory=list)
    gen: GenerationSettings = field(default_factory=GenerationSettings)
    train: TrainSettings = field(default_factory=TrainSettings)
    done_jobs: list[str] = field(default_factory=list)  # generation jobs that finished ("generate", "reconstruct:0")
    bundle_path: str = ""
    report_path: str = ""
    installed_id: str = ""

    # -- folders ------------------------------------------------------------------------------------------------
    @property
    def folder(self) -> Path:
        if not self.run_id:
            raise ValueError("the run has no id yet")
        return runs_dir() / self.run_id

    @property
    def generated_dir(self) -> Path:
        return self.folder / "generated"

    @property
    def reconstructed_root(self) -> Path:
        return self.folder / "reconstructed"

    def reconstructed_dir(self, index: int) -> Path:
        name = "".join(c if c.isalnum() or c in "-_" else "_" for c in Path(self.human[index]).name)[:40] or "images"
        return self.reconstructed_root / f"{index + 1}-{name}"

    @property
    def model_dir(self) -> Path:
        return self.folder / "model"

    @property
    def compare_dir(self) -> Path:
        return self.folder / "compare"

    @property
    def prompts_file(self) -> Path:
        return self.folder / "prompts.txt"

    def ai_folders(self) -> list[str]:
        """Every folder of AI images this run trains on (those that exist)."""
        out: list[str] = []
        if self.run_id and self.gen.enabled and self.generated_dir.is_dir():
            out.append(str(self.generated_dir))
        if self.run_id and self.gen.reconstruct:
            out += [
                str(self.reconstructed_dir(i)) for i in range(len(self.human)) if self.reconstructed_dir(i).is_dir()
            ]
        return out + [f for f in self.gen.existing if Path(f).is_dir()]

    def made_folders(self) -> list[Path]:
        """The folders of images this run made (generated and reconstructed), for "open" and "delete"."""
        if not self.run_id:
            return []
        return [d for d in (self.generated_dir, self.reconstructed_root) if d.exists()]

    # -- jobs -----------------------------------------------------------------------------------------------------
    def uses_sd(self) -> bool:
        return self.gen.enabled or self.gen.reconstruct

    def generation_jobs(self) -> list[tuple[str, GenerateJob | ReconstructJob]]:
        """(key, job) of each generation job, in order; finished ones included."""
        jobs: list[tuple[str, GenerateJob | ReconstructJob]] = []
        g = self.gen
        if g.enabled:
            prompts = str(self.prompts_file) if g.prompt_mode == "custom" else g.preset
            cfg = GenerateConfig(
                model=g.model,
                out_dir=self.generated_dir,
                prompts=prompts,
                count=g.count,
                width=g.width,
                height=g.height,
                steps=g.steps,
                guidance=g.guidance,
                seed=g.seed,
                device=g.device,
                cpu_offload=g.cpu_offload,
                batch_size=g.batch,
            )
            jobs.append(("generate", GenerateJob(cfg)))
        if g.reconstruct:
            for i, folder in enumerate(self.human):
                jobs.append(
                    (
                        f"reconstruct:{i}",
                        ReconstructJob(
                            model=g.model, real_dir=folder, out_dir=str(self.reconstructed_dir(i)), device=g.device
                        ),
                    )
                )
        return jobs

    def write_prompts(self) -> None:
        if self.gen.enabled and self.gen.prompt_mode == "custom":
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic.write_text(self.prompts_file, self.gen.prompts_text.strip() + "\n")

    def train_config(self, display_name: str | None = None) -> TrainConfig:
        """The training of this run into `model/`."""
        t = self.train
        return TrainConfig(
            out_dir=str(self.model_dir),
            arch=t.arch,
            init=t.init,
            mode=t.mode,
            crop=t.crop,
            epochs=t.epochs,
            batch=t.batch,
            device=t.device,
            model_id=self.model_id,
            display_name=display_name or self.model_id,
            workers=t.workers,
            command="Miwake retraining wizard",
            augment=AugmentConfig() if t.augment else AugmentConfig.off(),
        )

    # -- persistence ----------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {**to_plain(self), "format": 1}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunState:
        """Lenient: a `run.json` of another version keeps what this one knows."""
        return from_plain(cls, d, strict=False)

    def start(self) -> None:
        """Give the run its id and folder (once)."""
        if self.run_id:
            return
        now = datetime.now()
        base = f"{now:%Y%m%d-%H%M%S}-{safe_name(self.model_id)}"
        run_id, n = base, 1
        while (runs_dir() / run_id).exists():
            n += 1
            run_id = f"{base}-{n}"
        self.run_id = run_id
        self.created = now.isoformat(timespec="seconds")
        self.folder.mkdir(parents=True, exist_ok=True)

    def save(self) -> None:
        if not self.run_id:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / STATE_NAME
        atomic.write_text(path, json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, folder: Path) -> RunState:
        state = cls.from_dict(json.loads((folder / STATE_NAME).read_text(encoding="utf-8")))
        state.run_id = folder.name
        return state


def runs_dir() -> Path:
    return paths.data_dir() / "retrain"


def safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[:40] or "model"


def valid_model_id(text: str) -> bool:
    """A plain id: a word character first, then word characters, dots and dashes; at most 64."""
    return bool(_ID_RE.match(text)) and text not in (".", "..")


def unfinished_runs() -> list[RunState]:
    """Runs that stopped before the model was installed or discarded, newest first."""
    root = runs_dir()
    if not root.is_dir():
        return []
    runs = []
    for sub in root.iterdir():
        if not (sub / STATE_NAME).is_file():
            continue
        try:
            state = RunState.load(sub)
        except (OSError, ValueError, TypeError, KeyError) as e:
            log.warning("Skipping the unreadable retraining run %s: %s", sub, e)
            continue
        if state.stage in UNFINISHED:
            runs.append(state)
    return sorted(runs, key=lambda s: (s.created, s.run_id), reverse=True)
