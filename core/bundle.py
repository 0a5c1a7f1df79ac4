"""Detector model bundles: `model.json` (the model card) + `model.safetensors`, or both zipped as `.miwake`.

Only safetensors weights are ever loaded. Pickle-based files (`.pt`, `.pth`, `.ckpt`, `.bin`, `.pkl`)
are refused: unpickling runs arbitrary code, and model files travel between people.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import zipfile
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import atomic
from .errors import BundleError, BundleNotFoundError, UnsafeModelFormatError

CARD_NAME = "model.json"
WEIGHTS_NAME = "model.safetensors"
ARCHIVE_SUFFIX = ".miwake"
CARD_FORMAT = 1
PICKLE_SUFFIXES = frozenset({".pt", ".pth", ".ckpt", ".bin", ".pkl", ".pickle", ".joblib"})
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_MAX_CARD_BYTES = 1 << 20
_MAX_WEIGHTS_BYTES = 4 << 30


@dataclass(frozen=True)
class ModelCard:
    """Everything needed to run and judge a detector; preprocessing travels with the weights."""

    id: str
    display_name: str
    arch: str  # any timm model name; one output logit (AI)
    input_mode: str = "crop"  # "crop" (native-resolution tiles) or "resize" (resize + centre crop)
    crop_size: int = 256
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    interpolation: str = "bicubic"  # resize mode only
    threshold: float = 0.5
    unsure_band: tuple[float, float] = (0.35, 0.65)
    aggregation: str = "mean_logit"
    # the most tiles per image this model was validated and timed with; None = core.tiling's default (64).
    # A slow model can keep large images affordable: tiles stay spread over the whole image.
    max_tiles: int | None = None
    description: str = ""
    license: str = ""
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    weights_sha256: str = ""
    weights_dtype: str = "float32"
    format_version: int = CARD_FORMAT
    # the card's words in other languages: {"ja": {"display_name": ..., "description": ...}}; figures stay in
    # `metrics`/`training` (the app words them itself). Older Miwake versions ignore it.
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if not _is_safe_id(self.id):
            problems.append(
                f"id {str(self.id)[:80]!r} must be a plain name: 1-{MAX_ID_LENGTH} characters, no path or control "
                "characters, not starting with . = + - @"
            )
        if not isinstance(self.display_name, str) or len(self.display_name) > 200 or _CONTROL.search(self.display_name):
            problems.append("display_name must be text of at most 200 characters without control characters")
        if not isinstance(self.arch, str) or not _ARCH_NAME.match(self.arch):
            problems.append(
                f"arch {str(self.arch)[:80]!r} must be a plain timm architecture name (hub names are refused)"
            )
        if self.input_mode not in ("crop", "resize"):
            problems.append(f"input_mode must be 'crop' or 'resize', not {self.input_mode!r}")
        if not (16 <= int(self.crop_size) <= 4096):
            problems.append(f"crop_size {self.crop_size} out of range 16..4096")
        if self.max_tiles is not None and not (1 <= int(self.max_tiles) <= 4096):
            problems.append(f"max_tiles {self.max_tiles} out of range 1..4096")
        if (
            len(self.mean) != 3
            or len(self.std) != 3
            or not all(math.isfinite(v) for v in (*self.mean, *self.std))
            or any(s <= 1e-6 for s in self.std)
        ):
            problems.append("mean/std must be three finite numbers (std > 0)")
        lo, hi = self.unsure_band
        if not (0.0 <= lo <= self.threshold <= hi <= 1.0):
            problems.append(
                f"need 0 <= unsure_band[0] ({lo}) <= threshold ({self.threshold}) <= unsure_band[1] ({hi}) <= 1"
            )
        if self.aggregation not in AGGREGATIONS:
            problems.append(f"aggregation {self.aggregation!r} unknown (known: {', '.join(AGGREGATIONS)})")
        problems += _translation_problems(self.translations)
        if problems:
            raise BundleError("Invalid model card: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["mean"], d["std"], d["unsure_band"] = list(self.mean), list(self.std), list(self.unsure_band)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelCard:
        if not isinstance(d, dict):
            raise BundleError("Invalid model card: not a JSON object.")
        missing = [k for k in ("id", "display_name", "arch", "weights_sha256") if not d.get(k)]
        if missing:
            raise BundleError(f"Invalid model card: missing {', '.join(missing)}.")
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        try:
            for k in ("mean", "std", "unsure_band"):
                if k in kw:
                    kw[k] = tuple(float(v) for v in kw[k])
            for k in ("threshold",):
                if k in kw:
                    kw[k] = float(kw[k])
            if "crop_size" in kw:
                kw["crop_size"] = int(kw["crop_size"])
            if kw.get("max_tiles") is not None:
                kw["max_tiles"] = int(kw["max_tiles"])
            if int(kw.get("format_version", 1)) > CARD_FORMAT:
                raise BundleError("This model was made by a newer Miwake; update Miwake to use it.")
            return cls(**kw)
        except (TypeError, ValueError, OverflowError, AttributeError) as e:  # Infinity, lists where text belongs…
            raise BundleError(f"Invalid model card: {e}") from e

    def with_(self, **changes: Any) -> ModelCard:
        return replace(self, **changes)

    def display_name_in(self, language: str) -> str:
        """The name in `language` ("ja"), where the card has it; else the card's own."""
        return self.translations.get(language, {}).get("display_name") or self.display_name

    def description_in(self, language: str) -> str:
        return self.translations.get(language, {}).get("description") or self.description


