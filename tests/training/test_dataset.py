import pytest

from miwake.training.dataset import (
    AI,
    REAL,
    DatasetError,
    Sample,
    from_folders,
    from_manifest,
    load_samples,
    split_by_source,
    summarize,
)


def test_folders_name_sources_by_subfolder(toy_data):
    s = from_folders(real=[toy_data / "real"], ai=[toy_data / "ai"])
    assert len(s) == 32
    assert {x.source for x in s} == {"real/camera", "real/scans", "ai/gen_a", "ai/gen_b"}
    assert {x.label for x in s if x.source.startswith("ai")} == {AI}


def test_manifest(toy_data, tmp_path):
    s = from_manifest(toy_data / "manifest.csv")
    assert len(s) == 32 and all(x.path.startswith(str(toy_data)) for x in s)
    bad = tmp_path / "m.csv"
    bad.write_text("path,label\nx.png,maybe\n")
    with pytest.raises(DatasetError, match="label"):
        from_manifest(bad)
    bad.write_text("file,kind\n")
    with pytest.raises(DatasetError, match="columns"):
        from_manifest(bad)


def test_one_class_only_is_refused(toy_data):
    with pytest.raises(DatasetError, match="Both classes"):
        load_samples(real=[toy_data / "real"])


def make(n_sources, per, label):
    return [Sample(f"/{label}/{s}/{i}.png", label, f"{label}-{s}") for s in range(n_sources) for i in range(per)]


@pytest.mark.parametrize("seed", range(5))
def test_split_never_shares_a_source(seed):
    samples = make(6, 10, REAL) + make(5, 7, AI) + [Sample(f"/big/{i}", AI, "big") for i in range(40)]
    train, val, warnings = split_by_source(samples, 0.25, seed)
    assert not warnings
    assert {s.source for s in train}.isdisjoint({s.source for s in val})
    assert len(train) + len(val) == len(samples)
    for label in (REAL, AI):
        assert any(s.label == label for s in train) and any(s.label == label for s in val)


def test_single_source_class_falls_back_to_files_and_says_so():
    samples = make(3, 10, REAL) + make(1, 20, AI)
    train, val, warnings = split_by_source(samples, 0.2, 0)
    assert any("one source" in w for w in warnings)
    assert sum(s.label == AI for s in val) == 4


def test_explicit_validation_sources():
    samples = make(3, 4, REAL) + make(2, 4, AI)
    train, val, _ = split_by_source(samples, val_sources=["0-0", "1-1"])
    assert {s.source for s in val} == {"0-0", "1-1"}
    with pytest.raises(DatasetError):
        split_by_source(samples, val_sources=["nope"])


def test_summary(toy_data):
    d = summarize(from_manifest(toy_data / "manifest.csv"))
    assert (
        d["ai"] == d["real"] == 16
        and d["sources"]["gen_a"]["images"] == 8
        and d["generators"] == {"gen_a": 8, "gen_b": 8}
    )
