-- The result store as schema 1 created it (core/store.py before the result library): the migration test builds one.
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
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY,
    scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    size INTEGER,
    mtime_ns INTEGER,
    content_hash TEXT,
    model_id TEXT,
    model_key TEXT,
    settings_key TEXT,
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
    reused INTEGER DEFAULT 0
);
CREATE INDEX IF NOT EXISTS results_lookup ON results (path, model_key, settings_key);
CREATE INDEX IF NOT EXISTS results_hash ON results (content_hash, model_key, settings_key);
CREATE INDEX IF NOT EXISTS results_scan ON results (scan_id);
