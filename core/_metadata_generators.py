"""What image generators write into their files: A1111/Forge/Fooocus `parameters`, ComfyUI graphs,
NovelAI, InvokeAI, and a Software/CreatorTool field naming a generator.

Each reader turns text already pulled out of the file (`_metadata_containers`) into `EvidenceItem`s with
the useful parts (prompt, model, sampler, seed) in `fields`. Parsing is linear in the text length (no
backtracking regexes on attacker-controlled text), and every value is clipped.
"""

from __future__ import annotations

import re
from typing import Any

from PIL import Image

from ._metadata_comfyui import comfyui_item
from ._metadata_util import dict_at, fields_of, loads, token_part, unreadable
from .results import EvidenceItem

MAX_PARAM_LINE = 16_384
_KEY = re.compile(r"[A-Za-z][\w \-/+.()]{0,63}")

# Software / CreatorTool values that name an image generator (case-insensitive, whole words).
GENERATORS: tuple[tuple[str, str], ...] = (
    ("Midjourney", r"midjourney"),
    ("DALL·E", r"dall[\s·\-_.]?e(?:\s?\d)?"),
    ("Adobe Firefly", r"firefly"),
    ("Stable Diffusion", r"stable[\s\-_]?diffusion|sdxl"),
    ("NovelAI", r"novel\s?ai"),
    ("ComfyUI", r"comfy\s?ui"),
    ("InvokeAI", r"invoke\s?ai"),
    ("AUTOMATIC1111", r"automatic1111|a1111"),
    ("Fooocus", r"fooocus"),
    ("DreamStudio", r"dreamstudio"),
    ("Leonardo.Ai", r"leonardo\.?ai"),
    ("Ideogram", r"ideogram"),
    ("Imagen", r"imagen"),
    ("Bing Image Creator", r"bing image creator"),
    ("Craiyon", r"craiyon"),
    ("NightCafe", r"nightcafe"),
    ("FLUX", r"flux\.1"),
    ("Draw Things", r"draw things"),
    ("DiffusionBee", r"diffusionbee"),
    ("Mochi Diffusion", r"mochi diffusion"),
)
_GENERATOR_RE = [(name, re.compile(rf"(?<![A-Za-z0-9]){pat}(?![A-Za-z0-9])", re.I)) for name, pat in GENERATORS]


def generator_name(text: str) -> str | None:
    """The generator a Software-like string names, or None."""
    text = text[:512]
    return next((name for name, rx in _GENERATOR_RE if rx.search(text)), None)


def software_item(value: str, where: str, tag: str = "Software") -> EvidenceItem | None:
    name = generator_name(value)
    if name is None:
        return None
    fields = fields_of({"software": value.strip(), "generator": name, "source": where})
    return EvidenceItem("exif", f"{tag}={token_part(value.strip(), 48)}", True, fields)


# -- AUTOMATIC1111 / Forge / Fooocus ---------------------------------------------------------------------
def param_pairs(line: str) -> dict[str, str]:
    """`Steps: 20, Sampler: Euler a, Lora hashes: "a: 1, b: 2"` → dict; one linear pass."""
    out: dict[str, str] = {}
    i, n = 0, len(line)
    while i < n:
        colon = line.find(":", i)
        if colon < 0:
            break
        key = line[i:colon].strip()
        j = colon + 1
        while j < n and line[j] == " ":
            j += 1
        if j < n and line[j] == '"':
            k = j + 1
            while k < n and line[k] != '"':
                k += 2 if line[k] == "\\" else 1
            value = line[j + 1 : min(k, n)]
            comma = line.find(",", k + 1)
        else:
            comma = line.find(",", j)
            value = line[j : comma if comma >= 0 else n]
        if _KEY.fullmatch(key):
            out[key] = value.strip()
        if comma < 0:
            break
        i = comma + 1
    return out


_A1111_FIELDS = {
    "Steps": "steps",
    "Sampler": "sampler",
    "Schedule type": "schedule_type",
    "CFG scale": "cfg_scale",
    "Seed": "seed",
    "Size": "size",
    "Model": "model",
    "Model hash": "model_hash",
    "VAE": "vae",
    "Denoising strength": "denoising_strength",
    "Lora hashes": "loras",
    "Version": "version",
}


