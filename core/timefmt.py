"""Times as Miwake writes and shows them: UTC timestamps for records, and durations for people."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """Now, as stored in results, scan records, model cards and generator sidecars (ISO 8601, seconds, UTC)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def clock_duration(seconds: float | None) -> str:
    """A running time or time left, to the second: "42 s", "3:05", "1:02:03"; "–" when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "–"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}:{s:02d}"
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}"


def rough_duration(seconds: float) -> str:
    """How long something took, in the unit that reads best: "20 s", "39 min", "3.0 h" (a model card's run)."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return f"{seconds:.0f} s"
    return f"{minutes} min" if minutes < 90 else f"{minutes / 60:.1f} h"
