"""Text from files (names, metadata, model cards) made safe to print, store and write to reports.

Two hazards: control characters (ESC, BEL, CR, CSI…), which a terminal obeys (a file name can retitle the
window or clear the screen), and file names that are not valid UTF-8, which Python holds as lone surrogates
(`os.fsdecode`'s "surrogateescape") and which no UTF-8 writer accepts. Both are shown as `\\xNN` escapes — the
documented report escaping (README "Reports"): a name's undecodable byte 0xFF appears as `\\xff`.
"""

from __future__ import annotations

import re
from typing import Any

_CONTROL_OR_SURROGATE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return f"\\u{code:04x}"
    return _NAMED.get(ch, f"\\x{code:02x}")


def for_terminal(text: object, keep_newlines: bool = False) -> str:
    """`text` with every control character and undecodable byte escaped, ready for a terminal."""
    s = str(text)
    if keep_newlines:
        return "\n".join(_CONTROL_OR_SURROGATE.sub(_escape, line) for line in s.split("\n"))
    return _CONTROL_OR_SURROGATE.sub(_escape, s)


def for_utf8(text: str) -> str:
    """`text` as valid UTF-8 text: lone surrogates (undecodable file-name bytes) become `\\xNN`; the rest stays."""
    return _SURROGATE.sub(_escape, text) if _SURROGATE.search(text) else text


def has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def json_text(obj: object, indent: int | None = 2) -> str:
    """JSON that keeps non-ASCII text readable yet is valid UTF-8: lone surrogates become `\\udcNN` escapes
    (which `json.loads` turns back into the same string); control characters are escaped by JSON itself."""
    import json

    text = json.dumps(obj, indent=indent, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def json_line(obj: object, **dumps_kw: Any) -> str:
    """One line of JSON for a pipe or a file in UTF-8: like `json_text`, lone surrogates become `\\udcNN` escapes."""
    import json

    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(obj, ensure_ascii=False, **dumps_kw))


def tprint(*parts: object, file: object = None, sep: str = " ") -> None:
    """`print` for text that may hold file data: control characters and undecodable bytes escaped."""
    print(for_terminal(sep.join(str(p) for p in parts), keep_newlines=True), file=file)  # type: ignore[call-overload]
