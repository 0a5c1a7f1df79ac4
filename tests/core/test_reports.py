import csv
import json

import pytest

from miwake.core.reports import CSV_COLUMNS, neutralize, write_csv, write_heatmaps, write_json
from miwake.core.results import ErrorKind, EvidenceItem, Heatmap, ImageResult, Verdict
from tests.helpers import noise_image


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("/home/a=b.png", "/home/a=b.png"),
        ("ok", "ok"),
        (0.5, 0.5),
        ("", ""),
    ],
)
def test_neutralize(cell, expected):
    assert neutralize(cell) == expected


def results():
    return [
        ImageResult(
            path='=HYPERLINK("http://x").png',
            size=1,
            probability=0.91234,
            verdict=Verdict.AI,
            crops=4,
            heatmap=Heatmap((0,), (0,), 8, 8, ((0.9,),)),
            model_id="m",
            evidence=(EvidenceItem("a1111", "model=sd-v1-5", True),),
        ),
        ImageResult(path="日本語 file.png", size=2, probability=0.1, verdict=Verdict.HUMAN, crops=1, model_id="m"),
        ImageResult(path="bad.jpg", size=3, error_kind=ErrorKind.TRUNCATED, error="-truncated", model_id="m"),
    ]


def test_csv_columns_bom_escaping(tmp_path):
    out = tmp_path / "r.csv"
    assert write_csv(results(), out) == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["path", "ai_probability", "verdict", "error"]
    assert tuple(rows[0]) == CSV_COLUMNS
    body = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert '\'=HYPERLINK("http://x").png' in body
    assert body['\'=HYPERLINK("http://x").png']["ai_probability"] == "0.9123"
    assert body['\'=HYPERLINK("http://x").png']["evidence"] == "a1111:model=sd-v1-5"
    assert body['\'=HYPERLINK("http://x").png']["evidence_states_ai"] == "yes"
    assert body["日本語 file.png"]["verdict"] == "human"
    bad = body["bad.jpg"]
    assert bad["ai_probability"] == "" and bad["error"] == "'-truncated" and bad["error_kind"] == "truncated"


def test_json_has_heatmaps(tmp_path):
    out = tmp_path / "r.json"
    write_json(results(), out, scan={"total": 3})
    doc = json.loads(out.read_text("utf-8"))
    assert doc["scan"]["total"] == 3
    assert doc["results"][0]["heatmap"]["probs"] == [[0.9]]
    assert doc["results"][2]["ai_probability"] is None


def test_heatmap_pngs(tmp_path):
    from PIL import Image

    img = tmp_path / "a.png"
    noise_image(64, 32).save(img)
    r = ImageResult(
        path=str(img), probability=0.5, verdict=Verdict.UNSURE, heatmap=Heatmap((0, 32), (0,), 32, 32, ((0.1, 0.9),))
    )
    assert write_heatmaps([r, results()[2]], tmp_path / "hm") == 1
    (png,) = (tmp_path / "hm").iterdir()
    im = Image.open(png).convert("RGB")
    assert im.size == (64, 32)
    left, right = im.getpixel((4, 4)), im.getpixel((60, 4))
    assert right[0] > left[0] and left[2] > right[2]  # red where AI, blue where human


def test_heatmaps_are_not_drawn_over_a_file_changed_since_the_scan(tmp_path):
    from miwake.core.imaging import file_sha256

    img = tmp_path / "a.png"
    noise_image(64, 32, 1).save(img)
    grid = Heatmap((0, 32), (0,), 32, 32, ((0.1, 0.9),))
    r = ImageResult(path=str(img), probability=0.5, verdict=Verdict.UNSURE, heatmap=grid, content_hash=file_sha256(img))
    assert write_heatmaps([r], tmp_path / "ok") == 1
    noise_image(64, 32, 2).save(img)  # same size, new pixels
    skipped: list[tuple[str, str]] = []
    assert write_heatmaps([r], tmp_path / "stale", skipped=skipped) == 0
    assert not any((tmp_path / "stale").iterdir())
    assert skipped[0][0] == str(img) and "changed since the scan" in skipped[0][1]


def test_heatmap_export_reports_progress_and_can_be_stopped(tmp_path):
    """Issue #24 item 7: 41 heatmaps took 21 s with no progress and no way to stop."""
    import threading

    from miwake.core.reports import write_heatmaps
    from miwake.core.results import Heatmap, ImageResult, Verdict
    from tests.helpers import noise_image

    rows = []
    for i in range(5):
        p = tmp_path / f"{i}.png"
        noise_image(40, 30, i).save(p)
        rows.append(
            ImageResult(
                str(p),
                probability=0.5,
                verdict=Verdict.UNSURE,
                heatmap=Heatmap((0,), (0,), 40, 30, ((0.5,),)),
                width=40,
                height=30,
                crops=1,
            )
        )
    seen, cancel = [], threading.Event()

    def progress(done, total):
        seen.append((done, total))
        if done == 2:
            cancel.set()  # the user presses Esc while the third is drawn

    n = write_heatmaps(rows, tmp_path / "hm", on_progress=progress, cancel=cancel)
    assert seen == [(0, 5), (1, 5), (2, 5)] and n == 3 and len(list((tmp_path / "hm").iterdir())) == 3
