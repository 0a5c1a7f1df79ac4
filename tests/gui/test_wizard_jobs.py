"""The wizard with real child processes and real data-loader workers (issue #17, item 1).

The walk-through in test_wizard.py trains with `workers=0`; the app trains with loader processes, and that is
where training never started: the job's forked loader workers waited forever for the lock of sys.stdin, which the
job's cancel-watcher thread held. This test runs what users run: one loader worker, Next pressed while the speed
measurement runs, Stop during training, and closing the wizard during training.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from miwake.gui.wizard import RetrainWizard
from miwake.training.run_state import TrainSettings, unfinished_runs
from tests.gui.conftest import write_images
from tests.helpers import TINY_ARCH

LONG = 180_000


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    human, ai = tmp_path / "human", tmp_path / "ai"
    for i, src in enumerate(("sketches", "paintings", "photos")):
        write_images(human / src, 6, size=(64 + 8 * i, 48))
    for i, src in enumerate(("gen_a", "gen_b", "gen_c")):
        write_images(ai / src, 6, size=(72 + 8 * i, 56))
    return human, ai


def _numbers(text: str) -> tuple[int, int]:
    m = re.search(r"(\d+) training images.*?(\d+) validation images", text)
    assert m, text
    return int(m.group(1)), int(m.group(2))


def test_next_during_the_speed_test_then_stop_then_close(qtbot, window, folders, close_wizard_without_asking):
    human, ai = folders
    window.actions.retrain.trigger()
    wiz = window.retrain_wizard
    assert isinstance(wiz, RetrainWizard)
    try:
        goal = wiz.goal_page
        goal.new.setChecked(True)
        goal.name.setText("mine")
        assert wiz.go_next()
        wiz.human_page.add_folder(str(human))
        qtbot.waitUntil(wiz.human_page.is_complete, timeout=30_000)
        assert wiz.go_next()
        ai_page = wiz.ai_page
        assert not ai_page.generate_box.isChecked()  # nothing to download unless asked for
        ai_page.add_existing_folder(str(ai))
        qtbot.waitUntil(lambda: "18 AI images in 3 source" in ai_page.existing_summary.text(), timeout=30_000)
        wiz.state.train = TrainSettings(arch=TINY_ARCH, init="random", crop=32, epochs=200, batch=4, workers=1)
        assert wiz.go_next()
        assert wiz.index == 4  # nothing to generate: the empty generation page is skipped

        sp = wiz.settings_page
        qtbot.waitUntil(sp.measure_button.isEnabled, timeout=30_000)
        sp.measure_button.click()  # the speed test runs when asked (issue #24 item 7)
        qtbot.waitUntil(lambda: sp.bench.running, timeout=30_000)
        planned = _numbers(sp.data.text())
        assert wiz.go_next() and wiz.index == 5  # Next while the speed test runs
        tp = wiz.training_page
        overlaps = []
        tp.runner.event_received.connect(lambda ev: overlaps.append(sp.bench.running))
        qtbot.waitUntil(lambda: bool(tp.first_steps), timeout=LONG)  # training really starts
        assert not any(overlaps)  # one job at a time
        assert _numbers(tp._prepare_detail) == planned  # the pages agree

        tp.stop()  # Stop during training: a checkpoint, within the grace period
        qtbot.waitUntil(lambda: not tp.runner.running, timeout=90_000)
        assert tp._status == "stopped" and tp.has_checkpoint()
        assert "Stopped." in tp.message.text()

        tp.continue_button.click()
        qtbot.waitUntil(lambda: len(tp.first_steps) == 2, timeout=LONG)
        run_id = wiz.state.run_id
        wiz.close()  # close during training: the job stops (checkpoint), then the wizard closes
        qtbot.waitUntil(lambda: window.retrain_wizard is None, timeout=90_000)
        assert [r.run_id for r in unfinished_runs()] == [run_id]
    finally:
        if window.retrain_wizard is not None:
            window.retrain_wizard.shutdown()
