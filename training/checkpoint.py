"""Training checkpoints without pickle: tensors in safetensors, everything else in JSON.

`<out>/checkpoint/` holds model.safetensors, optimizer.safetensors, best.safetensors and state.json.
Each save writes a fresh folder and swaps it in by rename, so a kill during a save leaves the previous
checkpoint intact.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any


def _flatten_optimizer(opt_state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    tensors: dict[str, Any] = {}
    meta: dict[str, Any] = {"param_groups": opt_state["param_groups"], "state": {}}
    for idx, st in opt_state["state"].items():
        entry = {}
        for k, v in st.items():
            if hasattr(v, "shape"):
                tensors[f"{idx}.{k}"] = v.detach().cpu().contiguous()
                entry[k] = "__tensor__"
            else:
                entry[k] = v
        meta["state"][str(idx)] = entry
    return tensors, meta


def _unflatten_optimizer(tensors: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    state = {}
    for idx, entry in meta["state"].items():
        state[int(idx)] = {k: (tensors[f"{idx}.{k}"] if v == "__tensor__" else v) for k, v in entry.items()}
    return {"state": state, "param_groups": meta["param_groups"]}


def save_checkpoint(
    folder: Path,
    model_sd: dict[str, Any],
    opt_sd: dict[str, Any],
    state: dict[str, Any],
    best_sd: dict[str, Any] | None = None,
) -> None:
    from safetensors.torch import save_file

    folder = Path(folder)
    tmp = folder.with_name(folder.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file({k: v.detach().cpu().contiguous() for k, v in model_sd.items()}, str(tmp / "model.safetensors"))
    tensors, meta = _flatten_optimizer(opt_sd)
    save_file(tensors, str(tmp / "optimizer.safetensors"))
    if best_sd is not None:
        save_file({k: v.detach().cpu().contiguous() for k, v in best_sd.items()}, str(tmp / "best.safetensors"))
    elif (folder / "best.safetensors").exists():
        shutil.copy2(folder / "best.safetensors", tmp / "best.safetensors")
    (tmp / "state.json").write_text(json.dumps({**state, "optimizer_meta": meta}, indent=1), encoding="utf-8")
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)


def load_checkpoint(folder: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """(model state dict, optimizer state dict, state, best state dict or None)."""
    from safetensors.torch import load_file

    folder = Path(folder)
    if not (folder / "state.json").exists():
        old = folder.with_name(folder.name + ".old")  # killed between the two renames
        if (old / "state.json").exists():
            folder = old
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    meta = state.pop("optimizer_meta")
    opt = _unflatten_optimizer(load_file(str(folder / "optimizer.safetensors")), meta)
    best = load_file(str(folder / "best.safetensors")) if (folder / "best.safetensors").exists() else None
    return load_file(str(folder / "model.safetensors")), opt, state, best


def has_checkpoint(folder: Path) -> bool:
    folder = Path(folder)
    return (folder / "state.json").exists() or (folder.with_name(folder.name + ".old") / "state.json").exists()
