import os
import signal
import subprocess
import sys
import textwrap

from miwake.core.results import ErrorKind, Heatmap, ImageResult, Verdict
from miwake.core.store import ResultStore
from tests.helpers import noise_image


def test_roundtrip(tmp_path):
    r = ImageResult(
        path="/x/ä b.png",
        size=10,
        mtime_ns=5,
        content_hash="ab",
        model_id="m",
        probability=0.7,
        verdict=Verdict.AI,
        heatmap=Heatmap((0, 10), (0,), 10, 10, ((0.1, 0.9),)),
        width=20,
        height=10,
        format="PNG",
        crops=2,
        max_crop_probability=0.9,
        scanned_at="t",
    )
    e = ImageResult(path="/x/bad.png", size=3, mtime_ns=1, error_kind=ErrorKind.CORRUPT, error="bad")
    with ResultStore(tmp_path / "s.db") as s:
        sid = s.begin_scan(["/x"], "m", "m@1", "k", "cpu")
        s.add_result(sid, r, "m@1", "k")
        s.add_result(sid, e, "m@1", "k")
        s.commit()
        s.finish_scan(sid, "finished", 2)
        assert s.scan_results(sid) == [r, e]
        assert s.lookup("/x/ä b.png", 10, 5, "m@1", "k")[0] == r
        assert s.lookup("/x/ä b.png", 10, 6, "m@1", "k") is None  # touched
        assert s.lookup("/x/ä b.png", 10, 5, "m@2", "k") is None  # other weights
        assert s.lookup("/x/bad.png", 3, 1, "m@1", "k") is not None  # deterministic error remembered
        assert s.last_scan().status == "finished"


def test_transient_errors_are_not_reused(tmp_path):
    e = ImageResult(path="/x/p.png", size=3, mtime_ns=1, error_kind=ErrorKind.PERMISSION, error="denied")
    with ResultStore(tmp_path / "s.db") as s:
        sid = s.begin_scan(["/x"], "m", "m@1", "k", "cpu")
        s.add_result(sid, e, "m@1", "k")
        s.commit()
        assert s.lookup("/x/p.png", 3, 1, "m@1", "k") is None


def test_prune_keeps_newest_scans(tmp_path):
    with ResultStore(tmp_path / "s.db") as s:
        ids = [s.begin_scan(["/x"], "m", "m@1", "k", "cpu") for _ in range(5)]
        for i in ids:
            s.add_result(i, ImageResult(path=f"/x/{i}"), "m@1", "k")
            s.finish_scan(i, "finished", 1)
        s.commit()
        assert s.prune(keep_scans=2) == 3
        assert [r.id for r in s.scans()] == ids[-2:][::-1]
        assert s.count_results(ids[0]) == 0


def test_killed_scan_keeps_its_finished_rows(tmp_path, tiny_bundle):
    """kill -9 in the middle of a scan: every result the scan had reported is in the store."""
    d = tmp_path / "imgs"
    d.mkdir()
    for i in range(400):
        noise_image(32, 32, i).save(d / f"{i:03d}.png")
    db = tmp_path / "s.db"
    script = textwrap.dedent(
        f"""
        import sys
        from miwake.core.bundle import read_bundle
        from miwake.core.detector import Detector
        from miwake.core.results import ImageResult
        from miwake.core.scan_options import ScanOptions
        from miwake.core.scanner import ScanJob
        from miwake.core.store import ResultStore
        store = ResultStore({str(db)!r})
        job = ScanJob([{str(d)!r}], Detector(read_bundle({str(tiny_bundle.path)!r}), "cpu"), store=store,
                      options=ScanOptions(batch_size=1, workers=1))
        for ev in job.events():
            if isinstance(ev, ImageResult):
                print(ev.path, flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    reported = []
    for line in proc.stdout:
        reported.append(line.strip())
        if len(reported) == 25:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with ResultStore(db) as s:
        scan = s.last_scan()
        assert scan.status == "running"  # it never finished
        stored = {r.path for r in s.scan_results(scan.id)}
    assert set(reported) <= stored and len(stored) < 400