def parse_a1111(text: str) -> tuple[dict[str, str], bool]:
    """Fields of an A1111-style `parameters` text, and whether it has a generation line (Steps: ...)."""
    lines = text.strip().replace("\r\n", "\n").split("\n")
    params = param_pairs(lines[-1]) if len(lines[-1]) <= MAX_PARAM_LINE else {}
    generated = "Steps" in params and len(params) >= 3
    body = lines[:-1] if generated or len(params) >= 2 else lines
    prompt: list[str] = []
    negative: list[str] = []
    target = prompt
    for line in body:
        if line.startswith("Negative prompt:"):
            target = negative
            line = line[len("Negative prompt:") :].strip()
        target.append(line)
    out: dict[str, Any] = {"prompt": "\n".join(prompt).strip(), "negative_prompt": "\n".join(negative).strip()}
    out.update({f: params[k] for k, f in _A1111_FIELDS.items() if k in params})
    version = params.get("Version", "")
    if version.startswith("f") and "v" in version:
        out["ui"] = "Forge"
    if params and not generated:
        out["params"] = lines[-1]
    return fields_of(out), generated


def _json_parameters(d: dict[str, Any]) -> tuple[dict[str, str], bool]:
    """`parameters` as JSON: Fooocus (flat, "Base Model", "Guidance Scale") or SwarmUI ("sui_image_params")."""
    sui = d.get("sui_image_params")
    src = sui if isinstance(sui, dict) else d
    g = {k.lower().replace(" ", "_"): v for k, v in src.items() if isinstance(k, str)}
    out = {
        "prompt": g.get("prompt") or g.get("full_prompt"),
        "negative_prompt": g.get("negative_prompt") or g.get("negativeprompt"),
        "model": g.get("base_model") or g.get("model"),
        "seed": g.get("seed"),
        "steps": g.get("steps"),
        "sampler": g.get("sampler"),
        "cfg_scale": g.get("guidance_scale") or g.get("cfg_scale") or g.get("cfgscale"),
        "ui": f"SwarmUI {g.get('swarm_version', '')}".strip() if isinstance(sui, dict) else g.get("version"),
    }
    return fields_of(out), any(out[k] is not None for k in ("model", "seed", "steps", "sampler"))


def a1111_item(text: str, where: str, *, strict: bool = False) -> EvidenceItem | None:
    """An item for A1111-style parameters; None when the text is not one.

    `strict` (EXIF comments, JPEG COM): only a full generation line counts, so ordinary comments stay silent.
    A PNG `parameters` chunk is always reported; without a generation line (A1111's "Extras" upscaling
    writes one) it does not state AI.
    """
    if text.lstrip().startswith("{"):
        try:
            d = loads(text)
        except ValueError as e:
            return unreadable("a1111", f"{where}: parameters look like JSON but do not parse: {e}")
        if not isinstance(d, dict):
            return None
        fields, generated = _json_parameters(d)
    else:
        fields, generated = parse_a1111(text)
    if strict and not generated:
        return None
    fields["source"] = where
    if fields.get("model"):
        detail = f"model={token_part(fields['model'])}"
    elif fields.get("model_hash"):
        detail = f"model_hash={token_part(fields['model_hash'])}"
    else:
        detail = "parameters"
    return EvidenceItem("a1111", detail, generated, fields)


