import shutil

import pytest

from miwake.core import paths
from miwake.core.errors import BundleError, ModelNotFoundError
from miwake.core.model_choice import active_model_id, delete_model, use_model
from miwake.core.registry import ModelRegistry
from miwake.core.settings import load_settings
from tests.helpers import make_tiny_bundle


def test_import_use_export_delete(tmp_path, tiny_bundle):
    reg = ModelRegistry()
    b = reg.import_bundle(tiny_bundle.path)
    assert b.source == "user" and [m.id for m in reg.list()] == ["tiny"]
    assert active_model_id(reg) == "tiny"
    out = reg.export("tiny", tmp_path)
    assert out.name == "tiny.miwake"
    b2 = reg.import_bundle(out, new_id="tiny2")
    assert b2.card.weights_sha256 == b.card.weights_sha256
    use_model("tiny2", reg)
    assert active_model_id(reg) == "tiny2" and load_settings().active_model == "tiny2"
    delete_model("tiny2", reg)
    assert active_model_id(reg) == "tiny" and load_settings().active_model is None
    with pytest.raises(ModelNotFoundError):
        reg.get("tiny2")


def test_import_refuses_duplicates_without_replace(tiny_bundle):
    reg = ModelRegistry()
    reg.import_bundle(tiny_bundle.path)
    with pytest.raises(BundleError, match="already installed"):
        reg.import_bundle(tiny_bundle.path)
    reg.import_bundle(tiny_bundle.path, replace=True)


def test_broken_file_never_replaces_a_working_model(tmp_path, tiny_bundle):
    reg = ModelRegistry()
    good = reg.import_bundle(tiny_bundle.path)
    before = (good.path / "model.safetensors").read_bytes()

    archive = reg.export("tiny", tmp_path / "t.miwake")
    half = tmp_path / "half.miwake"
    half.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])  # a half-copied download
    with pytest.raises(BundleError):
        reg.import_bundle(half, replace=True)

    other = make_tiny_bundle(tmp_path / "other", model_id="tiny", seed=5)
    data = bytearray((other.path / "model.safetensors").read_bytes())
    data[len(data) // 2] ^= 0x55
    (other.path / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(BundleError, match="checksum"):
        reg.import_bundle(other.path, replace=True)

    assert (good.path / "model.safetensors").read_bytes() == before
    assert reg.get("tiny").card.weights_sha256 == good.card.weights_sha256
    leftovers = [p.name for p in paths.user_models_dir().iterdir() if p.name != "tiny"]
    assert leftovers == []


def test_builtin_models_are_read_only(tiny_bundle):
    shutil.copytree(tiny_bundle.path, paths.bundled_models_dir() / "default")
    import json

    card = paths.bundled_models_dir() / "default" / "model.json"
    d = json.loads(card.read_text())
    d["id"] = "default"
    card.write_text(json.dumps(d))
    reg = ModelRegistry()
    assert active_model_id(reg) == "default"
    assert reg.get("builtin:default").read_only
    with pytest.raises(BundleError, match="cannot be deleted"):
        reg.delete("default")
    with pytest.raises(BundleError, match="bundled model"):
        reg.import_bundle(paths.bundled_models_dir() / "default", replace=True)


def test_no_model_installed_says_what_to_do():
    with pytest.raises(ModelNotFoundError, match="models import"):
        active_model_id()
