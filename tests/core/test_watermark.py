"""The own dwtDct decoder (core.watermark) against `invisible-watermark` (a dev dependency), bit for bit."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from miwake.core import watermark as wm
from miwake.core.evidence import read_evidence
from tests.evidence_helpers import save_bytes, write
from tests.helpers import noise_image

# opencv-python (pulled in by invisible-watermark) points Qt at its own Qt5 plugins on import; undo that so
# the PySide6 tests that run later in the same process still find theirs.
_qt_env = {k: os.environ.get(k) for k in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")}
imwatermark = pytest.importorskip("imwatermark")
for _k, _v in _qt_env.items():
    if _v is None:
        os.environ.pop(_k, None)
    else:
        os.environ[_k] = _v
from imwatermark import WatermarkEncoder  # noqa: E402
from imwatermark.maxDct import EmbedMaxDct  # noqa: E402


def encode(rgb: np.ndarray, pattern: wm.WatermarkPattern, *, as_float: bool = False) -> np.ndarray:
    """Watermark like the SD scripts (uint8 BGR) or diffusers' SDXL watermarker (float BGR)."""
    enc = WatermarkEncoder()
    enc.set_watermark("bits", list(pattern.bits))
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    out = enc.encode(bgr.astype(np.float32) if as_float else bgr, "dwtDct")
    return np.ascontiguousarray(np.clip(out, 0, 255).astype(np.uint8)[..., ::-1])


