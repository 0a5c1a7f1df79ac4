"""The `miwake` command: composes the sub-commands of `core`, `training` and `gui`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    from miwake.core import cli as core_cli
    from miwake.core import inspect_cli, scan_cli

    p = argparse.ArgumentParser(prog="miwake", description="Tell AI-generated images apart.")
    p.add_argument("--version", action="version", version=f"miwake {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log more to the console")
    p.add_argument("--self-test", action="store_true", help="scan the bundled samples with the default model and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    scan_cli.add_scan_parser(sub)
    core_cli.add_models_parser(sub)
    inspect_cli.add_inspect_parser(sub)
    from miwake.training import (
        cli as training_cli,  # cheap: its commands check their extras when they start
    )

    training_cli.add_parsers(sub)
    g = sub.add_parser("gui", help="open the desktop app")
    g.add_argument("folder", nargs="?", help="folder to open")
    g.add_argument("--screenshot", metavar="PNG", help="render the window to PNG (after scanning FOLDER) and exit")
    g.set_defaults(func=_cmd_gui)
    return p


def _cmd_gui(args: argparse.Namespace) -> int:
    from miwake.gui.platform_check import platform_problem

    problem = platform_problem()  # before Qt loads its platform plugin (and aborts with a generic message)
    if problem:
        print(f"miwake: {problem}", file=sys.stderr)
        return 2
    from miwake.gui.app import run_app

    return run_app(folder=args.folder, screenshot=args.screenshot)


def main(argv: Sequence[str] | None = None) -> int:
    from miwake.core.cli import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
    from miwake.core.errors import MiwakeError, UsageError
    from miwake.core.logsetup import setup_logging

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [
        "train-worker"
    ]:  # frozen: the app's jobs run in a child `miwake train-worker SPEC` (training/process.py)
        from miwake.training.worker import main as worker_main

        return worker_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        from .selftest import run_self_test

        setup_logging(verbose=args.verbose)
        return run_self_test()
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    setup_logging(verbose=args.verbose)
    try:
        rc = int(args.func(args) or 0)
        sys.stdout.flush()  # a reader that left (`| head`) shows here, inside the handler, not at exit
        return rc
    except BrokenPipeError:  # `miwake models info default | head -3`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail again
        return EXIT_OK
    except UsageError as e:
        print(f"miwake: {e}", file=sys.stderr)
        return EXIT_USAGE
    except MiwakeError as e:
        print(f"miwake: {e}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as e:  # a full disk, a read-only folder: say which file, without a traceback
        where = f" ({e.filename})" if e.filename else ""
        print(f"miwake: {e.strerror or e}{where}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("miwake: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def gui_main() -> int:
    # The GUI starts its jobs with the console executable (`miwake train-worker SPEC`, training/process.py); the
    # windowed one takes `train-worker` too, for a bundle whose console executable is missing.
    args = sys.argv[1:]
    return main(args if args[:1] == ["train-worker"] else ["gui", *args])


if __name__ == "__main__":
    sys.exit(main())
