"""The result library (issue #25 item 1): one result per file, model and settings, kept however many scans
happen; scans only say which results they saw; stores of schema 1 migrate on first open."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from miwake.core import store as store_module
from miwake.core.results import Heatmap, ImageResult, Verdict
from miwake.core.store import ResultStore

KEY = ("m@1", "crop:224:cover:t2:8:1")


def _r(path: str, p: float = 0.7, **kw) -> ImageResult:
    return ImageResult(
        path=path,
        size=10,
        mtime_ns=5,
        model_id="m",
        probability=p,
        verdict=Verdict.AI,
        heatmap=Heatmap((0,), (0,), 10, 10, ((p,),)),
        width=10,
        height=10,
        format="PNG",
        crops=1,
        max_crop_probability=p,
        scanned_at="t",
        **kw,
    )


def _scan(s: ResultStore, results: list[ImageResult]) -> int:
    sid = s.begin_scan(["/x"], "m", *KEY, "cpu")
    for r in results:
        s.add_result(sid, r, *KEY)
    s.commit()
    s.finish_scan(sid, "finished", len(results))
    return sid


def test_thirty_small_scans_do_not_erase_a_folders_results(tmp_path):
    """The issue's case: a folder, then 31 single files one by one, then the folder again: all reused."""
    folder = [_r(f"/x/f{i}.png") for i in range(10)]
    with ResultStore(tmp_path / "s.db") as s:
        _scan(s, folder)
        for i in range(31):
            s.prune()
            _scan(s, [_r(f"/y/single{i}.png")])
        s.prune()
        assert all(s.lookup(r.path, 10, 5, *KEY) is not None for r in folder)
        assert len(s.scans(limit=1000)) <= store_module.KEEP_SCANS + 1


def test_a_rescan_adds_no_result_rows_and_reads_back_what_it_saw(tmp_path):
    folder = [_r(f"/x/f{i}.png", p=0.1 * i) for i in range(10)]
    with ResultStore(tmp_path / "s.db") as s:
        _scan(s, folder)
        size_after_first = s.count_library()
        for _ in range(5):
            sid = _scan(s, [ImageResult(**{**r.__dict__, "reused": True}) for r in folder])
        assert s.count_library() == size_after_first == 10
        back = s.scan_results(sid)
        assert [r.path for r in back] == [r.path for r in folder] and all(r.reused for r in back)
        rec = s.scan(sid)
        assert (rec.scored, rec.reused, rec.errors) == (0, 10, 0)
        changed = ImageResult(**{**folder[3].__dict__, "mtime_ns": 9, "probability": 0.99})
        _scan(s, [changed])
        assert s.count_library() == 10  # a changed file replaces its row
        assert s.lookup("/x/f3.png", 10, 9, *KEY)[0].probability == pytest.approx(0.99)


def test_results_leave_the_library_only_by_age(tmp_path):
    with ResultStore(tmp_path / "s.db") as s:
        _scan(s, [_r("/x/old.png"), _r("/x/new.png")])
        long_ago = (datetime.now(UTC) - timedelta(days=400)).isoformat(timespec="seconds")
        s._run("UPDATE results SET last_seen=? WHERE path='/x/old.png'", (long_ago,))
        s.commit()
        s.prune(keep_days=0)  # 0: keep every result
        assert s.count_library() == 2
        s.prune(keep_days=365)
        assert s.lookup("/x/old.png", 10, 5, *KEY) is None and s.lookup("/x/new.png", 10, 5, *KEY) is not None
        assert [r.path for r in s.scan_results(s.last_scan().id)] == ["/x/new.png"]


