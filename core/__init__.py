"""Scanning core: discovery, decoding, tiling, the detector, the scan engine, the store and reports. No Qt."""

if __name__ != "miwake.core":  # the repository's `core/` is the installed `miwake.core`; two names would load it twice
    raise ImportError(f"import miwake.core, not {__name__}: Miwake's packages live in the `miwake` namespace")

import os as _os

# OpenMP threads that spin while waiting for work steal the CPU from everything else: with another busy
# program on a 2-core machine, a scan ran an order of magnitude slower (issue #13's notes). Passive
# waiting must be chosen before torch loads its OpenMP runtime, and every entry point imports `core` first.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
