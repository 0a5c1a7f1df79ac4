"""Pull raw metadata (text chunks, EXIF, XMP, a C2PA hint) out of image files, with hard bounds.

PNG, JPEG and WebP are walked by hand: only the chunk/segment headers and the metadata payloads are read,
pixel data is skipped by seeking, and every size is checked against a cap before anything is read or
inflated. So a hostile file (a zTXt that inflates to gigabytes, a chunk claiming 4 GB, a million tiny
chunks) costs bounded time and memory. Other formats (TIFF, HEIC/AVIF, GIF, ...) go through Pillow's
header parsing. Problems become `(where, message)` entries, never exceptions.
"""

from __future__ import annotations

import logging
import struct
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from .imaging import open_image

log = logging.getLogger(__name__)

MAX_TEXT_BYTES = 4 << 20  # one text value after inflating (ComfyUI workflows reach ~1-2 MB)
MAX_TOTAL_TEXT = 16 << 20  # all text values of one file together
MAX_META_CHUNK = 8 << 20  # one raw EXIF/XMP/text payload as stored
MAX_CHUNKS = 100_000  # PNG chunks / JPEG segments / RIFF chunks walked per file (a 150 MP PNG has ~50k)
MAX_TEXTS = 256
_SCAN_BLOCK = 1 << 20

# Pillow's EXIF parser warns on every odd tag of a hostile file; the evidence entry already says so.
warnings.filterwarnings("ignore", message=r"(Possibly )?[Cc]orrupt EXIF", category=UserWarning)
warnings.filterwarnings("ignore", message=r"(Truncated File Read|Tag data larger than file)", category=UserWarning)


@dataclass
class RawMetadata:
    format: str = ""  # png, jpeg, webp, or Pillow's format name in lower case
    texts: list[tuple[str, str, str]] = field(default_factory=list)  # (container, key, value)
    exif: Image.Exif | None = None
    xmp: bytes | None = None
    c2pa_hint: bool = False  # bytes that a C2PA/JUMBF store would contain are present
    structure_ok: bool = True  # False: the container is broken or absurd; do not hand it to a pixel decoder
    problems: list[tuple[str, str]] = field(default_factory=list)  # (where, message)
    _text_total: int = 0

    def broken(self, where: str, message: str) -> None:
        self.problems.append((where, message))
        self.structure_ok = False

    def add_text(self, where: str, key: str, value: str) -> None:
        if len(self.texts) >= MAX_TEXTS or self._text_total + len(value) > MAX_TOTAL_TEXT:
            self.problems.append((where, f"text {key!r} skipped: the file carries more text than Miwake reads"))
            return
        self._text_total += len(value)
        self.texts.append((where, key, value))


def sniff(head: bytes) -> str:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "avif" if brand in (b"avif", b"avis") else "heif"
    if head[:2] == b"BM":
        return "bmp"
    return ""


# Formats that can carry a C2PA store (and that c2pa-python reads)
MIME = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "tiff": "image/tiff",
    "gif": "image/gif",
    "avif": "image/avif",
    "heif": "image/heif",
}


def _read_exact(fh: BinaryIO, n: int) -> bytes | None:
    data = fh.read(n)
    return data if len(data) == n else None


def _inflate(data: bytes, limit: int = MAX_TEXT_BYTES) -> bytes:
    """zlib-inflate at most `limit` bytes; ValueError if the stream would give more (a bomb) or is broken."""
    d = zlib.decompressobj()
    out = d.decompress(data, limit)
    if d.unconsumed_tail:
        raise ValueError(f"inflates past {limit >> 20} MiB")
    if not d.eof:
        raise ValueError("truncated compressed text")
    return out


def _text(raw: bytes, *, utf8_first: bool) -> str:
    if utf8_first:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    return raw.decode("utf-8", errors="replace")


def parse_exif(data: bytes) -> Image.Exif:
    exif = Image.Exif()
    exif.load(data if not data.startswith(b"Exif\x00\x00") else data[6:])
    return exif


