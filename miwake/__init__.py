"""Miwake (見分け, "telling apart"): find AI-generated images in a folder and show where the evidence sits.

This package is the application shell: it composes `core` (scanning), `training` (retraining) and `gui`
(the desktop app) into the `miwake` command. The work itself lives in those packages.
"""

__version__ = "0.1.0"
APP_NAME = "Miwake"
APP_ID = "miwake"


def _in_checkout() -> None:
    """From a checkout without the `miwake/core` links (a fresh clone, or one made without symlinks), import
    `miwake.core` and the rest from the top-level folders (`miwake.layout` says how)."""
    from ._checkout import extend_from_checkout

    extend_from_checkout(__path__, __path__[0])


_in_checkout()
