import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from miwake.core.bundle import ModelCard, read_bundle, save_bundle, write_archive
from miwake.core.detector import Detector
from miwake.core.errors import BundleError, UnsafeModelFormatError
from miwake.core.model_factory import build_model, validate_bundle
from tests.helpers import TINY_ARCH

ROOT_RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def test_roundtrip_gives_the_same_outputs(tmp_path):
    torch.manual_seed(3)
    model = build_model(TINY_ARCH).eval()
    card = ModelCard(id="rt", display_name="Round trip", arch=TINY_ARCH, crop_size=32)
    saved = save_bundle(tmp_path / "rt", card, model.state_dict())
    assert len(saved.card.weights_sha256) == 64 and saved.card.created

    loaded = read_bundle(tmp_path / "rt")
    assert loaded.card == saved.card
    validate_bundle(loaded)

    det = Detector(loaded, "cpu")
    crops = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    x = torch.from_numpy(crops).permute(0, 3, 1, 2).float() / 255.0
    mean, std = torch.tensor(card.mean).view(1, 3, 1, 1), torch.tensor(card.std).view(1, 3, 1, 1)
    with torch.no_grad():
        golden = model((x - mean) / std).reshape(-1).numpy()
    np.testing.assert_allclose(det.logits(crops), golden, rtol=1e-4, atol=1e-4)


def test_fp16_storage_halves_the_file(tmp_path):
    model = build_model(TINY_ARCH)
    a = save_bundle(tmp_path / "a", ModelCard(id="a", display_name="a", arch=TINY_ARCH), model.state_dict())
    b = save_bundle(
        tmp_path / "b", ModelCard(id="b", display_name="b", arch=TINY_ARCH, weights_dtype="float16"), model.state_dict()
    )
    sa, sb = (a.path / "model.safetensors").stat().st_size, (b.path / "model.safetensors").stat().st_size
    assert sb < 0.6 * sa
    validate_bundle(read_bundle(b.path))
    assert all(
        v.dtype == torch.float32 for v in read_bundle(b.path).load_state_dict().values() if v.is_floating_point()
    )


@pytest.mark.parametrize("name", ["model.pt", "weights.pth", "sd.ckpt", "pytorch_model.bin", "x.pkl"])
def test_pickle_files_are_refused_with_a_reason(tmp_path, name):
    f = tmp_path / name
    torch.save({"w": torch.zeros(1)}, f)
    with pytest.raises(UnsafeModelFormatError, match="pickle"):
        read_bundle(f)


def test_folder_with_only_pickle_weights_is_refused(tmp_path, tiny_bundle):
    d = tmp_path / "b"
    d.mkdir()
    (d / "model.json").write_text((tiny_bundle.path / "model.json").read_text())
    torch.save({}, d / "pytorch_model.bin")
    with pytest.raises(UnsafeModelFormatError):
        read_bundle(d).load_state_dict()


def test_checksum_mismatch_is_detected(tmp_path, tiny_bundle):
    import shutil

    d = tmp_path / "b"
    shutil.copytree(tiny_bundle.path, d)
    data = bytearray((d / "model.safetensors").read_bytes())
    data[-5] ^= 0xFF
    (d / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(BundleError, match="checksum"):
        read_bundle(d).load_state_dict()


def test_wrong_architecture_is_detected(tmp_path, tiny_bundle):
    import shutil

    d = tmp_path / "b"
    shutil.copytree(tiny_bundle.path, d)
    card = json.loads((d / "model.json").read_text())
    card["arch"] = "resnet18"
    (d / "model.json").write_text(json.dumps(card))
    with pytest.raises(BundleError, match="do not fit"):
        validate_bundle(read_bundle(d))


def test_archive_roundtrip(tmp_path, tiny_bundle):
    out = write_archive(tiny_bundle, tmp_path / "shared")
    assert out.name == "shared.miwake"
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["model.json", "model.safetensors"]
    b = read_bundle(out)
    validate_bundle(b)
    assert b.card == tiny_bundle.card


@pytest.mark.parametrize(
    "patch,match",
    [
        ({"input_mode": "warp"}, "input_mode"),
        ({"unsure_band": [0.7, 0.9], "threshold": 0.5}, "unsure_band"),
        ({"id": "../evil"}, "plain name"),
        ({"crop_size": 2}, "crop_size"),
        ({"format_version": 99}, "newer Miwake"),
        ({"translations": {"../ja": {"description": "x"}}}, "language code"),
        ({"translations": {"ja": {"license": "x"}}}, "may hold only"),
        ({"translations": {"ja": {"display_name": "a\x1b[2Jb"}}}, "control characters"),
        ({"translations": {"ja": {"description": "x" * 9000}}}, "at most 8000"),
        ({"translations": ["ja"]}, "translations must be"),
    ],
)
def test_invalid_cards(tiny_bundle, patch, match):
    d = tiny_bundle.card.to_dict() | patch
    with pytest.raises(BundleError, match=match):
        ModelCard.from_dict(d)


def test_missing_card_fields():
    with pytest.raises(BundleError, match="missing"):
        ModelCard.from_dict({"id": "x"})


def test_a_card_speaks_the_users_language_where_it_can(tmp_path, tiny_bundle):
    """Issue #24 item 8: the model card's words stayed English in the Japanese app."""
    ja = {"display_name": "小さなモデル", "description": "テスト用のモデルです。"}
    card = tiny_bundle.card.with_(description="A test model.", translations={"ja": ja})
    out = save_bundle(tmp_path / "b", card, tiny_bundle.load_state_dict())
    back = read_bundle(out.path).card
    assert back.translations == {"ja": ja}  # kept through the file
    assert (back.display_name_in("ja"), back.description_in("ja")) == (ja["display_name"], ja["description"])
    assert (back.display_name_in("en"), back.description_in("fr")) == (card.display_name, "A test model.")
    older = {k: v for k, v in back.to_dict().items() if k != "translations"}
    assert ModelCard.from_dict(older).display_name_in("ja") == card.display_name  # a card without: its own words


def test_every_bundled_card_has_japanese_words():
    cards = sorted((ROOT_RESOURCES / "models").glob("*/model.json"))
    assert cards
    for card_file in cards:
        card = ModelCard.from_dict(json.loads(card_file.read_text(encoding="utf-8")))
        assert card.display_name_in("ja") != card.display_name and card.description_in("ja") != card.description, (
            card_file
        )