# -- NovelAI ---------------------------------------------------------------------------------------------
def novelai_item(
    info: dict[str, str], where: str, detail: str | None = None, *, force: bool = False
) -> EvidenceItem | None:
    """NovelAI's text fields (Software, Source, Description, Comment JSON); None when they are not NovelAI's.

    `force`: the fields come from NovelAI's own stealth container, so no marker field is required.
    """
    comment: Any = info.get("Comment")
    if isinstance(comment, str) and comment.lstrip().startswith("{"):
        try:
            comment = loads(comment)
        except ValueError as e:
            if force or str(info.get("Software", "")).lower().startswith("novelai"):
                return unreadable("novelai", f"{where}: Comment is not valid JSON: {e}")
            return None
    c = comment if isinstance(comment, dict) else {}
    software = str(info.get("Software", ""))
    source = str(info.get("Source", ""))
    if not (force or software.lower().startswith("novelai") or source.startswith("NovelAI") or "signed_hash" in c):
        return None
    w, h = c.get("width"), c.get("height")
    fields = fields_of(
        {
            "prompt": info.get("Description") or c.get("prompt"),
            "negative_prompt": c.get("uc"),
            "model": source,
            "seed": c.get("seed"),
            "steps": c.get("steps"),
            "sampler": c.get("sampler"),
            "cfg_scale": c.get("scale"),
            "size": f"{w}x{h}" if w and h else None,
            "request_type": c.get("request_type"),
            "software": software,
            "generation_time": info.get("Generation time"),
            "source": where,
        }
    )
    if detail is None:
        detail = f"model={token_part(source)}" if source else "metadata"
    return EvidenceItem("novelai", detail, True, fields)


# -- InvokeAI --------------------------------------------------------------------------------------------
_INVOKE_KEYS = ("invokeai_metadata", "sd-metadata", "Dream", "invokeai_graph", "invokeai_workflow")
_DREAM_OPT = re.compile(r"(?:^|\s)-([sSCAWH])\s*([^\s\"]+)")


def invokeai_item(info: dict[str, str], where: str) -> EvidenceItem | None:
    out: dict[str, Any] = {}
    try:
        if "invokeai_metadata" in info:
            m = loads(info["invokeai_metadata"])
            m = m if isinstance(m, dict) else {}
            model = m.get("model")
            if isinstance(model, dict):
                model = model.get("model_name") or model.get("name")
            w, h = m.get("width"), m.get("height")
            out.update(
                prompt=m.get("positive_prompt"),
                negative_prompt=m.get("negative_prompt"),
                model=model,
                seed=m.get("seed"),
                steps=m.get("steps"),
                cfg_scale=m.get("cfg_scale"),
                sampler=m.get("scheduler"),
                size=f"{w}x{h}" if w and h else None,
                generation_mode=m.get("generation_mode"),
                version=m.get("app_version"),
            )
        elif "sd-metadata" in info:
            m = loads(info["sd-metadata"])
            m = m if isinstance(m, dict) else {}
            img = dict_at(m, "image")
            prompt = img.get("prompt")
            if isinstance(prompt, list):
                prompt = " ".join(str(p.get("prompt", "")) for p in prompt[:50] if isinstance(p, dict))
            out.update(
                prompt=prompt,
                model=m.get("model_weights"),
                model_hash=m.get("model_hash"),
                seed=img.get("seed"),
                steps=img.get("steps"),
                cfg_scale=img.get("cfg_scale"),
                sampler=img.get("sampler"),
                version=m.get("app_version"),
                generation_mode=img.get("type"),
            )
    except ValueError as e:
        return unreadable("invokeai", f"{where}: InvokeAI metadata is not valid JSON: {e}")
    if "Dream" in info and not out.get("prompt"):
        dream = info["Dream"][:MAX_PARAM_LINE]
        q = dream.split('"')
        opts = dict(_DREAM_OPT.findall(q[2] if len(q) >= 3 else dream))
        out.update(
            prompt=q[1] if len(q) >= 3 else dream,
            steps=opts.get("s"),
            seed=opts.get("S"),
            cfg_scale=opts.get("C"),
            sampler=opts.get("A"),
        )
    keys = [k for k in _INVOKE_KEYS if k in info]
    if not keys:
        return None
    out["keys"] = ", ".join(keys)
    out["source"] = where
    fields = fields_of(out)
    detail = f"model={token_part(fields['model'])}" if fields.get("model") else "metadata"
    return EvidenceItem("invokeai", detail, True, fields)


