"""Decode any image file into an 8-bit RGB array, deliberately and safely.

Policy (documented in README "How images are read"):
- The pixel count is checked from the header before any pixel is decoded; above `max_pixels` the file is
  refused (decompression bomb), never decoded.
- EXIF orientation is applied, so tiles and heatmaps match what viewers show.
- Animated files (GIF, APNG, WebP): the first frame.
- Greyscale is replicated to three channels; CMYK goes through Pillow's conversion (its ICC profile, if any,
  is not applied); 16-bit and 32-bit samples keep their most significant 8 bits (`v / 257`, rounded);
  palette images are expanded; any alpha channel is composited over white (what most viewers show).
- Truncated files are errors, not partial images: a half-decoded picture would get a meaningless score.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from .errors import ImageReadError
from .results import ErrorKind

try:  # HEIC/HEIF through the maintained pillow-heif plugin; AVIF is native in Pillow >= 11.3.
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # optional at runtime, required by pyproject
    pass

# Miwake enforces its own limit (`max_pixels`) before decoding; Pillow's warning is redundant noise.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

# The only decoders Miwake lets Pillow use, whatever a file's name or first bytes claim. Pillow sniffs content,
# and some of its plugins hand files to external programs (EPS runs Ghostscript) or parse rarely-used formats;
# a `.jpg` that is really PostScript must be "not an image", never a program run.
DECODER_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "DIB", "TIFF", "GIF", "HEIF", "AVIF")

# PNG text chunks (ComfyUI workflows are often 1-3 MB, above Pillow's 1 MB default) up to 16 MB each and 64 MB
# in all; beyond that the file is refused as too complex rather than called corrupt.
PngImagePlugin.MAX_TEXT_CHUNK = 16 * 1024 * 1024
PngImagePlugin.MAX_TEXT_MEMORY = 64 * 1024 * 1024

DEFAULT_MAX_PIXELS = 150_000_000  # a 150 MP medium-format photo still scans; bombs declare far more
IMAGE_EXTENSIONS = frozenset(
    ".jpg .jpeg .jpe .jfif .png .apng .webp .bmp .dib .tif .tiff .gif .heic .heif .avif".split()
)


@dataclass(frozen=True)
class DecodedImage:
    rgb: np.ndarray  # H x W x 3, uint8, C-contiguous
    format: str
    source_mode: str
    # True when `rgb` holds the pixels exactly as stored (no EXIF rotation, no alpha composited over white):
    # evidence readers that need the stored pixels (invisible watermarks) can then use it instead of decoding again
    as_stored: bool = False

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


def not_a_regular_file() -> ImageReadError:
    """For pipes, devices and sockets: never opened (reading a FIFO blocks until someone writes to it)."""
    return ImageReadError(ErrorKind.UNSUPPORTED, "Not a regular file (a pipe, device or socket); it was not opened.")


def open_image(fp: str | os.PathLike[str] | IO[bytes]) -> Image.Image:
    """`Image.open` restricted to `DECODER_FORMATS`: every Pillow open in Miwake goes through here."""
    return Image.open(fp, formats=DECODER_FORMATS)


def file_sha256(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


_ORIENTATION = 0x0112  # EXIF Orientation: 1 = upright; 2-8 = mirrored / turned (ImageOps.exif_transpose)
# Modes whose RGB is Pillow's plain `convert("RGB")` (no alpha, no 16-bit scaling): what evidence readers decode
_PLAIN_MODES = frozenset({"RGB", "L", "P", "1", "CMYK", "YCbCr", "LAB", "HSV"})


def _to_rgb_array(im: Image.Image) -> np.ndarray:
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        a = np.asarray(im, dtype=np.float64)
        scale = 257.0 if mode.startswith("I;16") or (mode == "I" and a.max(initial=0) > 255) else 1.0
        if mode == "F" and a.max(initial=0) <= 1.0:
            scale = 1.0 / 255.0
        g = np.clip(np.rint(a / scale), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(g[:, :, None], 3, axis=2))
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "PA":
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, rgba).convert("RGB")
    elif im.mode != "RGB":
        im = im.convert("RGB")  # L, 1, CMYK, YCbCr, LAB, HSV
    return np.ascontiguousarray(np.asarray(im, dtype=np.uint8))


# errors of a disk, a network share or a USB stick that fails for a moment: never remembered as the file's fault
TRANSIENT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "EIO",
        "ESTALE",
        "ETIMEDOUT",
        "ENOTCONN",
        "ECONNRESET",
        "EHOSTDOWN",
        "EHOSTUNREACH",
        "ENETDOWN",
        "ENETUNREACH",
        "EAGAIN",
        "EBUSY",
        "ENXIO",
        "ENOMEDIUM",
        "EREMOTEIO",
    )
    if hasattr(errno, name)
)


def decode_image(path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_PIXELS) -> DecodedImage:
    """Read `path` as RGB uint8. Raises `ImageReadError` with an `ErrorKind` for every failure.

    One function on purpose: the guards run in the order a hostile file fails them (empty, unreadable, not an
    image, a bomb by its header, then the pixels), and each names its own kind; split up, the order is lost."""
    p = Path(path)
    try:
        st = p.stat()
        if not stat.S_ISREG(st.st_mode):
            raise not_a_regular_file()
        if st.st_size == 0:
            raise ImageReadError(ErrorKind.EMPTY, "The file is empty (0 bytes).")
        with open_image(p) as im:
            w, h = im.size
            if w <= 0 or h <= 0:
                raise ImageReadError(ErrorKind.CORRUPT, f"The image declares an invalid size {w}x{h}.")
            if w * h > max_pixels:
                raise ImageReadError(
                    ErrorKind.TOO_MANY_PIXELS,
                    f"{w}x{h} = {w * h / 1e6:.0f} MP exceeds the limit of {max_pixels / 1e6:.0f} MP; "
                    "refused without decoding (possible decompression bomb).",
                )
            fmt = im.format or p.suffix.lstrip(".").upper()
            source_mode = im.mode
            # Animated files open on their first frame. `n_frames` is never asked: it walks every frame (a TIFF
            # with 100,000 IFDs took two minutes).
            im.load()
            upright = im.getexif().get(_ORIENTATION, 1) in (1, None)
            plain = im.mode in _PLAIN_MODES and not (im.mode == "P" and "transparency" in im.info)
            rgb = _to_rgb_array(im if upright else (ImageOps.exif_transpose(im) or im))
        return DecodedImage(rgb=rgb, format=fmt, source_mode=source_mode, as_stored=upright and plain)
    except ImageReadError:
        raise
    except FileNotFoundError as e:
        raise ImageReadError(ErrorKind.NOT_FOUND, "The file disappeared before it could be read.") from e
    except PermissionError as e:
        raise ImageReadError(ErrorKind.PERMISSION, "Permission denied: Miwake may not read this file.") from e
    except Image.DecompressionBombError as e:
        raise ImageReadError(
            ErrorKind.TOO_MANY_PIXELS,
            f"The image declares far more pixels than the limit of {max_pixels / 1e6:.0f} MP; "
            f"refused without decoding (possible decompression bomb). ({e})",
        ) from e
    except UnidentifiedImageError as e:
        raise ImageReadError(ErrorKind.NOT_IMAGE, "Not an image, or a format Miwake cannot read.") from e
    except NotImplementedError as e:  # a variant of a supported format that Pillow does not decode
        raise ImageReadError(ErrorKind.UNSUPPORTED, f"This variant of the format cannot be decoded: {e}") from e
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        IndexError,
        KeyError,
        TypeError,
        RuntimeError,
        ZeroDivisionError,
        OverflowError,
        struct.error,
        MemoryError,
    ) as e:
        # Decoders raise all of these for damaged input (fuzzed TIFFs: TypeError; bit-flipped AVIF: RuntimeError).
        msg = str(e) or type(e).__name__
        if "MAX_TEXT" in msg:
            raise ImageReadError(
                ErrorKind.TOO_COMPLEX, "The file carries more text metadata than Miwake reads (over 64 MB)."
            ) from e
        if isinstance(e, OSError) and e.errno in (errno.EACCES, errno.EPERM):
            raise ImageReadError(ErrorKind.PERMISSION, "Permission denied: Miwake may not read this file.") from e
        if isinstance(e, OSError) and e.errno in TRANSIENT_ERRNOS:
            raise ImageReadError(
                ErrorKind.READ_ERROR,
                f"The file could not be read ({msg}); the disk or network may be busy or gone. "
                "It is tried again at the next scan.",
            ) from e
        if isinstance(e, OSError) and e.errno == errno.ELOOP:
            raise ImageReadError(
                ErrorKind.NOT_FOUND, "The path is a loop of symbolic links; it leads to no file."
            ) from e
        if "truncated" in msg.lower() or isinstance(e, EOFError):
            raise ImageReadError(
                ErrorKind.TRUNCATED, f"The file is truncated (incomplete download or copy?): {msg}"
            ) from e
        if isinstance(e, MemoryError):
            raise ImageReadError(
                ErrorKind.OUT_OF_MEMORY,
                "Not enough memory to decode this image now; it is tried again at the next scan.",
            ) from e
        raise ImageReadError(ErrorKind.CORRUPT, f"The image data is corrupt: {msg}") from e
