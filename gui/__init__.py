"""The PySide6 desktop app: widgets, item models and workers; detection and storage come from `core`."""
