"""UI languages (English source strings, Japanese translation) and the labels shared by several widgets.

Translations are Qt `.qm` files in `resources/i18n/` (built by `gui/tools/build_translations.py`).
`apply_language()` swaps the installed translators; Qt then sends `QEvent.LanguageChange` to every widget,
and each widget re-translates itself in `changeEvent` (live switching, no restart).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from miwake.core import paths
from miwake.core.results import ErrorKind, ImageResult, Reason, Verdict

log = logging.getLogger(__name__)

LANGUAGES = ("system", "en", "ja")
_translators: list[QTranslator] = []


translate = QCoreApplication.translate


def fill(text: str, *args: object) -> str:
    """Fill Qt-style %1, %2 … placeholders (translated strings keep the order their language needs)."""
    for i, a in enumerate(args, 1):
        text = text.replace(f"%{i}", str(a))
    return text


_current = ["en"]  # the language `apply_language` put in effect


def translations_dir() -> Path:
    return paths.resources_dir() / "i18n"


def resolve_language(language: str | None) -> str:
    """`system` → `ja` or `en` from the system locale; unknown values fall back to English."""
    lang = (language or "system").lower()
    if lang == "system":
        lang = "ja" if QLocale.system().name().lower().startswith("ja") else "en"
    return lang if lang in ("en", "ja") else "en"


def current_language() -> str:
    """The language the UI speaks now ("en", "ja"): what texts that come with data (a model card's words) pick."""
    return _current[0]


def apply_language(language: str | None) -> str:
    """Install the translators for `language` (system / en / ja); returns the language now in effect."""
    app = QCoreApplication.instance()
    lang = resolve_language(language)
    _current[0] = lang
    if app is None:
        return lang
    for t in _translators:
        app.removeTranslator(t)
    _translators.clear()
    if lang == "ja":
        ours = QTranslator()
        if ours.load(str(translations_dir() / "miwake_ja.qm")):
            _translators.append(ours)
        else:
            log.warning("Japanese translation not found in %s; the UI stays in English.", translations_dir())
        qt = QTranslator()
        if qt.load("qtbase_ja", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            _translators.append(qt)
    for t in _translators:
        app.installTranslator(t)  # sends LanguageChange to every widget
    QLocale.setDefault(QLocale(QLocale.Language.Japanese if lang == "ja" else QLocale.Language.English))
    return lang


def language_names() -> list[tuple[str, str]]:
    return [
        ("system", translate("Language", "System language")),
        ("en", "English"),
        ("ja", "日本語"),
    ]


# -- labels -------------------------------------------------------------------------------------------------
def verdict_label(verdict: Verdict) -> str:
    if verdict is Verdict.AI:
        return translate("Verdict", "AI")
    if verdict is Verdict.HUMAN:
        return translate("Verdict", "human")
    if verdict is Verdict.UNSURE:
        return translate("Verdict", "unsure")
    return translate("Verdict", "error")


def result_verdict_text(r: ImageResult) -> str:
    text = verdict_label(r.verdict)
    if r.reason is Reason.METADATA and r.verdict is not Verdict.ERROR:
        text += " " + translate("Verdict", "(metadata)")
    return text


def error_kind_label(kind: ErrorKind | None) -> str:
    labels = {
        ErrorKind.NOT_FOUND: translate("ErrorKind", "file not found"),
        ErrorKind.PERMISSION: translate("ErrorKind", "no permission to read"),
        ErrorKind.EMPTY: translate("ErrorKind", "empty file"),
        ErrorKind.NOT_IMAGE: translate("ErrorKind", "not an image"),
        ErrorKind.CORRUPT: translate("ErrorKind", "damaged image"),
        ErrorKind.TRUNCATED: translate("ErrorKind", "incomplete file"),
        ErrorKind.TOO_MANY_PIXELS: translate("ErrorKind", "too many pixels"),
        ErrorKind.UNSUPPORTED: translate("ErrorKind", "unsupported format"),
        ErrorKind.TOO_COMPLEX: translate("ErrorKind", "too complex to read"),
        ErrorKind.READ_ERROR: translate("ErrorKind", "read error (disk or network)"),
        ErrorKind.OUT_OF_MEMORY: translate("ErrorKind", "not enough memory"),
        ErrorKind.INTERNAL: translate("ErrorKind", "internal error"),
    }
    return labels.get(kind, translate("ErrorKind", "error")) if kind else ""


def error_kind_hint(kind: ErrorKind | None) -> str:
    """What the user can do about a file that could not be scored."""
    if kind in (ErrorKind.NOT_FOUND,):
        return translate("ErrorKind", "The file was moved or deleted since the scan. Scan the folder again.")
    if kind is ErrorKind.PERMISSION:
        return translate("ErrorKind", "Give your user account read access to the file, then scan again.")
    if kind is ErrorKind.TOO_MANY_PIXELS:
        return translate("ErrorKind", "The image is larger than 150 megapixels; scale it down to check it.")
    if kind is ErrorKind.READ_ERROR:
        return translate(
            "ErrorKind",
            "The disk or network share did not deliver the file. Check the connection; the next scan tries it again.",
        )
    if kind is ErrorKind.OUT_OF_MEMORY:
        return translate(
            "ErrorKind", "Close other programs (or scan fewer files at once); the next scan tries it again."
        )
    if kind in (ErrorKind.UNSUPPORTED, ErrorKind.TOO_COMPLEX):
        return translate("ErrorKind", "Convert the file to PNG or JPEG to check it.")
    if kind is ErrorKind.INTERNAL:
        return translate("ErrorKind", "This is a bug in Miwake; the log folder (Help menu) has the details.")
    return translate("ErrorKind", "Check whether the file opens in an image viewer; ask the sender for a new copy.")


def evidence_kind_label(kind: str) -> str:
    from miwake.core.evidence import KIND_LABELS

    english = KIND_LABELS.get(kind, kind)
    labels = {
        "c2pa": translate("EvidenceKind", "C2PA Content Credentials"),
        "iptc": translate("EvidenceKind", "IPTC digital source type (XMP)"),
        "a1111": translate("EvidenceKind", "AUTOMATIC1111 / Forge parameters"),
        "comfyui": translate("EvidenceKind", "ComfyUI workflow"),
        "novelai": translate("EvidenceKind", "NovelAI metadata"),
        "invokeai": translate("EvidenceKind", "InvokeAI metadata"),
        "exif": translate("EvidenceKind", "Software field naming a generator"),
        "watermark": translate("EvidenceKind", "Invisible watermark"),
        "unreadable": translate("EvidenceKind", "Metadata that could not be read"),
    }
    return labels.get(kind, english)


def evidence_badge(r: ImageResult) -> tuple[str, int]:
    """Short badge text for the table and its sort rank (2 states AI, 1 other evidence, 0 none)."""
    if not r.evidence:
        return "", 0
    if r.evidence_states_ai:
        return "⚑ " + translate("Evidence", "metadata: AI"), 2
    if all(e.kind == "unreadable" for e in r.evidence):
        return translate("Evidence", "metadata unreadable"), 1
    return translate("Evidence", "metadata: no AI claim"), 1


def format_bytes(n: int | None) -> str:
    if not n:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"
