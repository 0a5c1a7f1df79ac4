"""Draw the application icon with Pillow: resources/icons/miwake.{svg,png,ico,icns}.

A rounded square split into the heatmap's "human" blue and "AI" red, with a white magnifier over the split:
Miwake looks closely and tells the two halves apart. Every size is drawn on its own (supersampled, then
reduced) so the icon stays readable at 16 px. Run `python packaging/make_icons.py` after changing the design.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"

BLUE = (49, 130, 189)  # core.heatmap.probability_color(0.0)
RED = (215, 48, 39)  # core.heatmap.probability_color(1.0)
WHITE = (255, 255, 255)
INK = (31, 36, 48)

# Geometry in units of the icon's side (0..1).
SQUARE = (0.04, 0.04, 0.96, 0.96)
RADIUS = 0.20
LENS_C = (0.43, 0.43)
LENS_R = 0.235
RING_W = 0.085
HANDLE_END = (0.83, 0.83)
HANDLE_W = 0.14
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def _handle_start() -> tuple[float, float]:
    a = math.atan2(HANDLE_END[1] - LENS_C[1], HANDLE_END[0] - LENS_C[0])
    r = LENS_R + RING_W / 2
    return LENS_C[0] + r * math.cos(a), LENS_C[1] + r * math.sin(a)


def render(side: int) -> Image.Image:
    """The icon as RGBA, `side` pixels square (drawn at 8x and reduced)."""
    ss = 8
    n = side * ss
    # small icons get slightly bolder strokes so the magnifier does not vanish
    bold = 1.25 if side <= 24 else 1.0

    def s(v: float) -> float:
        return v * n

    img = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    split = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    ImageDraw.Draw(split).rectangle((0, 0, n // 2, n), fill=BLUE + (255,))
    ImageDraw.Draw(split).rectangle((n // 2, 0, n, n), fill=RED + (255,))
    mask = Image.new("L", (n, n), 0)
    ImageDraw.Draw(mask).rounded_rectangle(tuple(s(v) for v in SQUARE), radius=s(RADIUS), fill=255)
    img.paste(split, (0, 0), mask)

    d = ImageDraw.Draw(img)
    cx, cy, r = s(LENS_C[0]), s(LENS_C[1]), s(LENS_R)
    ring = s(RING_W) * bold
    hw = s(HANDLE_W) * bold
    (hx0, hy0), (hx1, hy1) = (s(v) for v in _handle_start()), (s(v) for v in HANDLE_END)
    # a thin dark outline under everything white keeps the shape on light and dark backgrounds
    o = max(s(0.012), ss * 0.6)
    d.line((hx0, hy0, hx1, hy1), fill=INK + (255,), width=round(hw + 2 * o))
    d.ellipse((hx1 - hw / 2 - o, hy1 - hw / 2 - o, hx1 + hw / 2 + o, hy1 + hw / 2 + o), fill=INK + (255,))
    d.ellipse(
        (cx - r - ring / 2 - o, cy - r - ring / 2 - o, cx + r + ring / 2 + o, cy + r + ring / 2 + o), fill=INK + (255,)
    )
    gmask = Image.new("L", (n, n), 0)
    ImageDraw.Draw(gmask).ellipse(
        (cx - r + ring / 2, cy - r + ring / 2, cx + r - ring / 2, cy + r - ring / 2), fill=255
    )
    d.ellipse((cx - r - ring / 2, cy - r - ring / 2, cx + r + ring / 2, cy + r + ring / 2), fill=WHITE + (255,))
    # the glass: the split seen brighter through it
    inner = Image.blend(split, Image.new("RGBA", (n, n), WHITE + (255,)), 0.35)
    img.paste(inner, (0, 0), gmask)
    d = ImageDraw.Draw(img)
    d.line((hx0, hy0, hx1, hy1), fill=WHITE + (255,), width=round(hw))
    d.ellipse((hx1 - hw / 2, hy1 - hw / 2, hx1 + hw / 2, hy1 + hw / 2), fill=WHITE + (255,))
    return img.resize((side, side), Image.Resampling.LANCZOS)


def svg() -> str:
    """The same drawing as scalable vector graphics (256 x 256 user units)."""
    u = 256

    def f(v: float) -> str:
        return f"{v * u:.1f}".rstrip("0").rstrip(".")

    x0, y0, x1, y1 = SQUARE
    (hx0, hy0), (hx1, hy1) = _handle_start(), HANDLE_END
    cx, cy = LENS_C
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{u}" height="{u}" viewBox="0 0 {u} {u}">
  <title>Miwake</title>
  <defs>
    <clipPath id="sq"><rect x="{f(x0)}" y="{f(y0)}" width="{f(x1 - x0)}" height="{f(y1 - y0)}" rx="{f(RADIUS)}"/></clipPath>
    <clipPath id="glass"><circle cx="{f(cx)}" cy="{f(cy)}" r="{f(LENS_R - RING_W / 2)}"/></clipPath>
  </defs>
  <g clip-path="url(#sq)">
    <rect x="0" y="0" width="{u // 2}" height="{u}" fill="rgb{BLUE}"/>
    <rect x="{u // 2}" y="0" width="{u // 2}" height="{u}" fill="rgb{RED}"/>
  </g>
  <g stroke="rgb{INK}" stroke-linecap="round" fill="none">
    <line x1="{f(hx0)}" y1="{f(hy0)}" x2="{f(hx1)}" y2="{f(hy1)}" stroke-width="{f(HANDLE_W + 0.024)}"/>
    <circle cx="{f(cx)}" cy="{f(cy)}" r="{f(LENS_R)}" stroke-width="{f(RING_W + 0.024)}"/>
  </g>
  <g clip-path="url(#glass)">
    <rect x="0" y="0" width="{u // 2}" height="{u}" fill="rgb{BLUE}"/>
    <rect x="{u // 2}" y="0" width="{u // 2}" height="{u}" fill="rgb{RED}"/>
    <rect x="0" y="0" width="{u}" height="{u}" fill="#fff" fill-opacity="0.35"/>
  </g>
  <g stroke="#fff" stroke-linecap="round" fill="none">
    <line x1="{f(hx0)}" y1="{f(hy0)}" x2="{f(hx1)}" y2="{f(hy1)}" stroke-width="{f(HANDLE_W)}"/>
    <circle cx="{f(cx)}" cy="{f(cy)}" r="{f(LENS_R)}" stroke-width="{f(RING_W)}"/>
  </g>
</svg>
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "miwake.svg").write_text(svg(), encoding="utf-8")
    render(256).save(out / "miwake.png", optimize=True)
    ico = [render(s) for s in ICO_SIZES]
    ico[-1].save(out / "miwake.ico", format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=ico[:-1])
    written = ["miwake.svg", "miwake.png", "miwake.ico"]
    try:
        icns = [render(s) for s in ICNS_SIZES]
        icns[-1].save(out / "miwake.icns", format="ICNS", append_images=icns[:-1])
        written.append("miwake.icns")
    except (KeyError, OSError, ValueError) as e:  # an old Pillow without the ICNS writer
        print(f"miwake.icns not written: {e}")
    for name in written:
        print(f"{out / name}  {(out / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
