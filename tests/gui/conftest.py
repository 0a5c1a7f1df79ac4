"""GUI test fixtures: the tiny model installed in the isolated user folder, images, a main window.

Every test fails if it leaves worker threads running (after a short grace period for work that is
finishing), and the threads are stopped either way so the next test starts clean.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool

from miwake.gui import workers
from tests.helpers import noise_image


@pytest.fixture(scope="session", autouse=True)
def _refcount_guard(qapp):
    from miwake.gui.qt_compat import install_refcount_guard

    install_refcount_guard()


@pytest.fixture(autouse=True)
def no_dangling_threads(qtbot):
    yield
    pools_done = all(p.waitForDone(3000) for p in workers._pools.values())
    try:
        qtbot.waitUntil(lambda: not workers.Worker._active, timeout=2000)  # `finished` reached the GUI thread
    except AssertionError:
        pass
    leftover = [w.name for w in workers.Worker._active]
    scan_threads = [t.name for t in threading.enumerate() if t.name.startswith("miwake-")]
    if not pools_done or leftover or scan_threads:
        workers.wait_for_workers(10_000)
        QThreadPool.globalInstance().waitForDone(5000)
        workers.Worker._active.clear()
        pytest.fail(f"test left threads running: workers={leftover} threads={scan_threads} pools_done={pools_done}")


@pytest.fixture
def close_wizard_without_asking(monkeypatch):
    """Answer "Stop and close" when a test closes the wizard with a job running."""
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(
        "miwake.gui.wizard.retrain_wizard.plain_question", lambda *a, **k: QMessageBox.StandardButton.Yes
    )


@pytest.fixture
def tiny_model(tiny_bundle):
    from miwake.core.registry import ModelRegistry

    return ModelRegistry().import_bundle(tiny_bundle.path)


def write_images(folder: Path, n: int, size: tuple[int, int] = (96, 64)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        noise_image(size[0] + (i % 3) * 16, size[1], seed=i).save(folder / f"img_{i:03d}.png")
    return folder


@pytest.fixture
def images(tmp_path: Path) -> Path:
    return write_images(tmp_path / "pictures", 6)


@pytest.fixture
def window(qtbot, tiny_model):
    from miwake.gui.main_window import MainWindow

    w = MainWindow(load_last=False)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()