AGGREGATIONS = ("mean_logit", "max_logit")
MAX_ID_LENGTH = 100
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_ARCH_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")


_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_TRANSLATED = {"display_name": 200, "description": 8000}  # what a card may translate, and its longest text


def _translation_problems(translations: object) -> list[str]:
    """What is wrong with a card's `translations` (a model file is untrusted input: plain text, bounded)."""
    if not isinstance(translations, dict) or len(translations) > 50:
        return ["translations must be an object of at most 50 languages"]
    for lang, words in translations.items():
        if not isinstance(lang, str) or not _LANGUAGE.match(lang):
            return [f"translations: {str(lang)[:20]!r} is no language code (such as 'ja')"]
        if not isinstance(words, dict) or not set(words) <= set(_TRANSLATED):
            return [f"translations[{lang!r}] may hold only {', '.join(_TRANSLATED)}"]
        for key, text in words.items():
            if not isinstance(text, str) or len(text) > _TRANSLATED[key] or _CONTROL.search(text):
                return [
                    f"translations[{lang!r}][{key!r}] must be text of at most {_TRANSLATED[key]} characters "
                    "without control characters"
                ]
    return []


def _is_safe_id(model_id: object) -> bool:
    """Ids become folder names, CSV cells and terminal text: plain, bounded, no formula or control characters."""
    return (
        isinstance(model_id, str)
        and 0 < len(model_id) <= MAX_ID_LENGTH
        and not _CONTROL.search(model_id)
        and not any(c in model_id for c in '/\\:*?"<>|')
        and model_id[0] not in ".=+-@ "
        and model_id == model_id.strip()
    )


def refuse_pickle(path: str | os.PathLike[str]) -> None:
    p = Path(path)
    if p.suffix.lower() in PICKLE_SUFFIXES:
        raise UnsafeModelFormatError(
            f"{p.name}: '{p.suffix}' files are Python pickles, which can run arbitrary code when loaded. "
            "Miwake only loads weights in the safetensors format (a Miwake bundle: model.json + "
            "model.safetensors, or a .miwake file). Ask the model's author for a safetensors export."
        )


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Bundle:
    """A model card and where its weights live (a folder or a `.miwake` archive)."""

    card: ModelCard
    path: Path
    source: str = "file"  # "builtin" | "user" | "file"

    @property
    def id(self) -> str:
        return self.card.id

    @property
    def read_only(self) -> bool:
        return self.source == "builtin"

    @property
    def key(self) -> str:
        """Identifies the exact weights: results are reused only for the same key."""
        return f"{self.card.id}@{self.card.weights_sha256[:16]}"

    def weights_bytes(self) -> bytes:
        if self.path.is_dir():
            refuse_pickle_folder(self.path)
            wp = self.path / WEIGHTS_NAME
            if not wp.is_file():
                raise BundleError(f"{self.path}: {WEIGHTS_NAME} is missing.")
            if wp.stat().st_size > _MAX_WEIGHTS_BYTES:
                raise BundleError(f"{wp}: weights larger than {_MAX_WEIGHTS_BYTES >> 30} GB.")
            return wp.read_bytes()
        return _read_member(self.path, WEIGHTS_NAME, _MAX_WEIGHTS_BYTES)

    def load_state_dict(self, verify: bool = True) -> dict[str, Any]:
        """The weights as float32 tensors; checks the sha256 against the card."""
        from safetensors import SafetensorError
        from safetensors.torch import load as st_load

        data = self.weights_bytes()
        if verify and sha256_bytes(data) != self.card.weights_sha256:
            raise BundleError(
                f"{self.path}: the weights do not match the checksum in the model card "
                "(damaged or incomplete copy). Re-install the model."
            )
        try:
            sd = st_load(data)
        except (SafetensorError, ValueError, OSError) as e:
            raise BundleError(f"{self.path}: not a valid safetensors file ({e}).") from e
        return {k: (v.float() if v.is_floating_point() else v) for k, v in sd.items()}


