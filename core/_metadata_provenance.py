"""Provenance standards: C2PA Content Credentials (through c2pa-python) and IPTC DigitalSourceType in XMP.

C2PA reading runs offline: remote manifests and OCSP are not fetched. Each thread has its own c2pa
`Context` (the native handles are not shared between threads). XMP is parsed with defusedxml with DTDs
forbidden (no entity expansion at all) and a size cap.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

from ._metadata_generators import generator_name, software_item
from ._metadata_util import clip, dict_at, fields_of, token_part, unreadable
from .results import EvidenceItem

log = logging.getLogger(__name__)

IPTC_DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"
# Digital source types that state generation by an algorithm (IPTC NewsCodes; C2PA uses the same URIs).
AI_SOURCE_TYPES = frozenset({"trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia", "algorithmicMedia"})
MAX_XMP_BYTES = 4 << 20
MAX_XMP_ELEMENTS = 100_000
MAX_C2PA_FILE = 1 << 30
C2PA_SETTINGS = {
    "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
    "core": {"max_decompressed_manifest_size_in_mb": 64},
}

_NS_IPTC_EXT = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}"
_NS_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_NS_XMP = "{http://ns.adobe.com/xap/1.0/}"
_local = threading.local()


def short_source_type(uri: str) -> str:
    """`http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia` → `trainedAlgorithmicMedia`."""
    return token_part(uri.strip().rstrip("/").rsplit("/", 1)[-1], 64)


# -- XMP / IPTC ------------------------------------------------------------------------------------------
def _parse_xmp(data: bytes) -> Any:
    from defusedxml import ElementTree as SafeET

    data = data.strip(b"\x00 \t\r\n")
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except SafeET.ParseError:
        start, end = data.find(b"<x:xmpmeta"), data.rfind(b"</x:xmpmeta>")
        if start < 0 or end < start:
            raise
        return SafeET.fromstring(data[start : end + len(b"</x:xmpmeta>")], forbid_dtd=True)


def xmp_items(data: bytes, where: str) -> list[EvidenceItem]:
    """An `iptc` item for Iptc4xmpExt:DigitalSourceType; an `exif` item when xmp:CreatorTool names a generator."""
    if len(data) > MAX_XMP_BYTES:
        return [unreadable("xmp", f"{where}: XMP packet of {len(data)} bytes is larger than Miwake reads")]
    try:
        root = _parse_xmp(data)
    except Exception as e:  # ParseError, DTDForbidden, EntitiesForbidden, ...
        return [unreadable("xmp", f"{where}: XMP could not be read: {type(e).__name__}: {e}")]
    dst = tool = None
    for n, el in enumerate(root.iter()):
        if n >= MAX_XMP_ELEMENTS:
            break
        if dst is None:
            v = el.attrib.get(_NS_IPTC_EXT + "DigitalSourceType")
            if v is None and el.tag == _NS_IPTC_EXT + "DigitalSourceType":
                v = el.attrib.get(_NS_RDF + "resource") or (el.text or "").strip()
            dst = v or None
        if tool is None:
            v = el.attrib.get(_NS_XMP + "CreatorTool")
            if v is None and el.tag == _NS_XMP + "CreatorTool":
                v = "".join(el.itertext()).strip()
            tool = v or None
    items = []
    if dst:
        short = short_source_type(dst)
        fields = fields_of({"digital_source_type": dst, "source": f"{where} Iptc4xmpExt:DigitalSourceType"})
        items.append(EvidenceItem("iptc", short, short in AI_SOURCE_TYPES, fields))
    if tool:
        item = software_item(tool, f"{where} xmp:CreatorTool", tag="CreatorTool")
        if item is not None:
            items.append(item)
    return items


# -- C2PA ------------------------------------------------------------------------------------------------
def _context() -> Any:
    import c2pa

    ctx = getattr(_local, "context", None)
    if ctx is None:
        ctx = c2pa.Context(c2pa.Settings.from_dict(C2PA_SETTINGS))
        _local.context = ctx
    return ctx


def _agent_name(agent: Any) -> str:
    if isinstance(agent, dict):
        return " ".join(str(agent[k]) for k in ("name", "version") if agent.get(k))
    return str(agent) if agent else ""


def _claim_generator(m: dict[str, Any]) -> str:
    info = m.get("claim_generator_info")
    if isinstance(info, list) and info and isinstance(info[0], dict):
        return _agent_name(info[0])
    return str(m.get("claim_generator") or "")


def _actions(m: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for a in m.get("assertions") or []:
        if isinstance(a, dict) and str(a.get("label", "")).startswith("c2pa.actions"):
            data = dict_at(a, "data")
            out += [x for x in data.get("actions") or [] if isinstance(x, dict)]
    return out


def interpret_store(store: dict[str, Any]) -> EvidenceItem:
    """One `c2pa` item from a manifest store (the JSON c2pa-python returns)."""
    manifests = dict_at(store, "manifests")
    active = store.get("active_manifest")
    order = ([active] if active in manifests else []) + [k for k in manifests if k != active]
    found: list[tuple[bool, bool, str, str, str]] = []  # (is AI, in active, type URI, action, agent)
    for label in order:
        m = manifests[label] if isinstance(manifests[label], dict) else {}
        for a in _actions(m):
            params = dict_at(a, "parameters")
            dst = a.get("digitalSourceType") or params.get("digitalSourceType")
            agent = _agent_name(a.get("softwareAgent"))
            if dst or agent:
                short = short_source_type(str(dst)) if dst else ""
                action = str(a.get("action", ""))
                found.append((short in AI_SOURCE_TYPES, label == active, str(dst or ""), action, agent))
    m = _m if isinstance(_m := manifests.get(str(active)), dict) else {}
    sig = dict_at(m, "signature_info")
    failures = [str(s.get("code")) for s in store.get("validation_status") or [] if isinstance(s, dict)]
    with_type = sorted((f for f in found if f[2]), key=lambda f: (not f[0], not f[1]))
    created_by_generator = next((f for f in found if f[3] == "c2pa.created" and generator_name(f[4])), None)
    best = with_type[0] if with_type else None
    states_ai = bool(best and best[0]) or created_by_generator is not None
    if best:
        detail = short_source_type(best[2])
    elif created_by_generator:
        detail = f"softwareAgent={token_part(created_by_generator[4], 48)}"
    else:
        detail = "manifest"
    pick = best or created_by_generator
    fields = fields_of(
        {
            "validation_state": store.get("validation_state"),
            "validation_failures": ", ".join(dict.fromkeys(failures)),
            "claim_generator": _claim_generator(m),
            "digital_source_type": pick[2] if pick else None,
            "software_agent": pick[4] if pick else None,
            "in_ingredient": "yes" if pick and not pick[1] else None,
            "actions": ", ".join(dict.fromkeys(f[3] for f in found if f[1] and f[3])),
            "title": m.get("title"),
            "signer": " / ".join(str(sig[k]) for k in ("issuer", "common_name") if sig.get(k)),
            "signed_at": sig.get("time"),
            "manifest": active,
            "manifests": len(manifests),
        }
    )
    return EvidenceItem("c2pa", detail, states_ai, fields)


def c2pa_items(path: Path, mime: str) -> list[EvidenceItem]:
    """The C2PA manifest store of a file (none when it has none)."""
    try:
        import c2pa
    except Exception as e:  # the native library is missing or broken: say so rather than stay silent
        return [unreadable("c2pa", f"a C2PA store may be present, but c2pa-python is unavailable: {e}")]
    if path.stat().st_size > MAX_C2PA_FILE:
        return [unreadable("c2pa", "file too large for C2PA validation")]
    try:
        with open(path, "rb") as fh, c2pa.Reader(mime, fh, context=_context()) as reader:
            store = json.loads(reader.json())
    except c2pa.C2paError.ManifestNotFound:
        return []
    except c2pa.C2paError as e:
        return [unreadable("c2pa", f"C2PA manifest could not be read: {clip(str(e), 300)}")]
    if not isinstance(store, dict):
        return [unreadable("c2pa", "C2PA manifest store is not a JSON object")]
    return [interpret_store(store)]
