"""One VAE round trip (encode -> decode) of a real image at native resolution: an "aligned fake".

The SD autoencoder works on sides that are multiples of 8 (one latent pixel per 8x8 block). Rather than resize
(which would add resampling traces of its own), the image is padded on the right and bottom by reflection to the
next multiple of 8 and the decoded result is cropped back, so the fake has exactly the real's size and content.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from miwake.core.devices import DeviceInfo


def pad_to_multiple(rgb: Any, multiple: int = 8) -> tuple[Any, int, int]:
    """`rgb` (H x W x 3) padded right/bottom by reflection to multiples of `multiple`; returns it and (pad_w, pad_h)."""
    import numpy as np

    h, w = rgb.shape[:2]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        reflect = min(h, w) > max(ph, pw)  # reflection needs more pixels than the pad
        rgb = np.pad(rgb, ((0, ph), (0, pw), (0, 0)), mode="reflect" if reflect else "edge")
    return rgb, pw, ph


def round_trip(vae: Any, src: Path, dev: DeviceInfo, *, tile_above_pixels: int) -> tuple[Any, dict[str, Any]]:
    """The reconstructed PIL image and its sidecar fields. Raises `ImageReadError` for unreadable files."""
    import numpy as np
    import torch
    from PIL import Image

    from miwake.core.imaging import decode_image, file_sha256

    img = decode_image(src)
    h, w = img.height, img.width
    arr, pw, ph = pad_to_multiple(img.rgb)
    tiled = h * w > tile_above_pixels
    if tiled:
        vae.enable_tiling()  # blends overlapping tiles: bounded memory for big photos
    else:
        vae.disable_tiling()
    dtype = next(vae.parameters()).dtype
    x = torch.from_numpy(np.array(arr)).permute(2, 0, 1)[None].to(dev.torch_device, dtype) / 127.5 - 1.0
    with torch.inference_mode():
        z = vae.encode(x).latent_dist.mode()  # deterministic: the encoder's mean, no sampling noise
        y = vae.decode(z).sample[0, :, :h, :w]
    # the same float -> uint8 step as diffusers' image processor
    y = ((y.float() / 2 + 0.5).clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()
    record = {
        "width": w,
        "height": h,
        "padding_right_bottom": [pw, ph],
        "padding_mode": "reflect, cropped back after decoding",
        "latent": "mode",
        "vae_dtype": str(dtype).replace("torch.", ""),
        "tiled": tiled,
        "source_format": img.format,
        "source_sha256": file_sha256(src),
    }
    return Image.fromarray(y), record
