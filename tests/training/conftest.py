import numpy as np
import pytest
from PIL import Image


def _img(rng, kind: str, w: int = 72, h: int = 64) -> Image.Image:
    yy, xx = np.mgrid[0:h, 0:w]
    base = 128 + 60 * np.sin(xx / rng.uniform(5, 15)) * np.cos(yy / rng.uniform(5, 15))
    if kind == "ai":  # a periodic high-frequency pattern (like an upsampler's checkerboard)
        base = base + 25 * ((xx + yy) % 2)
    noise = rng.normal(0, 6, (h, w, 3))
    arr = np.clip(base[..., None] + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(arr)


@pytest.fixture(scope="session")
def toy_data(tmp_path_factory):
    """real/{camera,scans} and ai/{gen_a,gen_b}: 8 images each, plus a manifest."""
    root = tmp_path_factory.mktemp("toy")
    rng = np.random.default_rng(0)
    rows = ["path,label,source,generator"]
    for label, sources in (("real", ("camera", "scans")), ("ai", ("gen_a", "gen_b"))):
        for src in sources:
            d = root / label / src
            d.mkdir(parents=True)
            for i in range(8):
                fmt = "png" if (label == "ai") == (i % 2 == 0) else "jpg"
                p = d / f"{i}.{fmt}"
                _img(rng, label).save(p, quality=90) if fmt == "jpg" else _img(rng, label).save(p)
                rows.append(f"{label}/{src}/{p.name},{label},{src},{src if label == 'ai' else ''}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n")
    return root
