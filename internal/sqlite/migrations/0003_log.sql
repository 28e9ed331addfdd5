-- The transparency log: entries (label events, opaque bytes), the Merkle
-- tree's stored hashes (indexed as golang.org/x/mod/sumdb/tlog stores them)
-- and the one current checkpoint, advanced by compare-and-swap.
CREATE TABLE log_entries (
    idx      INTEGER PRIMARY KEY,          -- 0, 1, 2, … without gaps
    label_id TEXT,                         -- the label the event is about, if any
    data     BLOB NOT NULL
);
CREATE INDEX log_entries_label ON log_entries (label_id, idx);

CREATE TABLE log_hashes (
    id   INTEGER PRIMARY KEY,              -- tlog.StoredHashIndex(level, n)
    hash BLOB NOT NULL
);

CREATE TABLE log_checkpoint (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    size       INTEGER NOT NULL,
    root       BLOB NOT NULL,
    note       BLOB NOT NULL,
    updated_at TEXT NOT NULL
);

ALTER TABLE registry_records ADD COLUMN log_index INTEGER;          -- the label's latest event
ALTER TABLE registry_records ADD COLUMN support_ended_logged INTEGER NOT NULL DEFAULT 0;
