"""Installed detector models: bundled ones (read-only, `resources/models/`) and the user's own
(`<user data>/models/`). Import validates everything before a single byte lands in place; an
installed model is only ever replaced by an atomic rename, so a broken or half-copied file never
replaces a working model.

Ids are unique across both places; `builtin:ID` / `user:ID` pick one explicitly.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from . import paths
from .bundle import (
    ARCHIVE_SUFFIX,
    CARD_NAME,
    WEIGHTS_NAME,
    Bundle,
    read_bundle,
    refuse_pickle,
    write_archive,
)
from .errors import BundleError, ModelNotFoundError, ReadOnlyModelError
from .model_factory import validate_bundle

log = logging.getLogger(__name__)

DEFAULT_MODEL_ID = "default"


class ModelRegistry:
    def __init__(self, builtin_dir: Path | None = None, user_dir: Path | None = None) -> None:
        self.builtin_dir = builtin_dir if builtin_dir is not None else paths.bundled_models_dir()
        self._user_dir = user_dir
        self.broken: dict[str, str] = {}  # model folders that could not be read (found by `list()`): path -> why

    @property
    def user_dir(self) -> Path:
        """The user's models folder, created on first use (installing); reading never creates it."""
        d = self._user_models_path()
        d.mkdir(parents=True, exist_ok=True)
        return d

    def _user_models_path(self) -> Path:
        return self._user_dir if self._user_dir is not None else paths.user_models_dir()

    def _scan_dir(self, folder: Path, source: str) -> list[Bundle]:
        out: list[Bundle] = []
        try:
            subs = sorted(folder.iterdir()) if folder.is_dir() else []
        except OSError as e:
            log.warning("Cannot list the models folder %s: %s", folder, e)
            return out
        for sub in subs:
            try:
                if not (sub / CARD_NAME).is_file():
                    continue
                out.append(read_bundle(sub, source=source))
            except Exception as e:  # one broken folder must not break every command: listed as broken, skipped
                self.broken[str(sub)] = str(e) if isinstance(e, BundleError) else f"{type(e).__name__}: {e}"
                log.warning("Skipping model folder %s: %s", sub, e)
        return out

    def list(self) -> list[Bundle]:
        """Bundled models first, then the user's; a user model never shadows a bundled id."""
        builtin = self._scan_dir(self.builtin_dir, "builtin")
        ids = {b.id for b in builtin}
        user = [b for b in self._scan_dir(self._user_models_path(), "user") if b.id not in ids]
        return builtin + user

    def get(self, model_id: str) -> Bundle:
        source = None
        if ":" in model_id:
            source, model_id = model_id.split(":", 1)
            if source not in ("builtin", "user"):
                raise ModelNotFoundError(f"Unknown model source {source!r}: use builtin:ID or user:ID.")
        for b in self.list():
            if b.id == model_id and (source is None or b.source == source):
                return b
        known = ", ".join(b.id for b in self.list()) or "none"
        raise ModelNotFoundError(f"No installed model is called {model_id!r} (installed: {known}).")

    def active_id(self, chosen: str | None) -> str:
        """`chosen` (the user's choice, kept in settings: `core.model_choice`) when it is installed, else the
        bundled default, else the first installed model."""
        ids = [b.id for b in self.list()]
        if chosen and chosen in ids:
            return chosen
        if DEFAULT_MODEL_ID in ids:
            return DEFAULT_MODEL_ID
        if ids:
            return ids[0]
        raise ModelNotFoundError(
            "No detector model is installed. Import one with `miwake models import FILE` "
            "or reinstall Miwake (it ships a default model)."
        )

    def active(self, chosen: str | None) -> Bundle:
        return self.get(self.active_id(chosen))

    def import_bundle(
        self, source: str | os.PathLike[str], *, replace: bool = False, new_id: str | None = None
    ) -> Bundle:
        """Validate and install a bundle folder or `.miwake` file into the user models folder."""
        src = Path(source)
        refuse_pickle(src)
        bundle = read_bundle(src)
        if new_id:
            bundle = Bundle(bundle.card.with_(id=new_id), bundle.path, bundle.source)
        validate_bundle(bundle)
        if any(b.id == bundle.id and b.source == "builtin" for b in self.list()):
            raise BundleError(f"{bundle.id!r} is the id of a bundled model; import it under another id.")
        dest = self.user_dir / bundle.id
        if dest.exists() and not replace:
            raise BundleError(f"A model called {bundle.id!r} is already installed (use --replace to overwrite it).")
        staging = Path(tempfile.mkdtemp(prefix=f".import-{bundle.id}-", dir=self.user_dir))
        try:
            (staging / WEIGHTS_NAME).write_bytes(bundle.weights_bytes())
            (staging / CARD_NAME).write_text(
                json.dumps(bundle.card.to_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8"
            )
            installed = read_bundle(staging, source="user")
            validate_bundle(installed)  # what landed on disk, not what we meant to write
            if dest.exists():
                trash = dest.with_name(f".old-{bundle.id}-{os.getpid()}")
                os.replace(dest, trash)
                os.replace(staging, dest)
                shutil.rmtree(trash, ignore_errors=True)
            else:
                os.replace(staging, dest)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        log.info("Installed model %s into %s", bundle.id, dest)
        return read_bundle(dest, source="user")

    def export(self, model_id: str, dest: str | os.PathLike[str]) -> Path:
        """Write a model as one `.miwake` file for sharing."""
        b = self.get(model_id)
        d = Path(dest)
        if d.is_dir():
            d = d / f"{b.id}{ARCHIVE_SUFFIX}"
        return write_archive(b, d)

    def delete(self, model_id: str) -> Bundle:
        """Remove a user model's folder (bundled ones stay); returns what was removed."""
        b = self.get(model_id)
        if b.read_only:
            raise ReadOnlyModelError(f"{b.id!r} is bundled with Miwake and cannot be deleted.")
        shutil.rmtree(b.path)
        return b
