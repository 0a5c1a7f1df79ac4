"""Decoding images for display (thumbnails, the detail view), in worker threads; returns `QImage`s.

`QImageReader` with `setScaledSize` decodes JPEGs at reduced size (fast, little memory); formats Qt cannot
read (AVIF, HEIC, 16-bit oddities) go through Pillow with `draft`. EXIF orientation is applied either way,
so the picture matches the scan's coordinates. Huge images are refused before decoding, like the scan does.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QImageIOHandler, QImageReader

from miwake.core.imaging import DEFAULT_MAX_PIXELS, open_image

log = logging.getLogger(__name__)


class DisplayImageError(Exception):
    """The file cannot be shown (the message says why)."""


def _fit(w: int, h: int, max_side: int) -> QSize:
    if w <= max_side and h <= max_side:
        return QSize(w, h)
    s = max_side / max(w, h)
    return QSize(max(1, round(w * s)), max(1, round(h * s)))


def read_scaled(path: str | Path, max_side: int) -> QImage:
    """The image, oriented, no larger than `max_side` on its long side. Raises `DisplayImageError`."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    reader.setAllocationLimit(1024)  # MB; the pixel check below refuses bombs first
    size = reader.size()
    if size.isValid():
        if size.width() * size.height() > DEFAULT_MAX_PIXELS:
            raise DisplayImageError(f"{size.width()}x{size.height()} pixels is too large to show")
        oriented = bool(reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90)
        w, h = (size.height(), size.width()) if oriented else (size.width(), size.height())
        target = _fit(w, h, max_side)
        # setScaledSize applies before the orientation transform
        reader.setScaledSize(QSize(target.height(), target.width()) if oriented else target)
        img = reader.read()
        if not img.isNull():
            return img
        log.debug("Qt could not read %s (%s); trying Pillow", path, reader.errorString())
    return _read_with_pillow(Path(path), max_side)


def _read_with_pillow(path: Path, max_side: int) -> QImage:
    try:
        from PIL import ImageOps

        try:  # HEIC/HEIF, when pillow-heif is installed
            import pillow_heif

            pillow_heif.register_heif_opener()
        except Exception:  # optional
            pass
        with open_image(path) as im:
            if im.width * im.height > DEFAULT_MAX_PIXELS:
                raise DisplayImageError(f"{im.width}x{im.height} pixels is too large to show")
            im.draft("RGB", (max_side, max_side))
            im = ImageOps.exif_transpose(im)
            if im.mode not in ("RGB", "RGBA"):
                im = im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB")
            im.thumbnail((max_side, max_side))
            data = im.tobytes()
            fmt = QImage.Format.Format_RGBA8888 if im.mode == "RGBA" else QImage.Format.Format_RGB888
            bpl = im.width * (4 if im.mode == "RGBA" else 3)
            return QImage(data, im.width, im.height, bpl, fmt).copy()  # copy: own the pixels
    except DisplayImageError:
        raise
    except Exception as e:
        raise DisplayImageError(str(e) or type(e).__name__) from e
