"""Prompt presets per domain and custom prompt files, for generating detector training data.

A detector learns what AI images of *your* domain look like, so presets mix a subject with a setting, a style and a
detail at random; the choice for image `i` depends only on (seed, i), so a resumed or extended run makes the same
prompts for the same file names.
"""

from __future__ import annotations

import logging
import os
import random
from dataclasses import dataclass
from pathlib import Path

from .generate_errors import PromptsError

log = logging.getLogger(__name__)

_MAX_FILE_BYTES = 4 << 20

_PHOTO_STYLES = (
    "a DSLR photo",
    "a 35mm film photo",
    "a smartphone photo",
    "a professional photograph",
    "a candid snapshot",
    "a travel photo",
    "a wide-angle photo",
    "a telephoto shot",
    "an editorial photograph",
    "a high-resolution photo",
)
_PHOTO_DETAILS = (
    "sharp focus",
    "natural colors",
    "soft light",
    "golden hour light",
    "overcast light",
    "dramatic lighting",
    "shallow depth of field",
    "high dynamic range",
    "slight film grain",
    "bokeh",
    "long exposure",
    "detailed textures",
)
_PHOTO_NEGATIVE = "text, watermark, logo, frame, border, lowres, blurry, deformed"


@dataclass(frozen=True)
class Preset:
    """A domain: prompts are `{style} of {subject}, {setting}, {detail}` with every part drawn at random."""

    name: str
    description: str
    subjects: tuple[str, ...]
    settings: tuple[str, ...]
    styles: tuple[str, ...] = _PHOTO_STYLES
    details: tuple[str, ...] = _PHOTO_DETAILS
    negative: str = _PHOTO_NEGATIVE

    def prompt(self, rng: random.Random) -> str:
        style, subject, setting = rng.choice(self.styles), rng.choice(self.subjects), rng.choice(self.settings)
        details = ", ".join(rng.sample(self.details, k=rng.randint(1, 2)))
        return f"{style} of {subject}, {setting}, {details}"


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "landmark",
            "famous buildings and monuments",
            subjects=(
                "the Eiffel Tower",
                "the Colosseum",
                "the Taj Mahal",
                "the Golden Gate Bridge",
                "Big Ben",
                "the Sagrada Familia",
                "Neuschwanstein Castle",
                "the Sydney Opera House",
                "Himeji Castle",
                "the Brandenburg Gate",
                "the Leaning Tower of Pisa",
                "Tower Bridge",
                "the Parthenon",
                "the Statue of Liberty",
                "Fushimi Inari shrine gates",
                "Notre-Dame de Paris",
                "the Alhambra",
                "Machu Picchu",
                "Petra's Treasury",
                "Saint Basil's Cathedral",
                "a Gothic cathedral",
                "an old lighthouse",
            ),
            settings=(
                "at sunrise",
                "at dusk",
                "at night with city lights",
                "under a clear blue sky",
                "on a rainy day",
                "in winter snow",
                "in spring with blossoms",
                "crowded with tourists",
                "seen from across the river",
                "from a low angle",
                "in autumn",
                "with dramatic clouds",
            ),
        ),
        Preset(
            "car",
            "cars outdoors",
            subjects=(
                "a red sports car",
                "a vintage convertible",
                "a white hatchback",
                "a black SUV",
                "a classic muscle car",
                "a small city car",
                "an electric sedan",
                "a pickup truck",
                "a station wagon",
                "a rally car",
                "a taxi",
                "a camper van",
                "a luxury coupe",
                "a rusty old car",
                "a compact crossover",
                "a roadster",
            ),
            settings=(
                "parked on a city street",
                "on a mountain road",
                "on a wet cobblestone street",
                "in a parking lot",
                "on a coastal highway",
                "in a desert",
                "in front of a suburban house",
                "on a gravel road in a forest",
                "at a gas station at night",
                "in the snow",
                "on a bridge",
                "in a countryside lane",
            ),
        ),
        Preset(
            "illustration",
            "anime and illustration",
            subjects=(
                "a girl with silver hair",
                "a young swordsman",
                "a cat sitting on a windowsill",
                "a witch on a broom",
                "a dragon curled around a tower",
                "a school girl with a backpack",
                "a knight in ornate armor",
                "a fox spirit",
                "a robot companion",
                "a cozy cafe interior",
                "a floating island",
                "a magical library",
                "a boy with headphones",
                "an elf archer",
                "a shrine maiden",
                "a space explorer",
            ),
            settings=(
                "in a flower field",
                "on a rooftop at sunset",
                "in a rainy city",
                "in a fantasy forest",
                "under cherry blossoms",
                "in a starry night",
                "by the sea",
                "in a neon-lit alley",
                "in a snowy village",
                "in a classroom",
                "inside a train",
                "among clouds",
            ),
            styles=(
                "an anime illustration",
                "a manga panel",
                "a digital painting",
                "a watercolor illustration",
                "a cel-shaded artwork",
                "a children's book illustration",
                "a concept art piece",
                "a pixiv-style drawing",
                "a light novel cover illustration",
                "a flat vector illustration",
                "a gouache painting",
                "a key visual",
            ),
            details=(
                "vibrant colors",
                "soft pastel palette",
                "detailed line art",
                "dramatic lighting",
                "masterpiece",
                "best quality",
                "highly detailed",
                "clean lines",
                "painterly brushwork",
                "cinematic composition",
            ),
            negative="lowres, bad anatomy, bad hands, text, watermark, signature, jpeg artifacts, blurry",
        ),
        Preset(
            "portrait",
            "people, head and shoulders",
            subjects=(
                "an elderly man with a beard",
                "a young woman with freckles",
                "a smiling child",
                "a middle-aged woman",
                "a man in a suit",
                "a teenager with curly hair",
                "a fisherman",
                "a nurse",
                "a chef",
                "a farmer",
                "a dancer",
                "a musician holding a guitar",
                "a woman wearing glasses",
                "a man with tattoos",
            ),
            settings=(
                "in a studio with a grey backdrop",
                "outdoors in a park",
                "by a window",
                "in a busy street",
                "in a cafe",
                "at the beach",
                "in an office",
                "in a workshop",
                "at home",
                "against a brick wall",
            ),
            details=_PHOTO_DETAILS + ("85mm lens", "natural skin texture", "looking at the camera"),
            negative="text, watermark, deformed, disfigured, extra fingers, lowres, blurry, cartoon",
        ),
        Preset(
            "landscape",
            "nature and scenery",
            subjects=(
                "a mountain lake",
                "rolling hills",
                "a waterfall",
                "a pine forest",
                "a sandy beach",
                "a desert canyon",
                "a glacier",
                "rice terraces",
                "a lavender field",
                "a volcanic coast",
                "a misty valley",
                "a river delta",
                "a birch forest",
                "alpine meadows",
                "sea cliffs",
                "sand dunes",
            ),
            settings=(
                "at sunrise",
                "at sunset",
                "under the milky way",
                "in fog",
                "after a storm",
                "in autumn colors",
                "covered in snow",
                "in midsummer",
                "under a full moon",
                "with a rainbow",
                "at blue hour",
                "at noon",
            ),
            styles=_PHOTO_STYLES + ("an aerial drone photo", "a landscape photograph", "a panoramic photo"),
        ),
    )
}