# -- PNG --------------------------------------------------------------------------------------------------
def _png_text_body(ctype: str, rest: bytes) -> bytes:
    """The (inflated) text of a tEXt/zTXt/iTXt chunk after its keyword; ValueError/zlib.error if broken."""
    if ctype == "tEXt":
        return rest[:MAX_TEXT_BYTES]
    if ctype == "zTXt":
        if not rest or rest[0] != 0:
            raise ValueError("unknown compression method")
        return _inflate(rest[1:])
    # iTXt: compression flag, method, language\0, translated keyword\0, UTF-8 text
    parts = rest[2:].split(b"\x00", 2)
    if len(rest) < 2 or len(parts) < 3:
        raise ValueError("truncated iTXt header")
    if rest[0]:
        if rest[1] != 0:
            raise ValueError("unknown compression method")
        return _inflate(parts[2])
    return parts[2][:MAX_TEXT_BYTES]


def _png_text_chunk(meta: RawMetadata, ctype: str, data: bytes) -> None:
    where = f"png:{ctype}"
    key_end = data.find(b"\x00")
    if key_end <= 0 or key_end > 79:
        meta.problems.append((where, "chunk without a valid keyword"))
        return
    key = data[:key_end].decode("latin-1")
    try:
        body = _png_text_body(ctype, data[key_end + 1 :])
    except (ValueError, zlib.error) as e:
        meta.problems.append((where, f"text {key!r} could not be read: {e}"))
        return
    if key == "XML:com.adobe.xmp":
        meta.xmp = meta.xmp or body
    else:  # tEXt/zTXt are Latin-1 by the spec, but generators often write UTF-8 there
        meta.add_text(where, key, _text(body, utf8_first=ctype != "iTXt"))


def _read_png(fh: BinaryIO, meta: RawMetadata) -> None:
    fh.seek(8)
    for _ in range(MAX_CHUNKS):
        head = fh.read(8)
        if len(head) < 8:
            return  # end of file (a missing IEND is the pixel decoder's business)
        length, ctype_b = struct.unpack(">I4s", head)
        ctype = ctype_b.decode("latin-1")
        if length > 0x7FFFFFFF or not ctype_b.isalpha():
            meta.broken("png", f"invalid chunk header after offset {fh.tell() - 8}")
            return
        if ctype == "IEND":
            return
        if ctype == "caBX":
            meta.c2pa_hint = True
        if ctype in ("tEXt", "zTXt", "iTXt", "eXIf"):
            if length > MAX_META_CHUNK:
                meta.problems.append((f"png:{ctype}", f"chunk of {length} bytes is larger than Miwake reads"))
            else:
                data = _read_exact(fh, length)
                if data is None:
                    meta.problems.append((f"png:{ctype}", "truncated chunk"))
                    return
                if ctype == "eXIf":
                    if meta.exif is None:
                        _load_exif(meta, "png:eXIf", data)
                else:
                    _png_text_chunk(meta, ctype, data)
                fh.seek(4, 1)  # CRC
                continue
        fh.seek(length + 4, 1)
    meta.broken("png", f"more than {MAX_CHUNKS} chunks; the rest was not read")


def _load_exif(meta: RawMetadata, where: str, data: bytes) -> None:
    try:
        meta.exif = parse_exif(data)
    except Exception as e:  # Pillow raises many types on hostile EXIF
        meta.problems.append((where, f"EXIF could not be read: {type(e).__name__}: {e}"))


# -- JPEG -------------------------------------------------------------------------------------------------
_XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"


def _read_jpeg(fh: BinaryIO, meta: RawMetadata) -> None:
    fh.seek(2)
    for _ in range(MAX_CHUNKS):
        b = fh.read(1)
        if not b:
            return
        if b != b"\xff":
            meta.broken("jpeg", f"no segment marker at offset {fh.tell() - 1}")
            return
        marker = fh.read(1)
        while marker == b"\xff":  # fill bytes
            marker = fh.read(1)
        if not marker:
            return
        m = marker[0]
        if m in (0x01, *range(0xD0, 0xD8)):
            continue
        if m in (0xD9, 0xDA):  # EOI, SOS: metadata segments come before the scan
            return
        lb = _read_exact(fh, 2)
        if lb is None:
            return
        length = struct.unpack(">H", lb)[0]
        if length < 2:
            meta.broken("jpeg", f"invalid segment length at offset {fh.tell() - 2}")
            return
        if m in (0xE1, 0xEB, 0xFE):
            data = _read_exact(fh, length - 2)
            if data is None:
                meta.problems.append(("jpeg", f"truncated APP{m - 0xE0 if m != 0xFE else ''} segment"))
                return
            if m == 0xE1 and data.startswith(b"Exif\x00\x00") and meta.exif is None:
                _load_exif(meta, "jpeg:exif", data)
            elif m == 0xE1 and data.startswith(_XMP_ID) and meta.xmp is None:
                meta.xmp = data[len(_XMP_ID) :]
            elif m == 0xEB and (b"jumb" in data or b"c2pa" in data):
                meta.c2pa_hint = True
            elif m == 0xFE:
                meta.add_text("jpeg:COM", "comment", _text(data, utf8_first=True))
        else:
            fh.seek(length - 2, 1)
    meta.broken("jpeg", f"more than {MAX_CHUNKS} segments; the rest was not read")


