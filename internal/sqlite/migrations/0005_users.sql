-- Portal users and their sessions. Times are fixed-width UTC text
-- (nanoseconds always written out) so that they compare in time order.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL, -- a PHC string, e.g. $argon2id$v=19$...
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    disabled_at   TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT
);
CREATE INDEX users_org ON users (org_id, email);

-- A session is found by the SHA-256 of its secret; the secret itself is
-- only in the browser's cookie.
CREATE TABLE sessions (
    hash       BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