def list_presets() -> list[str]:
    return sorted(PRESETS)


@dataclass(frozen=True)
class PromptSource:
    """Where prompts come from; `prompt(index, seed)` is deterministic."""

    name: str  # "preset:landmark" or "file:prompts.txt"
    preset: Preset | None = None
    lines: tuple[str, ...] = ()

    @property
    def default_negative(self) -> str:
        return self.preset.negative if self.preset else ""

    def prompt(self, index: int, seed: int) -> str:
        if self.preset is not None:
            return self.preset.prompt(random.Random(f"miwake-prompt:{seed}:{index}"))
        return self.lines[index % len(self.lines)]


def load_prompts(spec: str | os.PathLike[str]) -> PromptSource:
    """A preset name (`landmark`, `car`, ...) or a UTF-8 text file with one prompt per line (`#` lines are comments)."""
    text = str(spec).strip()
    if text.lower() in PRESETS:
        return PromptSource(name=f"preset:{text.lower()}", preset=PRESETS[text.lower()])
    path = Path(text).expanduser()
    if not path.is_file():
        raise PromptsError(
            f"{text!r} is neither a prompt preset ({', '.join(list_presets())}) nor a prompt file (one prompt per line)."
        )
    if path.stat().st_size > _MAX_FILE_BYTES:
        raise PromptsError(f"{path}: prompt file larger than {_MAX_FILE_BYTES >> 20} MB.")
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise PromptsError(f"{path}: cannot read the prompt file as UTF-8 text ({e}).") from e
    lines = tuple(s for s in (line.strip() for line in raw.splitlines()) if s and not s.startswith("#"))
    if not lines:
        raise PromptsError(f"{path}: the prompt file has no prompts (one per line; lines starting with # are ignored).")
    log.info("Loaded %d prompts from %s", len(lines), path)
    return PromptSource(name=f"file:{path.name}", lines=lines)
