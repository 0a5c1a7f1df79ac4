"""`miwake scan` and `miwake models`: the command-line face of `core`."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from .bundle import format_metric
from .errors import MiwakeError
from .textsafe import json_text, tprint

log = logging.getLogger(__name__)

# The exit codes README.md promises (section "Scan from the command line").
EXIT_OK = 0  # the command did what it was asked (a scan ran, even if some files could not be read)
EXIT_ERROR = 1  # the one file asked about could not be read (inspect), some images failed (generate), a job was stopped
EXIT_USAGE = 2  # the command was wrong: bad arguments, unknown model or architecture, missing extra, no such device
EXIT_NOTHING = 3  # nothing to scan: no image files found
EXIT_FAILED = 4  # a runtime failure: a damaged store or model, a checksum mismatch, a training or generation error
EXIT_INTERRUPTED = 130  # Ctrl-C (what finished is stored and reported)


def int_at_least(lowest: int) -> Any:
    """argparse type: a whole number >= `lowest`; anything else is an argparse error, never silently coerced."""

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if v < lowest:
            raise argparse.ArgumentTypeError(f"must be at least {lowest}, not {v}")
        return v

    parse.__name__ = f"whole number >= {lowest}"
    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def add_models_parser(sub: Any) -> None:
    p = sub.add_parser("models", help="list, inspect, import, export and choose detector models")
    msub = p.add_subparsers(dest="models_cmd", required=True, metavar="{list,info,import,export,use,delete}")
    msub.add_parser("list", help="installed models").set_defaults(func=cmd_models_list)
    q = msub.add_parser("info", help="a model's card")
    q.add_argument("id")
    q.add_argument("--json", action="store_true", help="print the whole model card as JSON")
    q.set_defaults(func=cmd_models_info)
    q = msub.add_parser("import", help="install a bundle folder or .miwake file (validated first)")
    q.add_argument("file")
    q.add_argument("--replace", action="store_true", help="replace an installed model with the same id")
    q.add_argument("--id", dest="new_id", help="install under this id instead")
    q.set_defaults(func=cmd_models_import)
    q = msub.add_parser("export", help="write a model as one .miwake file")
    q.add_argument("id")
    q.add_argument("file")
    q.set_defaults(func=cmd_models_export)
    q = msub.add_parser("use", help="make a model the active one")
    q.add_argument("id")
    q.set_defaults(func=cmd_models_use)
    q = msub.add_parser("delete", help="remove a user model (bundled ones stay)")
    q.add_argument("id")
    q.set_defaults(func=cmd_models_delete)


# -- models ----------------------------------------------------------------------------------------------
def cmd_models_list(args: argparse.Namespace) -> int:
    from .model_choice import active_model_id
    from .registry import ModelRegistry

    reg = ModelRegistry()
    models = reg.list()
    if not models:
        tprint("No models installed.")
    else:
        try:
            active = active_model_id(reg)
        except MiwakeError:
            active = None
        tprint(f"   {'id':<24} {'source':<8} {'arch':<24} {'mode':<12} {'AUC':>6}  name")
        for b in models:
            c = b.card
            auc = c.metrics.get("auc") if isinstance(c.metrics, dict) else None
            mark = "*" if b.id == active else " "
            tprint(
                f" {mark} {b.id:<24} {b.source:<8} {c.arch:<24} {c.input_mode + ' ' + str(c.crop_size):<12} "
                f"{format_metric(auc) if auc is not None else '-':>6}  {c.display_name}"
            )
        tprint("\n* = active model (change with `miwake models use ID`)")
    for folder, why in reg.broken.items():
        tprint(f"broken (skipped): {folder}: {why}", file=sys.stderr)
    return EXIT_OK


def card_summary_lines(bundle: Any) -> list[str]:
    c = bundle.card
    lines = [
        f"id:            {c.id}  ({bundle.source}, {bundle.path})",
        f"name:          {c.display_name}",
        f"architecture:  {c.arch} (timm), {c.weights_dtype} weights, sha256 {c.weights_sha256[:16]}…",
        f"input:         {c.input_mode} {c.crop_size}px, mean {list(c.mean)}, std {list(c.std)}",
        f"decision:      threshold {c.threshold:.3f}, unsure band {c.unsure_band[0]:.3f}–{c.unsure_band[1]:.3f}, "
        f"aggregation {c.aggregation}",
        f"created:       {c.created}",
    ]
    if c.description:
        lines.append(f"description:   {c.description}")
    if c.license:
        lines.append(f"license:       {c.license}")
    return lines


def cmd_models_info(args: argparse.Namespace) -> int:

    from .card_facts import (
        training_facts,
        training_lines,
        validation_facts,
        validation_lines,
    )
    from .registry import ModelRegistry

    b = ModelRegistry().get(args.id)
    if args.json:
        print(json_text(b.card.to_dict()))
        return EXIT_OK
    tprint("\n".join(card_summary_lines(b)))
    for label, text in validation_lines(validation_facts(b.card.metrics)) + training_lines(
        training_facts(b.card.training)
    ):
        indent = "  " if label.startswith(" ") else ""
        tprint(indent + f"{label.strip()}: ".ljust(15 - len(indent)) + text)
    tprint(f"\nThe whole card: miwake models info {b.id} --json")
    return EXIT_OK


def cmd_models_import(args: argparse.Namespace) -> int:
    from .registry import ModelRegistry

    b = ModelRegistry().import_bundle(args.file, replace=args.replace, new_id=args.new_id)
    tprint(f"Installed {b.id} ({b.card.display_name}) into {b.path}. Activate it with `miwake models use {b.id}`.")
    return EXIT_OK


def cmd_models_export(args: argparse.Namespace) -> int:
    from .registry import ModelRegistry

    out = ModelRegistry().export(args.id, args.file)
    tprint(f"Wrote {out}")
    return EXIT_OK


def cmd_models_use(args: argparse.Namespace) -> int:
    from .model_choice import use_model

    b = use_model(args.id)
    tprint(f"Active model: {b.id} ({b.card.display_name})")
    return EXIT_OK


def cmd_models_delete(args: argparse.Namespace) -> int:
    from .model_choice import delete_model

    delete_model(args.id)
    tprint(f"Deleted {args.id}")
    return EXIT_OK
