"""Developer tools for the desktop app (translations)."""
