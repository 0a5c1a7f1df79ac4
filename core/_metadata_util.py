"""Small helpers shared by the metadata interpreters: bounded JSON, clipped field values, safe tokens."""

from __future__ import annotations

import json
import re
from typing import Any

from .results import EvidenceItem

MAX_FIELD_CHARS = 4000  # a field value kept in results (prompts are long; workflows are not kept whole)
MAX_JSON_CHARS = 4 << 20
_UNSAFE = re.compile(r"[;\x00-\x1f\x7f]+")


def clip(value: Any, limit: int = MAX_FIELD_CHARS) -> str:
    if isinstance(value, str):
        s = value
    else:
        s = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def token_part(value: Any, limit: int = 64) -> str:
    """A value fit for a `kind:detail` token: one line, no `;` (the CSV separator), short."""
    return clip(_UNSAFE.sub(" ", str(value)).strip(), limit)


def dict_at(d: dict[str, Any], key: str) -> dict[str, Any]:
    """`d[key]` when it is an object, else an empty one (metadata is whatever a program wrote)."""
    v = d.get(key)
    return v if isinstance(v, dict) else {}


def loads(text: str) -> Any:
    """json.loads with a size cap; ValueError for anything unusable (RecursionError included)."""
    if len(text) > MAX_JSON_CHARS:
        raise ValueError("JSON text larger than Miwake reads")
    try:
        return json.loads(text)
    except RecursionError as e:
        raise ValueError("JSON nested too deeply") from e


def fields_of(pairs: dict[str, Any]) -> dict[str, str]:
    """Keep the set, non-empty values, clipped, as strings."""
    return {k: clip(v) for k, v in pairs.items() if v not in (None, "", [], {})}


def unreadable(where: str, message: str) -> EvidenceItem:
    return EvidenceItem("unreadable", token_part(where, 40), False, {"error": clip(message, 500)})
