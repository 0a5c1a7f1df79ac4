"""Logging set-up, once per process: console (warnings, or info with -v) + a rotating file in the log dir."""

from __future__ import annotations

import logging
import logging.handlers
import sys

from . import paths

_configured = False


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is now (it is replaced by test runners and GUI consoles)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


# Library loggers whose messages are about one file's oddities (Pillow's decoders, Python warnings they raise):
# the log file keeps them; on the console they would land inside the progress bar.
_FILE_ONLY = ("PIL", "py.warnings")


class _ConsoleFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not any(record.name == n or record.name.startswith(n + ".") for n in _FILE_ONLY)


class _ConsoleFormatter(logging.Formatter):
    """One line per record: tracebacks go to the log file only."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None}))
        return text + (" (details in the log file)" if record.exc_info else "")


def setup_logging(verbose: bool = False, console: bool = True) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        fh = logging.handlers.RotatingFileHandler(
            paths.log_dir() / "miwake.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        fh.setLevel(logging.INFO)
        fh.setFormatter(fmt)
        root.addHandler(fh)
    except OSError as e:  # a read-only home must not stop the program
        print(f"miwake: cannot write the log file ({e})", file=sys.stderr)
    if console:
        ch = _StderrHandler()
        ch.setLevel(logging.INFO if verbose else logging.WARNING)
        ch.setFormatter(
            logging.Formatter("%(levelname)s: %(message)s")
            if verbose
            else _ConsoleFormatter("%(levelname)s: %(message)s")
        )
        if not verbose:
            ch.addFilter(_ConsoleFilter())
        root.addHandler(ch)
    logging.captureWarnings(True)  # library warnings (Pillow's) go through logging, so into the log file
    for noisy in ("PIL", "timm", "urllib3", "filelock", "httpx", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
