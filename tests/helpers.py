"""Helpers for tests: a tiny random detector bundle and generated images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

TINY_ARCH = "test_efficientnet"
TINY_CROP = 32


def make_tiny_bundle(folder: Path, *, model_id: str = "tiny", seed: int = 0, crop: int = TINY_CROP, mode: str = "crop"):
    import torch

    from miwake.core.bundle import ModelCard, save_bundle
    from miwake.core.model_factory import build_model

    torch.manual_seed(seed)
    model = build_model(TINY_ARCH)
    card = ModelCard(
        id=model_id,
        display_name=f"Tiny test model {model_id}",
        arch=TINY_ARCH,
        input_mode=mode,
        crop_size=crop,
        threshold=0.5,
        unsure_band=(0.45, 0.55),
        description="random weights for tests",
    )
    return save_bundle(folder, card, model.state_dict())


def noise_image(w: int, h: int, seed: int = 0, mode: str = "RGB") -> Image.Image:
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    # smooth structure + noise so JPEG/PNG look like pictures, not pure noise
    yy, xx = np.mgrid[0:h, 0:w]
    arr[..., 0] = ((xx * 255 // max(1, w - 1)) // 2 + arr[..., 0] // 2).astype(np.uint8)
    im = Image.fromarray(arr)
    return im.convert(mode) if mode != "RGB" else im


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def write_png_rgb16(path: Path, arr16: np.ndarray) -> None:
    """A 48-bit RGB PNG written by hand (Pillow cannot write one)."""
    import struct
    import zlib

    h, w, _ = arr16.shape
    raw = b"".join(b"\x00" + arr16[y].astype(">u2").tobytes() for y in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(raw))
        + _png_chunk(b"IEND", b"")
    )


def write_png_bomb(path: Path, side: int = 60_000) -> None:
    """A tiny PNG that declares side x side pixels (a decompression bomb if anyone decoded it)."""
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    idat = zlib.compressobj(9).compress(b"\x00" * 100_000)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")
    )


# file name -> expected error kind (None = scored)
HOSTILE_EXPECTED: dict[str, str | None] = {
    "good.png": None,
    "good.jpg": None,
    "big.jpg": None,
    "corrupt.jpg": "corrupt",
    "truncated.jpg": "truncated",
    "zero.png": "empty",
    "notes.png": "not_image",
    "bomb.png": "too_many_pixels",
    "cmyk.jpg": None,
    "gray16.png": None,
    "rgb16.png": None,
    "palette_transparent.png": None,
    "rgba.png": None,
    "la.png": None,
    "rotated.jpg": None,
    "animated.gif": None,
    "tiny.bmp": None,
    "photo.tiff": None,
    "with space.png": None,
    "日本語の画像.png": None,
    "=HYPERLINK(1).png": None,
    "sub/deeper/nested.webp": None,
}


def make_hostile_folder(d: Path) -> Path:
    """Good images plus every kind of trouble a real folder holds (see HOSTILE_EXPECTED)."""
    import io

    d.mkdir(parents=True, exist_ok=True)
    noise_image(80, 60, 1).save(d / "good.png")
    noise_image(70, 50, 2).save(d / "good.jpg", quality=92)
    noise_image(300, 200, 22).save(d / "big.jpg", quality=92)
    good = io.BytesIO()
    noise_image(120, 90, 3).save(good, "JPEG", quality=90)
    data = good.getvalue()
    (d / "corrupt.jpg").write_bytes(data[:200] + bytes(range(256)) * 8)
    (d / "truncated.jpg").write_bytes(data[: len(data) // 2])
    (d / "zero.png").write_bytes(b"")
    (d / "notes.png").write_text("this is not an image\n" * 20)
    write_png_bomb(d / "bomb.png")
    noise_image(64, 48, 4).convert("CMYK").save(d / "cmyk.jpg", quality=90)
    g16 = (np.arange(64 * 40, dtype=np.uint32).reshape(40, 64) * 25).astype(np.uint16)
    Image.fromarray(g16).save(d / "gray16.png")
    write_png_rgb16(d / "rgb16.png", (np.random.default_rng(5).integers(0, 65536, (40, 50, 3))).astype(np.uint16))
    p = noise_image(60, 60, 6).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    p.info["transparency"] = 0
    p.save(d / "palette_transparent.png", transparency=0)
    rgba = noise_image(50, 70, 7).convert("RGBA")
    rgba.putalpha(128)
    rgba.save(d / "rgba.png")
    noise_image(40, 40, 11).convert("LA").save(d / "la.png")
    rot = noise_image(60, 40, 8)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW when displayed -> 40 x 60
    rot.save(d / "rotated.jpg", exif=exif.tobytes(), quality=90)
    frames = [noise_image(40, 30, 20 + i).convert("P") for i in range(3)]
    frames[0].save(d / "animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    noise_image(20, 20, 9).save(d / "tiny.bmp")
    noise_image(70, 45, 10).save(d / "photo.tiff")
    for i, name in enumerate(("with space.png", "日本語の画像.png", "=HYPERLINK(1).png")):
        noise_image(48, 48, 30 + i).save(d / name)
    (d / "sub" / "deeper").mkdir(parents=True)
    noise_image(64, 64, 13).save(d / "sub" / "deeper" / "nested.webp")
    (d / "sub" / "loop").symlink_to(d, target_is_directory=True)  # a symlink loop
    (d / "readme.txt").write_text("ignored: not an image extension")
    return d
