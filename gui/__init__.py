"""The PySide6 desktop app: widgets, item models and workers; detection and storage come from `core`."""

if __name__ != "miwake.gui":  # the repository's `gui/` is the installed `miwake.gui`; two names would load it twice
    raise ImportError(f"import miwake.gui, not {__name__}: Miwake's packages live in the `miwake` namespace")
