"""Update and compile the UI translations: `python -m miwake.gui.tools.build_translations [--check]`.

1. `pyside6-lupdate` collects every `self.tr(...)` / `translate("Context", ...)` string of `gui/` into
   `resources/i18n/miwake_<lang>.ts` (existing translations are kept; strings no longer used are dropped).
2. Translate the new entries (Qt Linguist: `pyside6-linguist resources/i18n/miwake_ja.ts`, or any editor).
3. `pyside6-lrelease` compiles the `.ts` into the `.qm` file the app loads.

Both tools ship with PySide6-Essentials. `--check` only compiles, and fails when a string is untranslated.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUI = ROOT / "gui"
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("ja",)


def find_tool(name: str) -> str:
    """`pyside6-<name>` next to this Python, on PATH, or the binary inside the PySide6 package."""
    candidates = [Path(sys.executable).parent / f"pyside6-{name}", shutil.which(f"pyside6-{name}")]
    try:
        import PySide6

        candidates.append(Path(PySide6.__file__).parent / name)
    except ImportError:
        pass
    for c in candidates:
        if c and Path(c).exists():
            return str(c)
    raise SystemExit(f"pyside6-{name} not found: install PySide6-Essentials (pip install PySide6-Essentials).")


def sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in GUI.rglob("*.py") if "tools" not in p.parts)


def untranslated(ts: Path) -> list[str]:
    """`context: source` of every message in use that has no finished translation."""
    missing = []
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            kind = "unfinished" if tr is None else tr.get("type")
            if kind in ("obsolete", "vanished"):
                continue
            if kind == "unfinished" or tr is None or not "".join(tr.itertext()).strip():
                missing.append(f"{name}: {msg.findtext('source')}")
    return missing


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compile only; fail when a string is untranslated")
    args = ap.parse_args(argv)
    I18N.mkdir(parents=True, exist_ok=True)
    status = 0
    for lang in LANGUAGES:
        ts = I18N / f"miwake_{lang}.ts"
        qm = I18N / f"miwake_{lang}.qm"
        if not args.check:
            subprocess.run(
                [
                    find_tool("lupdate"),
                    *sources(),
                    "-no-obsolete",
                    "-locations",
                    "none",
                    "-target-language",
                    lang,
                    "-ts",
                    str(ts.relative_to(ROOT)),
                ],
                cwd=ROOT,
                check=True,
            )
        missing = untranslated(ts)
        if missing:
            print(f"{ts.name}: {len(missing)} untranslated:\n  " + "\n  ".join(missing[:50]), file=sys.stderr)
            status = 1 if args.check else status
        subprocess.run([find_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)
        print(f"{qm.relative_to(ROOT)} written")
    return status


if __name__ == "__main__":
    sys.exit(main())