# -- WebP -------------------------------------------------------------------------------------------------
def _read_webp(fh: BinaryIO, meta: RawMetadata) -> None:
    fh.seek(12)
    for _ in range(MAX_CHUNKS):
        head = fh.read(8)
        if len(head) < 8:
            return
        fourcc, size = head[:4], struct.unpack("<I", head[4:])[0]
        padded = size + (size & 1)
        if fourcc in (b"EXIF", b"XMP "):
            where = "webp:" + fourcc.decode("latin-1").strip()
            if size > MAX_META_CHUNK:
                meta.problems.append((where, f"chunk of {size} bytes is larger than Miwake reads"))
                fh.seek(padded, 1)
                continue
            data = _read_exact(fh, size)
            if data is None:
                meta.problems.append((where, "truncated chunk"))
                return
            if fourcc == b"EXIF" and meta.exif is None:
                _load_exif(meta, where, data)
            elif fourcc == b"XMP " and meta.xmp is None:
                meta.xmp = data
            fh.seek(padded - size, 1)
            continue
        if fourcc == b"C2PA":
            meta.c2pa_hint = True
        fh.seek(padded, 1)
    meta.broken("webp", f"more than {MAX_CHUNKS} chunks; the rest was not read")


# -- everything else: Pillow's header parsing -------------------------------------------------------------
def _read_with_pillow(path: Path, meta: RawMetadata) -> None:
    where = meta.format or "image"
    try:
        with open_image(path) as im:
            meta.format = meta.format or (im.format or "").lower()
            info = im.info
            try:
                exif = im.getexif()
                exif_ifd = exif.get_ifd(0x8769)  # parsed now: the file closes before it is read
                if len(exif) or exif_ifd:
                    meta.exif = exif
            except Exception as e:
                meta.problems.append((f"{where}:exif", f"EXIF could not be read: {type(e).__name__}: {e}"))
            xmp = info.get("xmp")
            if xmp is None and hasattr(im, "tag_v2"):
                xmp = im.tag_v2.get(700)  # TIFF XMLPacket
            if isinstance(xmp, str):
                xmp = xmp.encode("utf-8", errors="replace")
            if isinstance(xmp, (bytes, bytearray)):
                meta.xmp = bytes(xmp[:MAX_META_CHUNK])
            comment = info.get("comment")
            if isinstance(comment, bytes):
                meta.add_text(f"{where}:comment", "comment", _text(comment[:MAX_TEXT_BYTES], utf8_first=True))
    except Exception as e:  # not an image Pillow knows, or broken headers: the scan reports the file itself
        log.debug("Pillow could not read the metadata of %s: %s", path, e)


def _contains(fh: BinaryIO, needle: bytes) -> bool:
    """Whether `needle` occurs anywhere in the file (read in 1 MB blocks; no mmap: files may shrink)."""
    fh.seek(0)
    tail = b""
    while block := fh.read(_SCAN_BLOCK):
        if needle in tail + block[: len(needle) - 1] or needle in block:
            return True
        tail = block[-(len(needle) - 1) :]
    return False


def read_raw(path: Path) -> RawMetadata:
    """Everything `core.evidence` interprets, read with bounded work; OSError only for the file itself."""
    meta = RawMetadata()
    with open(path, "rb") as fh:
        meta.format = sniff(fh.read(32))
        reader = {"png": _read_png, "jpeg": _read_jpeg, "webp": _read_webp}.get(meta.format)
        if reader is not None:
            reader(fh, meta)
        else:
            _read_with_pillow(path, meta)
            meta.c2pa_hint = meta.format in MIME and _contains(fh, b"c2pa")
    return meta