def photo_like(w: int, h: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([128 + 100 * np.sin(xx / (23 + 7 * c) + yy / 31 + c) for c in range(3)], axis=-1)
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def textured(w: int, h: int, seed: int) -> np.ndarray:
    """Busy content: dwtDct marks survive their own uint8 round trip there (on smooth content some bits
    flip even in imwatermark's decoder, so such images are used for the bit-exactness test only)."""
    return np.asarray(noise_image(w, h, seed))


IMAGES = [
    ("noise 512x384", np.asarray(noise_image(512, 384, 1))),
    ("photo-like 517x1090 (odd size, several strips)", photo_like(517, 1090, 2)),
    ("flat grey 300x300", np.full((300, 300, 3), 128, np.uint8)),
    ("sd1-marked photo-like 640x512 (mark damaged by rounding)", encode(photo_like(640, 512, 3), wm.PATTERNS[0])),
    ("sdxl-marked 512x520", encode(textured(512, 520, 4), wm.PATTERNS[2], as_float=True)),
]


@pytest.mark.parametrize("name,rgb", IMAGES, ids=[n for n, _ in IMAGES])
def test_bits_equal_imwatermark(name, rgb):
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    scores = wm.block_scores(rgb)
    for length in (136, 32, 48, 7):
        ref = EmbedMaxDct(watermarks=[], wmLen=length).decode(bgr)
        assert np.array_equal(ref, wm.decode_bits(scores, length)), (name, length)


def test_u_plane_matches_opencv_on_every_colour():
    cv2 = pytest.importorskip("cv2")
    v = np.arange(1 << 24, dtype=np.uint32)
    rgb = np.stack([v >> 16, (v >> 8) & 255, v & 255], axis=-1).astype(np.uint8).reshape(4096, 4096, 3)
    ref = cv2.cvtColor(np.ascontiguousarray(rgb[..., ::-1]), cv2.COLOR_BGR2YUV)[..., 1]
    assert np.array_equal(wm._u_plane(rgb), ref)


def test_haar_ll_equals_pywavelets_for_every_input():
    """A 2x2 block's LL is a row step on each column pair, then a column step on the two results. The
    plane below meets every possible pair in the row step and every pair of its results in the column
    step, so equality here means equality for every image."""
    pywt = pytest.importorskip("pywt")  # installed with invisible-watermark
    v = np.arange(256, dtype=np.uint8)
    a, b = (g.ravel() for g in np.meshgrid(v, v))
    row_step = pywt.dwt(np.stack([a, b]).astype(np.float64), "haar", axis=0)[0][0]
    values, first = np.unique(row_step, return_index=True)  # one (a, b) pair per distinct row-step result
    p, q = (g.ravel() for g in np.meshgrid(first, first))
    plane = np.empty((2, 2 * p.size), np.uint8)
    plane[0, 0::2], plane[1, 0::2], plane[0, 1::2], plane[1, 1::2] = a[p], b[p], a[q], b[q]
    assert np.array_equal(wm.haar_ll(plane), pywt.dwt2(plane, "haar")[0])
    assert values.size > 900
    rng = np.random.default_rng(3)
    u = rng.integers(0, 256, (130, 262)).astype(np.uint8)
    assert np.array_equal(wm.haar_ll(u), pywt.dwt2(u, "haar")[0])


@pytest.mark.parametrize("pattern", wm.PATTERNS, ids=[p.name for p in wm.PATTERNS])
def test_each_pattern_is_found_in_a_png(tmp_path, pattern):
    marked = encode(textured(512, 512, 5), pattern, as_float=pattern.name == "sdxl")
    items = read_evidence(write(tmp_path / "m.png", save_bytes("PNG", Image.fromarray(marked))))
    assert [i.token() for i in items] == [f"watermark:{pattern.name}"] and items[0].states_ai
    assert read_evidence(tmp_path / "m.png", watermark=False) == ()


def test_sd1_bytes_pattern_from_the_reference_script(tmp_path):
    enc = WatermarkEncoder()
    enc.set_watermark("bytes", b"StableDiffusionV1")  # exactly as scripts/txt2img.py
    rgb = textured(512, 512, 6)
    marked = enc.encode(np.ascontiguousarray(rgb[..., ::-1]), "dwtDct")[..., ::-1]
    p = write(tmp_path / "sd.png", save_bytes("PNG", Image.fromarray(np.ascontiguousarray(marked))))
    assert [i.token() for i in read_evidence(p)] == ["watermark:sd1"]


def test_nothing_on_plain_flat_or_small_images():
    for _, rgb in IMAGES[:3]:
        assert wm.find_watermarks(rgb) == []
    small = encode(textured(256, 256, 7), wm.PATTERNS[0])[:200, :200]
    assert wm.find_watermarks(small) == []  # below imwatermark's 256x256 minimum
    marked = encode(textured(512, 512, 8), wm.PATTERNS[0])
    assert [p.name for p in wm.find_watermarks(marked)] == ["sd1"]
    assert wm.find_watermarks(marked[:, 8:]) == []  # a crop shifts the block grid: bits no longer match exactly


def test_a_scan_decodes_each_file_once_and_finds_the_same_watermarks(tmp_path, tiny_bundle, monkeypatch):
    """Issue #13 item 3: evidence reading takes the pixels the scan decoded (as stored: no EXIF turn, no alpha)."""
    from miwake.core import evidence
    from miwake.core.detector import Detector
    from miwake.core.evidence import EVIDENCE_VERSION
    from miwake.core.results import ImageResult
    from miwake.core.scan_options import ScanOptions
    from miwake.core.scanner import ScanJob

    d = tmp_path / "scan"
    write(
        d / "sdxl.png", save_bytes("PNG", Image.fromarray(encode(textured(512, 520, 4), wm.PATTERNS[2], as_float=True)))
    )
    write(d / "sd1.jpg", save_bytes("JPEG", Image.fromarray(encode(textured(512, 512, 5), wm.PATTERNS[0])), quality=97))
    Image.fromarray(textured(300, 300, 6)).convert("RGBA").save(d / "alpha.png")  # alpha: decoded by evidence itself
    want = {p.name: read_evidence(p) for p in d.iterdir()}
    opened: list[str] = []
    real_open = evidence.open_image
    monkeypatch.setattr(
        evidence, "open_image", lambda p, *a, **k: opened.append(os.path.basename(p)) or real_open(p, *a, **k)
    )
    job = ScanJob(
        [d],
        Detector(tiny_bundle, "cpu"),
        options=ScanOptions(workers=1),
        evidence_reader=read_evidence,
        evidence_version=EVIDENCE_VERSION,
    )
    got = {os.path.basename(r.path): r.evidence for r in job.events() if isinstance(r, ImageResult)}
    assert got == want and [e.token() for e in got["sdxl.png"]] == ["watermark:sdxl"]
    assert opened == ["alpha.png"], opened  # the other two were decoded once, by the scan