# -- dispatch --------------------------------------------------------------------------------------------
def from_texts(texts: list[tuple[str, str, str]]) -> list[EvidenceItem]:
    """Items from PNG text chunks (and JPEG/GIF comments): key → the generator that writes it."""
    info: dict[str, str] = {}
    src: dict[str, str] = {}
    for container, key, value in texts:
        if key not in info:
            info[key], src[key] = value, f"{container} {key}"
    items: list[EvidenceItem | None] = []
    if "parameters" in info:
        items.append(a1111_item(info["parameters"], src["parameters"]))
    if "prompt" in info or "workflow" in info:
        items.append(comfyui_item(info.get("prompt"), info.get("workflow"), src.get("prompt") or src["workflow"]))
    nai_keys = [k for k in ("Software", "Comment", "Source") if k in info]
    nai = novelai_item(info, src[nai_keys[0]].split(" ")[0]) if nai_keys else None
    items.append(nai)
    invoke_keys = [k for k in _INVOKE_KEYS if k in info]
    if invoke_keys:
        items.append(invokeai_item(info, src[invoke_keys[0]].split(" ")[0]))
    if nai is None and "Software" in info:
        items.append(software_item(info["Software"], src["Software"]))
    if "comment" in info:
        items.append(a1111_item(info["comment"], src["comment"], strict=True))
    return [i for i in items if i is not None]


def decode_user_comment(raw: Any) -> str:
    """EXIF UserComment: 8-byte charset prefix (`UNICODE\\0`, `ASCII\\0\\0\\0`, ...) then the text."""
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, (bytes, bytearray)):
        return ""
    prefix, body = bytes(raw[:8]), bytes(raw[8:])
    if prefix == b"UNICODE\x00":
        if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return body.decode("utf-16", errors="replace")
        sample = body[:400]
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        return body.decode("utf-16-be" if even_zeros >= odd_zeros else "utf-16-le", errors="replace")
    if prefix in (b"ASCII\x00\x00\x00", b"\x00" * 8, b"JIS\x00\x00\x00\x00\x00"):
        return body.decode("utf-8", errors="replace").rstrip("\x00 ")
    return bytes(raw).decode("utf-8", errors="replace").rstrip("\x00 ")


def _utf8(s: str) -> str:
    """EXIF ASCII fields often hold UTF-8 bytes that were decoded as Latin-1; undo that when it fits."""
    try:
        return s.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return s


def from_exif(exif: Image.Exif, container: str) -> list[EvidenceItem]:
    """Items from EXIF: UserComment/ImageDescription parameters, ComfyUI `prompt:`/`workflow:` strings, Software."""
    items: list[EvidenceItem | None] = []
    try:
        ifd = exif.get_ifd(0x8769)
    except Exception as e:  # Pillow raises many types on a broken Exif IFD; IFD0 may still be fine
        ifd = {}
        items.append(unreadable("exif", f"{container}: Exif IFD could not be read: {type(e).__name__}: {e}"))
    texts = {"UserComment": decode_user_comment(ifd.get(0x9286))}
    comfy: dict[str, str] = {}
    for tag, name in ((0x010E, "ImageDescription"), (0x010F, "Make"), (0x0110, "Model")):
        v = exif.get(tag)
        if isinstance(v, bytes):
            v = v.decode("utf-8", errors="replace")
        if isinstance(v, str):
            for key in ("prompt", "workflow"):
                if v.startswith(key + ":"):
                    comfy[key] = v[len(key) + 1 :]
            texts[name] = v
    if comfy:
        items.append(comfyui_item(comfy.get("prompt"), comfy.get("workflow"), f"{container} Make/Model"))
    for name in ("UserComment", "ImageDescription"):
        text = texts.get(name, "").strip()
        if not text or (comfy and name == "ImageDescription"):
            continue
        src = f"{container} {name}"
        if text.startswith("{") and '"class_type"' in text[:MAX_PARAM_LINE]:
            items.append(comfyui_item(text, None, src))
        else:
            items.append(a1111_item(text, src, strict=True))
    software = exif.get(0x0131)
    if isinstance(software, str):
        items.append(software_item(_utf8(software), f"{container} Software"))
    return [i for i in items if i is not None]
