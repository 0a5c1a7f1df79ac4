"""The result store: SQLite in the user data folder — a library of per-file results, and the scans that saw them.

- `results` holds one row per (file path, model weights, scan settings): the latest result for that file, heatmap
  and evidence included. A rescan of an unchanged file adds no result row; a changed file replaces its row.
- `scan_items` says which results each scan saw (and whether it reused them): a few integers per file.
- Old scan records are pruned (the newest `KEEP_SCANS`); results only by age — a result not seen by any scan for
  `Settings.library_keep_days` days — so the files of a big folder are never scored twice because thirty small
  scans happened in between.
- Written by one connection in the thread that runs the scan; readers open their own connection.
- WAL journal, committed batch by batch: a crash or `kill -9` loses at most the batch in flight.
- Reuse: a file whose path, size and mtime (or, failing those, content hash) match a stored result made
  with the same model weights and tiling settings is not scored again; its verdict is recomputed from
  the stored probability, so a changed threshold applies at once.
- Integrity: a store of up to `FULL_CHECK_BYTES` is checked whole (`PRAGMA quick_check`) at every open; a larger
  one only where damage is suspected (an error that said "malformed" left a marker beside it), so opening a
  library of a million results stays quick.
- Schema 1 (one row per file per scan) is migrated on first open, keeping the newest result per file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import StoreError
from .results import ErrorKind, EvidenceItem, Heatmap, ImageResult, Reason, Verdict
from .textsafe import for_utf8
from .timefmt import utc_now

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
KEEP_SCANS = 30  # scan records kept (the results they saw stay while the library keeps them)
FULL_CHECK_BYTES = 64 * 1024 * 1024  # stores up to this size get the full integrity check at every open
# Errors that depend only on the file's bytes: worth remembering. Others (permission, not found) are retried.
DETERMINISTIC_ERRORS = frozenset(
    {
        ErrorKind.EMPTY,
        ErrorKind.NOT_IMAGE,
        ErrorKind.CORRUPT,
        ErrorKind.TRUNCATED,
        ErrorKind.TOO_MANY_PIXELS,
        ErrorKind.TOO_COMPLEX,
    }
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS scans (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    roots TEXT NOT NULL,
    model_id TEXT NOT NULL,
    model_key TEXT NOT NULL,
    settings_key TEXT NOT NULL,
    device TEXT,
    status TEXT NOT NULL,
    total INTEGER DEFAULT 0,
    scored INTEGER DEFAULT 0,
    reused INTEGER DEFAULT 0,
    errors INTEGER DEFAULT 0
);
"""

_RESULTS = """
CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    size INTEGER,
    mtime_ns INTEGER,
    content_hash TEXT,
    model_id TEXT,
    model_key TEXT NOT NULL,
    settings_key TEXT NOT NULL,
    probability REAL,
    verdict TEXT,
    reason TEXT,
    heatmap TEXT,
    width INTEGER,
    height INTEGER,
    format TEXT,
    crops INTEGER,
    max_crop_probability REAL,
    error_kind TEXT,
    error TEXT,
    evidence TEXT,
    evidence_version INTEGER DEFAULT 0,
    scanned_at TEXT,
    last_seen TEXT,
    UNIQUE (path, model_key, settings_key)
);
"""

_ITEMS = """
CREATE TABLE IF NOT EXISTS scan_items (
    scan_id INTEGER NOT NULL,  -- scans.id (rows go with their scan: `prune`)
    result_id INTEGER NOT NULL,  -- results.id
    reused INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL,  -- the order the scan met its files in
    PRIMARY KEY (scan_id, result_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS results_hash ON results (content_hash, model_key, settings_key);
CREATE INDEX IF NOT EXISTS scan_items_result ON scan_items (result_id);
CREATE INDEX IF NOT EXISTS results_seen ON results (last_seen);
"""

_COLS = (
    "path size mtime_ns content_hash model_id probability verdict reason heatmap width height format crops "
    "max_crop_probability error_kind error evidence scanned_at evidence_version"
).split()


@dataclass(frozen=True)
class ScanRecord:
    id: int
    started_at: str
    finished_at: str | None
    roots: tuple[str, ...]
    model_id: str
    status: str
    total: int
    scored: int
    reused: int
    errors: int
    device: str | None