def refuse_pickle_folder(folder: Path) -> None:
    if not (folder / WEIGHTS_NAME).exists():
        for f in folder.iterdir():
            refuse_pickle(f)


def _read_member(archive: Path, name: str, limit: int) -> bytes:
    try:
        with zipfile.ZipFile(archive) as zf:
            try:
                info = zf.getinfo(name)
            except KeyError:
                for n in zf.namelist():
                    refuse_pickle(n)
                raise BundleError(f"{archive.name}: the archive has no {name}.") from None
            # A member may not unpack to much more than the archive itself: Miwake stores members uncompressed,
            # and weights barely compress, so a 4 MB file that claims gigabytes is a zip bomb, refused unread.
            budget = min(limit, 2 * archive.stat().st_size + (1 << 20))
            if info.file_size > budget:
                raise BundleError(
                    f"{archive.name}: {name} claims {info.file_size:,} bytes, more than this archive can hold "
                    f"(at most {budget:,}); damaged or malicious archive."
                )
            chunks, total = [], 0
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    total += len(chunk)
                    if total > budget:
                        raise BundleError(f"{archive.name}: {name} is larger than allowed.")
                    chunks.append(chunk)
            return b"".join(chunks)
    except zipfile.BadZipFile as e:
        raise BundleError(f"{archive.name}: not a valid .miwake archive (damaged or incomplete copy?).") from e


def read_bundle(path: str | os.PathLike[str], source: str = "file") -> Bundle:
    """Read the card of a bundle folder, a `model.json` inside one, or a `.miwake` archive.

    Weights are not read here (see `Bundle.load_state_dict` and `validate_bundle`).
    """
    p = Path(path)
    refuse_pickle(p)
    if p.is_file() and p.name == CARD_NAME:
        p = p.parent
    if p.is_dir():
        card_file = p / CARD_NAME
        if not card_file.is_file():
            refuse_pickle_folder(p)
            raise BundleError(f"{p}: not a Miwake bundle ({CARD_NAME} is missing).")
        if card_file.stat().st_size > _MAX_CARD_BYTES:
            raise BundleError(f"{card_file}: model card too large.")
        raw = card_file.read_bytes()
    elif p.is_file():
        if p.suffix.lower() == ".safetensors":
            raise BundleError(
                f"{p.name}: a bare weights file has no model card. Import the bundle folder (with {CARD_NAME}) "
                f"or a {ARCHIVE_SUFFIX} file."
            )
        raw = _read_member(p, CARD_NAME, _MAX_CARD_BYTES)
    else:
        raise BundleNotFoundError(f"{p}: no such file or folder.")
    try:
        card = ModelCard.from_dict(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BundleError(f"{p}: the model card is not valid JSON ({e}).") from e
    except RecursionError as e:
        raise BundleError(f"{p}: the model card is nested too deeply to be a model card.") from e
    return Bundle(card=card, path=p, source=source)


def serialize_weights(state_dict: dict[str, Any], dtype: str = "float32") -> bytes:
    import torch
    from safetensors.torch import save as st_save

    target = {"float16": torch.float16, "float32": torch.float32, "bfloat16": torch.bfloat16}[dtype]
    sd = {
        k: (v.detach().to("cpu", target) if v.is_floating_point() else v.detach().cpu()).contiguous()
        for k, v in state_dict.items()
    }
    return st_save(sd)


def save_bundle(folder: str | os.PathLike[str], card: ModelCard, state_dict: dict[str, Any]) -> Bundle:
    """Write a bundle folder; the card's checksum and creation date are filled in here."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    data = serialize_weights(state_dict, card.weights_dtype)
    card = card.with_(
        weights_sha256=sha256_bytes(data),
        created=card.created or datetime.now(UTC).isoformat(timespec="seconds"),
    )
    atomic.write_bytes(out / WEIGHTS_NAME, data)
    atomic.write_text(out / CARD_NAME, json.dumps(card.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return Bundle(card=card, path=out, source="file")


def write_archive(bundle: Bundle, dest: str | os.PathLike[str]) -> Path:
    """Pack a bundle into one `.miwake` file (a zip: model.json + model.safetensors)."""
    d = Path(dest)
    if d.suffix.lower() != ARCHIVE_SUFFIX:
        d = d.with_name(d.name + ARCHIVE_SUFFIX)
    weights = bundle.weights_bytes()
    with atomic.atomic_open(d, "wb") as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(CARD_NAME, json.dumps(bundle.card.to_dict(), indent=2, ensure_ascii=False) + "\n")
        zf.writestr(WEIGHTS_NAME, weights)
    return d


def format_metric(v: Any) -> str:
    if isinstance(v, float):
        return "n/a" if math.isnan(v) else f"{v:.3f}"
    return str(v)
