"""NovelAI "stealth" metadata: text hidden in the least significant bits of the pixels.

Layout (NovelAI's `LSBExtractor`, also the A1111 stealth-pnginfo extension): pixels are read column by
column (x outer, y inner); each pixel gives the LSB of its alpha (`stealth_png*`) or of R, G, B in turn
(`stealth_rgb*`). First a 15-byte magic, then a 32-bit big-endian payload length in bits, then the payload:
UTF-8 text, gzip-compressed for the `*comp` magics. NovelAI stores a JSON object, the extension A1111
parameters text. Only the columns that hold the requested bits are read, and the payload is capped.
"""

from __future__ import annotations

import zlib

import numpy as np

from ._metadata_containers import MAX_TEXT_BYTES

MAGICS = {
    b"stealth_pnginfo": ("alpha", False),
    b"stealth_pngcomp": ("alpha", True),
    b"stealth_rgbinfo": ("rgb", False),
    b"stealth_rgbcomp": ("rgb", True),
}
_MAGIC_BITS = 15 * 8
MAX_PAYLOAD_BYTES = 4 << 20


class StealthError(ValueError):
    """Stealth magic found, but the payload is broken or too large."""


def _lsb_bits(plane: np.ndarray, start: int, count: int) -> np.ndarray:
    """`count` LSBs from bit `start` in column-major pixel order (channels innermost); plane is H x W x C."""
    h, w, c = plane.shape
    if count <= 0 or start + count > h * w * c:
        raise StealthError("payload runs past the end of the image")
    x0, x1 = start // (h * c), (start + count - 1) // (h * c)
    cols = plane[:, x0 : x1 + 1, :].transpose(1, 0, 2).reshape(-1)
    off = start - x0 * h * c
    return cols[off : off + count] & 1


def _magic(plane: np.ndarray) -> bytes | None:
    h, w, c = plane.shape
    if h * w * c < _MAGIC_BITS + 32:
        return None
    return np.packbits(_lsb_bits(plane, 0, _MAGIC_BITS)).tobytes()


def read_stealth(rgb: np.ndarray, alpha: np.ndarray | None) -> tuple[str, str] | None:
    """(magic, payload text) when the pixels carry stealth metadata, else None; StealthError if broken."""
    planes = []
    if alpha is not None:
        planes.append(alpha[:, :, None])
    planes.append(rgb)
    for plane in planes:
        magic = _magic(plane)
        if magic not in MAGICS or MAGICS[magic][0] != ("alpha" if plane.shape[2] == 1 else "rgb"):
            continue
        compressed = MAGICS[magic][1]
        n_bits = int.from_bytes(np.packbits(_lsb_bits(plane, _MAGIC_BITS, 32)).tobytes(), "big")
        if n_bits > MAX_PAYLOAD_BYTES * 8:
            raise StealthError(f"payload of {n_bits // 8} bytes is larger than Miwake reads")
        data = np.packbits(_lsb_bits(plane, _MAGIC_BITS + 32, n_bits)).tobytes()
        if compressed:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip
            try:
                data = d.decompress(data, MAX_TEXT_BYTES)
            except zlib.error as e:
                raise StealthError(f"payload does not inflate: {e}") from e
            if d.unconsumed_tail:
                raise StealthError("payload inflates past the text limit")
            if not d.eof:
                raise StealthError("truncated compressed payload")
        return magic.decode("ascii"), data.decode("utf-8", errors="replace")
    return None