def _path_to_db(path: str) -> str | bytes:
    """A path as SQLite can hold it: text, or — for a name that is not valid UTF-8 (legal on Linux, held by Python
    as lone surrogates) — the exact bytes of the name as a BLOB. Lookups bind the same form, so they match."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path) if os.name == "posix" else path.encode("utf-8", "surrogatepass")


def _path_from_db(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return os.fsdecode(value) if os.name == "posix" else value.decode("utf-8", "surrogatepass")
    return value


def _row_to_result(row: sqlite3.Row) -> ImageResult:
    heat = json.loads(row["heatmap"]) if row["heatmap"] else None
    ev = json.loads(row["evidence"]) if row["evidence"] else []
    return ImageResult(
        path=_path_from_db(row["path"]),
        size=row["size"] or 0,
        mtime_ns=row["mtime_ns"] or 0,
        content_hash=row["content_hash"],
        model_id=row["model_id"] or "",
        probability=row["probability"],
        verdict=Verdict(row["verdict"]) if row["verdict"] else Verdict.ERROR,
        reason=Reason(row["reason"]) if row["reason"] else Reason.PIXELS,
        heatmap=Heatmap.from_dict(heat) if heat else None,
        width=row["width"],
        height=row["height"],
        format=row["format"],
        crops=row["crops"] or 0,
        max_crop_probability=row["max_crop_probability"],
        error_kind=ErrorKind(row["error_kind"]) if row["error_kind"] else None,
        error=row["error"],
        evidence=tuple(EvidenceItem.from_dict(e) for e in ev),
        scanned_at=row["scanned_at"] or "",
        reused=bool(row["reused"]) if "reused" in row.keys() else False,
    )


class ResultStore:
    """SQLite result store. Use one instance per thread (SQLite connections are not shared).

    Damage never stops Miwake: a database SQLite calls malformed (or not a database) is set aside — renamed with
    a timestamp, never deleted — and a fresh one started (`set_aside` says where the old one went); a row with a
    bad value is skipped (and its file scored again). A full disk or a read-only folder raises `StoreError` with
    a message that says so.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.set_aside: Path | None = None  # where a damaged database was moved, if it was
        self._seq: dict[int, int] = {}  # scan id -> the last order number given to one of its results
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(
                f"The data folder {self.path.parent} cannot be created ({e.strerror or e}); results are not kept."
            ) from e
        try:
            self._open()
        except sqlite3.DatabaseError as e:
            if not _is_damage(e):
                raise StoreError(self._explain(e)) from e
            self._set_aside(e)
            try:
                self._open()
            except sqlite3.DatabaseError as e2:
                raise StoreError(self._explain(e2)) from e2

    def _open(self) -> None:
        self._db = sqlite3.connect(str(self.path), timeout=30)
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            if self._needs_full_check():
                check = self._db.execute("PRAGMA quick_check").fetchone()
                if check is None or check[0] != "ok":
                    raise sqlite3.DatabaseError(
                        f"database disk image is malformed ({check[0] if check else 'no answer'})"
                    )
            self._db.executescript(_SCHEMA)
            ver = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if ver is not None and not str(ver[0]).isdigit():
                raise sqlite3.DatabaseError(f"database disk image is malformed (schema {ver[0]!r})")
            if ver is not None and int(ver[0]) > SCHEMA_VERSION:
                raise StoreError(f"{self.path} was written by a newer Miwake; update Miwake or move the file away.")
            if ver is not None and int(ver[0]) < 2:
                self._migrate_1_to_2()
            self._db.executescript(_RESULTS.format(name="results") + _ITEMS)
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            self._db.commit()
            self._suspect_path().unlink(missing_ok=True)  # checked (or small enough to be): no longer suspect
        except BaseException:
            self._db.close()
            raise

    def _suspect_path(self) -> Path:
        return self.path.with_name(self.path.name + ".suspect")

    def _needs_full_check(self) -> bool:
        """The whole file is checked when it is small, or when an earlier error said it may be damaged."""
        try:
            size = self.path.stat().st_size
        except OSError:
            return True
        return size <= FULL_CHECK_BYTES or self._suspect_path().exists()

    def _migrate_1_to_2(self) -> None:
        """Schema 1 kept a copy of every result per scan: keep the newest per (file, model, settings) in the new
        `results`, and say in `scan_items` which of them each kept scan saw. One transaction: all or nothing."""
        db = self._db
        cols = ", ".join(c for c in _COLS)
        log.info("Migrating the result store %s to the result library (schema 2)", self.path)
        db.execute("BEGIN")
        db.execute(_RESULTS.format(name="results_v2").strip().rstrip(";"))
        db.execute(
            f"INSERT INTO results_v2 ({cols}, model_key, settings_key, last_seen) "
            f"SELECT {cols}, model_key, settings_key, scanned_at FROM results WHERE id IN "
            "(SELECT MAX(id) FROM results GROUP BY path, model_key, settings_key)"
        )
        db.execute(_ITEMS.split(";")[0])
        db.execute(
            "INSERT OR IGNORE INTO scan_items (scan_id, result_id, reused, seq) "
            "SELECT old.scan_id, new.id, old.reused, old.id FROM results AS old JOIN results_v2 AS new "
            "ON old.path = new.path AND old.model_key = new.model_key AND old.settings_key = new.settings_key"
        )
        db.execute("DROP TABLE results")
        db.execute("ALTER TABLE results_v2 RENAME TO results")
        db.execute("UPDATE meta SET value='2' WHERE key='schema'")
        db.commit()

    def _set_aside(self, why: Exception) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        dest = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        try:
            os.replace(self.path, dest)
            for suffix in ("-wal", "-shm"):
                side = Path(str(self.path) + suffix)
                if side.exists():
                    os.replace(side, Path(str(dest) + suffix))
        except OSError as e:
            raise StoreError(f"The result store {self.path} is damaged ({why}) and cannot be moved aside ({e}).") from e
        self.set_aside = dest
        log.warning(
            "The result store %s was damaged (%s); it was moved to %s and a fresh one started.", self.path, why, dest
        )

    def _explain(self, e: sqlite3.Error) -> str:
        msg = str(e)
        low = msg.lower()
        if "full" in low:
            return f"The disk that holds the result store ({self.path.parent}) is full: free some space. ({msg})"
        if "readonly" in low or "read-only" in low or "unable to open" in low or "permission" in low:
            return f"The result store {self.path} cannot be written (read-only folder or no permission). ({msg})"
        if _is_damage(e):
            return f"The result store {self.path} is damaged ({msg}). Move it away to start a fresh one."
        return f"The result store {self.path} failed: {msg}"

    def _run(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params if isinstance(params, dict) else tuple(params))
        except sqlite3.Error as e:
            if _is_damage(e):  # the next open checks the whole file (and sets it aside if it is damaged)
                with contextlib.suppress(OSError):
                    self._suspect_path().touch()
            raise StoreError(self._explain(e)) from e

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------------------
    def begin_scan(self, roots: Iterable[str], model_id: str, model_key: str, settings_key: str, device: str) -> int:
        cur = self._run(
            "INSERT INTO scans (started_at, roots, model_id, model_key, settings_key, device, status) "
            "VALUES (?, ?, ?, ?, ?, ?, 'running')",
            (utc_now(), json.dumps([str(r) for r in roots]), model_id, model_key, settings_key, device),
        )
        self.commit()
        return int(cur.lastrowid or 0)

    def add_result(
        self, scan_id: int, r: ImageResult, model_key: str, settings_key: str, evidence_version: int = 0
    ) -> None:
        """Record that scan `scan_id` saw `r`: the file's result in the library is written (a reused one only
        has its evidence and last-seen time refreshed), and the scan's list of results gets it."""
        key = (_path_to_db(r.path), model_key, settings_key)
        now = utc_now()
        evidence = json.dumps([e.to_dict() for e in r.evidence]) if r.evidence else None  # ASCII: surrogates survive
        if r.reused:
            cur = self._run(
                "UPDATE results SET evidence=?, evidence_version=?, last_seen=? WHERE path=? AND model_key=? "
                "AND settings_key=?",
                (evidence, evidence_version, now, *key),
            )
            if cur.rowcount:
                self._add_item(scan_id, self._result_id(key), reused=True)
                return
        values = (
            key[0],
            r.size,
            r.mtime_ns,
            r.content_hash,
            r.model_id,
            r.probability,
            r.verdict.value,
            r.reason.value,
            json.dumps(r.heatmap.to_dict()) if r.heatmap else None,
            r.width,
            r.height,
            r.format,
            r.crops,
            r.max_crop_probability,
            r.error_kind.value if r.error_kind else None,
            for_utf8(r.error) if r.error else r.error,
            evidence,
            r.scanned_at,
            evidence_version,
        )
        updates = ", ".join(f"{c}=excluded.{c}" for c in _COLS if c != "path")
        cur = self._run(
            f"INSERT INTO results ({', '.join(_COLS)}, model_key, settings_key, last_seen) "
            f"VALUES ({', '.join('?' * len(_COLS))}, ?, ?, ?) "
            f"ON CONFLICT (path, model_key, settings_key) DO UPDATE SET {updates}, last_seen=excluded.last_seen",
            (*values, model_key, settings_key, now),
        )
        self._add_item(scan_id, self._result_id(key), reused=r.reused)

    def _result_id(self, key: tuple[Any, str, str]) -> int:
        # no RETURNING: SQLite before 3.35 (some Linux distributions' Python) lacks it
        return int(
            self._run("SELECT id FROM results WHERE path=? AND model_key=? AND settings_key=?", key).fetchone()[0]
        )

    def _add_item(self, scan_id: int, result_id: int, *, reused: bool) -> None:
        seq = self._seq.get(scan_id)
        if seq is None:  # once per scan (a MAX per row would make a scan quadratic in its files)
            seq = int(
                self._run("SELECT COALESCE(MAX(seq), 0) FROM scan_items WHERE scan_id=?", (scan_id,)).fetchone()[0]
            )
        self._seq[scan_id] = seq + 1
        self._run(
            "INSERT OR REPLACE INTO scan_items (scan_id, result_id, reused, seq) VALUES (?, ?, ?, ?)",
            (scan_id, result_id, int(reused), seq + 1),
        )

    def commit(self) -> None:
        try:
            self._db.commit()
        except sqlite3.Error as e:
            raise StoreError(self._explain(e)) from e

    def rollback(self) -> None:
        try:
            self._db.rollback()
        except sqlite3.Error:
            pass

    def finish_scan(self, scan_id: int, status: str, total: int, device: str | None = None) -> None:
        """Close the scan's record. Scored, reused and error counts are counted from the rows actually stored
        (after a full disk, fewer rows than were scored may have made it), so the record always matches them."""
        counts = self._run(
            "SELECT COALESCE(SUM(i.reused = 0 AND r.error_kind IS NULL), 0), COALESCE(SUM(i.reused = 1), 0), "
            "COALESCE(SUM(r.error_kind IS NOT NULL), 0) "
            "FROM scan_items AS i JOIN results AS r ON r.id = i.result_id WHERE i.scan_id=?",
            (scan_id,),
        ).fetchone()
        self._run(
            "UPDATE scans SET finished_at=?, status=?, total=?, scored=?, reused=?, errors=? WHERE id=?",
            (utc_now(), status, total, int(counts[0]), int(counts[1]), int(counts[2]), scan_id),
        )
        if device is not None:  # the device is known only once the model loaded (if it was needed at all)
            self._run("UPDATE scans SET device=? WHERE id=?", (device, scan_id))
        self.commit()

    def prune(self, keep_scans: int = KEEP_SCANS, keep_days: float = 365.0, running_for_days: float = 2.0) -> int:
        """Forget old scan records, and results no scan has seen for `keep_days` (0: keep every result);
        returns how many scan records went.

        Kept: every scan still running (started less than `running_for_days` ago: another window or process
        may be writing it), the newest scan, and the newest `keep_scans` scans that saw results — a scan
        that found nothing never takes one of those places. A result goes only by age: pruning scan records
        never deletes the result of a file that a recent scan saw.
        """
        cutoff = (datetime.now(UTC) - timedelta(days=running_for_days)).isoformat(timespec="seconds")
        keep = (
            "SELECT id FROM scans WHERE status='running' AND started_at >= :cutoff "
            "UNION SELECT MAX(id) FROM scans "
            "UNION SELECT id FROM (SELECT id FROM scans WHERE EXISTS (SELECT 1 FROM scan_items WHERE scan_id=scans.id) "
            "ORDER BY id DESC LIMIT :keep)"
        )
        cur = self._run(f"DELETE FROM scans WHERE id NOT IN ({keep})", {"cutoff": cutoff, "keep": keep_scans})
        removed = cur.rowcount
        if removed:
            self._run("DELETE FROM scan_items WHERE scan_id NOT IN (SELECT id FROM scans)")
        if keep_days > 0:
            old = (datetime.now(UTC) - timedelta(days=keep_days)).isoformat(timespec="seconds")
            gone = self._run(
                "DELETE FROM results WHERE last_seen < ? AND id NOT IN (SELECT result_id FROM scan_items "
                "WHERE scan_id IN (SELECT id FROM scans WHERE status='running'))",
                (old,),
            ).rowcount
            if gone:
                self._run("DELETE FROM scan_items WHERE result_id NOT IN (SELECT id FROM results)")
        self.commit()
        return removed

    # -- reading ------------------------------------------------------------------------------------------
    def lookup(
        self, path: str, size: int, mtime_ns: int, model_key: str, settings_key: str
    ) -> tuple[ImageResult, int] | None:
        """The newest reusable result for an unchanged file, with its evidence version."""
        row = self._run(
            "SELECT * FROM results WHERE path=? AND model_key=? AND settings_key=?",
            (_path_to_db(path), model_key, settings_key),
        ).fetchone()
        if row is None or row["size"] != size or row["mtime_ns"] != mtime_ns:
            return None
        return self._reusable(row)

    def lookup_hash(
        self, content_hash: str, size: int, model_key: str, settings_key: str
    ) -> tuple[ImageResult, int] | None:
        row = self._run(
            "SELECT * FROM results WHERE content_hash=? AND size=? AND model_key=? AND settings_key=? "
            "ORDER BY id DESC LIMIT 1",
            (content_hash, size, model_key, settings_key),
        ).fetchone()
        return None if row is None else self._reusable(row)

    @staticmethod
    def _reusable(row: sqlite3.Row) -> tuple[ImageResult, int] | None:
        r = _safe_row(row)
        if r is None or (r.error_kind is not None and r.error_kind not in DETERMINISTIC_ERRORS):
            return None  # a damaged row is scored again
        return r, int(row["evidence_version"] or 0)

    def scan_results(self, scan_id: int) -> list[ImageResult]:
        return list(self.iter_scan_results(scan_id))

    def iter_scan_results(self, scan_id: int) -> Iterator[ImageResult]:
        """The results scan `scan_id` saw, in the order it met them (as the library holds them now)."""
        rows = self._run(
            "SELECT r.*, i.reused AS reused FROM scan_items AS i JOIN results AS r ON r.id = i.result_id "
            "WHERE i.scan_id=? ORDER BY i.seq",
            (scan_id,),
        )
        for row in rows:  # streamed
            r = _safe_row(row)
            if r is not None:
                yield r

    def scans(self, limit: int = 50) -> list[ScanRecord]:
        rows = self._run("SELECT * FROM scans ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [rec for rec in (self._scan(r) for r in rows) if rec is not None]

    def scan(self, scan_id: int) -> ScanRecord | None:
        row = self._run("SELECT * FROM scans WHERE id=?", (scan_id,)).fetchone()
        return None if row is None else self._scan(row)

    def last_scan(self) -> ScanRecord | None:
        for row in self._run("SELECT * FROM scans ORDER BY id DESC LIMIT 5").fetchall():
            rec = self._scan(row)
            if rec is not None:
                return rec
        return None

    @staticmethod
    def _scan(row: sqlite3.Row) -> ScanRecord | None:
        try:
            roots = json.loads(row["roots"])
            if not isinstance(roots, list):
                raise ValueError("roots is not a list")
            return ScanRecord(
                id=int(row["id"]),
                started_at=str(row["started_at"]),
                finished_at=row["finished_at"],
                roots=tuple(str(r) for r in roots),
                model_id=str(row["model_id"]),
                status=str(row["status"]),
                total=int(row["total"] or 0),
                scored=int(row["scored"] or 0),
                reused=int(row["reused"] or 0),
                errors=int(row["errors"] or 0),
                device=row["device"],
            )
        except (TypeError, ValueError, KeyError) as e:
            log.warning("Skipping a damaged scan record %s: %s", row["id"], e)
            return None

    def count_results(self, scan_id: int) -> int:
        return int(self._run("SELECT COUNT(*) FROM scan_items WHERE scan_id=?", (scan_id,)).fetchone()[0])

    def count_library(self) -> int:
        """How many results the library holds (every file, model and settings it remembers)."""
        return int(self._run("SELECT COUNT(*) FROM results").fetchone()[0])


def open_store(path: str | os.PathLike[str]) -> tuple[ResultStore | None, str | None]:
    """The store and a message for the user (or None): when the store cannot be used (read-only or uncreatable
    data folder) the store is None and scans still run, remembering nothing; a damaged one was set aside."""
    try:
        store = ResultStore(path)
    except StoreError as e:
        return None, f"{e} Scanning without remembering the results."
    if store.set_aside is not None:
        return store, f"The result store was damaged; it was moved to {store.set_aside} and a fresh one started."
    return store, None


def _is_damage(e: BaseException) -> bool:
    low = str(e).lower()
    return "malformed" in low or "not a database" in low or "file is encrypted" in low


def _safe_row(row: sqlite3.Row) -> ImageResult | None:
    """The row's result, or None (logged) when a value is not what Miwake writes (a damaged or edited store)."""
    try:
        return _row_to_result(row)
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as e:
        log.warning("Skipping a damaged stored result (row %s): %s", row["id"] if "id" in row.keys() else "?", e)
        return None