def _v1_store(path):
    """A store as schema 1 wrote it: one row per file per scan (two scans of the same two files, then one)."""
    from pathlib import Path

    schema = (Path(__file__).parent / "store_schema_v1.sql").read_text()
    db = sqlite3.connect(str(path))
    db.executescript(schema)
    db.execute("INSERT INTO meta VALUES ('schema', '1')")
    cols = (
        "scan_id, path, size, mtime_ns, model_id, model_key, settings_key, probability, verdict, reason, heatmap, "
        "width, height, format, crops, scanned_at, reused"
    )
    heat = '{"xs": [0], "ys": [0], "tile_w": 10, "tile_h": 10, "probs": [[0.5]]}'
    for sid, rows in (
        (1, [("/x/a.png", 0.2, 0), ("/x/b.png", 0.3, 0)]),
        (2, [("/x/a.png", 0.2, 1), ("/x/b.png", 0.35, 0)]),
        (3, [("/x/c.png", 0.9, 0)]),
    ):
        db.execute(
            "INSERT INTO scans (id, started_at, roots, model_id, model_key, settings_key, status, total) "
            "VALUES (?, ?, '[\"/x\"]', 'm', ?, ?, 'finished', ?)",
            (sid, f"2026-01-0{sid}T00:00:00+00:00", *KEY, len(rows)),
        )
        for path, p, reused in rows:
            db.execute(
                f"INSERT INTO results ({cols}) VALUES (?, ?, 10, 5, 'm', ?, ?, ?, 'human', 'pixels', ?, 10, 10, "
                "'PNG', 1, 't', ?)",
                (sid, path, *KEY, p, heat, reused),
            )
    db.commit()
    db.close()


def test_a_schema_1_store_migrates_without_losing_a_result(tmp_path):
    path = tmp_path / "results.sqlite3"
    _v1_store(path)
    with ResultStore(path) as s:
        assert s._run("SELECT value FROM meta WHERE key='schema'").fetchone()[0] == "2"
        assert s.count_library() == 3  # a, b (newest of two copies), c
        assert s.lookup("/x/b.png", 10, 5, *KEY)[0].probability == pytest.approx(0.35)
        assert {r.path for r in s.scan_results(2)} == {"/x/a.png", "/x/b.png"}
        assert [r.reused for r in s.scan_results(2)] == [True, False]
        assert [r.path for r in s.scan_results(3)] == ["/x/c.png"]
        assert s.scan(2).total == 2
    with ResultStore(path) as s:  # and a second open finds it migrated
        assert s.count_library() == 3


def test_the_integrity_check_at_open_is_bounded_and_runs_where_damage_is_suspected(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    with ResultStore(path) as s:
        _scan(s, [_r("/x/a.png")])
    checks = []
    real_connect = sqlite3.connect

    class Tracing:
        def __init__(self, *a, **k):
            self._db = real_connect(*a, **k)

        def execute(self, sql, *a):
            if "quick_check" in sql:
                checks.append(sql)
            return self._db.execute(sql, *a)

        def __getattr__(self, name):
            return getattr(self._db, name)

        def __setattr__(self, name, value):
            if name == "_db":
                object.__setattr__(self, name, value)
            else:
                setattr(self._db, name, value)

    monkeypatch.setattr(store_module.sqlite3, "connect", Tracing)
    ResultStore(path).close()
    assert len(checks) == 1  # small: checked whole
    monkeypatch.setattr(store_module, "FULL_CHECK_BYTES", 0)
    ResultStore(path).close()
    assert len(checks) == 1  # large: not at every open
    (tmp_path / "s.db.suspect").touch()  # an earlier error said "malformed"
    ResultStore(path).close()
    assert len(checks) == 2 and not (tmp_path / "s.db.suspect").exists()


@pytest.mark.parametrize(
    "error,kind",
    [
        (OSError(5, "Input/output error"), "read_error"),
        (OSError(116, "Stale file handle"), "read_error"),
        (MemoryError(), "out_of_memory"),
    ],
)
def test_transient_read_failures_are_reported_and_tried_again_at_the_next_scan(tmp_path, monkeypatch, error, kind):
    """Issue #25: EIO from a network disk was stored as `corrupt`, MemoryError as `too_many_pixels`, and both were
    reused as final until the file changed."""
    from miwake.core import imaging
    from miwake.core.errors import ImageReadError
    from miwake.core.results import ErrorKind
    from tests.helpers import noise_image

    path = tmp_path / "a.png"
    noise_image(32, 32, 1).save(path)

    def failing(p):
        raise error

    monkeypatch.setattr(imaging, "open_image", failing)
    with pytest.raises(ImageReadError) as caught:
        imaging.decode_image(path)
    assert caught.value.kind is ErrorKind(kind)
    r = ImageResult(path=str(path), size=10, mtime_ns=5, error_kind=ErrorKind(kind), error=str(caught.value))
    with ResultStore(tmp_path / "s.db") as s:
        _scan(s, [r])
        assert s.lookup(str(path), 10, 5, *KEY) is None  # not final: scored again next time
