import numpy as np
import pytest
from PIL import Image

from miwake.core.errors import ImageReadError
from miwake.core.imaging import decode_image
from tests.helpers import HOSTILE_EXPECTED, make_hostile_folder, noise_image


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return make_hostile_folder(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("name,kind", sorted(HOSTILE_EXPECTED.items()))
def test_every_file_decodes_or_fails_with_its_kind(hostile, name, kind):
    if kind is None:
        img = decode_image(hostile / name)
        assert img.rgb.dtype == np.uint8 and img.rgb.ndim == 3 and img.rgb.shape[2] == 3
        assert img.rgb.flags["C_CONTIGUOUS"]
    else:
        with pytest.raises(ImageReadError) as e:
            decode_image(hostile / name)
        assert e.value.kind == kind
        assert str(e.value)


def test_bomb_is_refused_without_decoding(hostile, monkeypatch):
    from PIL import ImageFile

    loads = []
    real = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(self) or real(self))
    with pytest.raises(ImageReadError, match="without decoding"):
        decode_image(hostile / "bomb.png")
    assert not loads  # refused from its header: not a pixel was decoded


def test_exif_orientation_applied(hostile):
    img = decode_image(hostile / "rotated.jpg")
    assert (img.width, img.height) == (40, 60)


def test_alpha_composited_over_white(tmp_path):
    im = Image.new("RGBA", (10, 10), (255, 0, 0, 0))  # fully transparent red
    im.save(tmp_path / "t.png")
    assert (decode_image(tmp_path / "t.png").rgb == 255).all()


def test_sixteen_bit_keeps_the_high_byte(tmp_path):
    arr = np.full((8, 8), 0xAB00, dtype=np.uint16)
    Image.fromarray(arr).save(tmp_path / "g.png")
    rgb = decode_image(tmp_path / "g.png").rgb
    assert rgb.shape == (8, 8, 3) and abs(int(rgb[0, 0, 0]) - 0xAB) <= 1


def test_cmyk_becomes_rgb(hostile):
    img = decode_image(hostile / "cmyk.jpg")
    assert img.source_mode == "CMYK" and img.rgb.shape[2] == 3


def test_animated_first_frame(tmp_path):
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    rgb = decode_image(tmp_path / "a.gif").rgb
    assert rgb[0, 0, 0] > 200 and rgb[0, 0, 1] < 50


def test_missing_file(tmp_path):
    with pytest.raises(ImageReadError) as e:
        decode_image(tmp_path / "nope.png")
    assert e.value.kind == "not_found"


def test_avif_is_read(tmp_path):
    from PIL import features

    if not features.check("avif"):
        pytest.skip("Pillow built without AVIF")
    noise_image(40, 30).save(tmp_path / "x.avif")
    assert decode_image(tmp_path / "x.avif").rgb.shape == (30, 40, 3)


def test_heic_plugin_registered(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("libheif without an encoder")
    noise_image(40, 30).save(tmp_path / "x.heic")
    assert decode_image(tmp_path / "x.heic").rgb.shape == (30, 40, 3)
