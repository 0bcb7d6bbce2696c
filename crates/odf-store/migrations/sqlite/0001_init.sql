-- odf-verify schema, SQLite. Never edit a migration that has been applied anywhere: add a new one.
-- Times are stored by sqlx as RFC 3339 text in UTC; ids are 16-byte UUID blobs; area codes are text
-- such as '74.04.11.2002', so everything under '74.04' is the range '74.04' <= code < '74.04/'.

CREATE TABLE areas (
    code         TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    level        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    parent       TEXT REFERENCES areas (code),
    boundary     TEXT,             -- GeoJSON geometry
    centroid_lat REAL,
    centroid_lng REAL,
    updated_at   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
    id            BLOB PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,   -- argon2 PHC string
    role          TEXT NOT NULL,
    area          TEXT NOT NULL,   -- scope: an area code prefix
    villages      TEXT NOT NULL,   -- JSON array of assigned village codes
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- Bearer tokens are stored only as their SHA-256.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE households (
    id           BLOB PRIMARY KEY NOT NULL,
    village_code TEXT NOT NULL REFERENCES areas (code),
    head_name    TEXT NOT NULL,
    kk_count     INTEGER NOT NULL,
    dusun        TEXT,
    rw           TEXT,
    rt           TEXT,
    lat          REAL,
    lng          REAL,
    revision     INTEGER NOT NULL DEFAULT 1,
    content_hash BLOB NOT NULL,    -- SHA-256 of the record as first stored: tells duplicate from conflict
    received_from TEXT NOT NULL,
    received_at  TEXT NOT NULL
);
CREATE INDEX households_village ON households (village_code);

-- Visits are facts: appended, never updated.
CREATE TABLE visits (
    id           BLOB PRIMARY KEY NOT NULL,
    household_id BLOB NOT NULL REFERENCES households (id),
    village_code TEXT NOT NULL,
    sanitarian   TEXT NOT NULL,
    visited_at   TEXT NOT NULL,
    category     TEXT NOT NULL,
    checklist    TEXT NOT NULL,    -- JSON
    lat          REAL,
    lng          REAL,
    photo_sha256 TEXT,
    device_id    TEXT NOT NULL,
    flags        TEXT NOT NULL,    -- JSON array of GPS review flags
    content_hash BLOB NOT NULL,
    received_at  TEXT NOT NULL
);
CREATE INDEX visits_household ON visits (household_id);
CREATE INDEX visits_village ON visits (village_code);

-- The latest visit of each household: the only visit that counts in the tallies.
CREATE TABLE household_latest (
    household_id BLOB PRIMARY KEY NOT NULL REFERENCES households (id),
    visit_id     BLOB NOT NULL,
    visited_at   TEXT NOT NULL,
    category     TEXT NOT NULL
);

-- Per-village counts of KK by latest visit, kept in the same transaction as the visits.
CREATE TABLE village_tallies (
    village_code     TEXT PRIMARY KEY NOT NULL REFERENCES areas (code),
    houses           INTEGER NOT NULL,
    kk               INTEGER NOT NULL,
    kk_visited       INTEGER NOT NULL,
    kk_access        INTEGER NOT NULL,
    kk_aman          INTEGER NOT NULL,
    kk_layak_sendiri INTEGER NOT NULL,
    kk_layak_bersama INTEGER NOT NULL,
    kk_belum_layak   INTEGER NOT NULL,
    kk_babs_tertutup INTEGER NOT NULL,
    kk_babs_terbuka  INTEGER NOT NULL,
    updated_at       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE village_status (
    village_code TEXT PRIMARY KEY NOT NULL REFERENCES areas (code),
    status       TEXT NOT NULL,
    since        TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE status_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    village_code TEXT NOT NULL REFERENCES areas (code),
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    event        TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL,
    reason       TEXT
);
CREATE INDEX status_history_village ON status_history (village_code, id);

CREATE TABLE verifications (
    id           BLOB PRIMARY KEY NOT NULL,
    village_code TEXT NOT NULL REFERENCES areas (code),
    opened_by    TEXT NOT NULL,
    opened_at    TEXT NOT NULL,
    team         TEXT NOT NULL,    -- JSON array of usernames
    sample_seed  INTEGER NOT NULL,
    sample       TEXT NOT NULL,    -- JSON: the drawn units and households
    community    TEXT,             -- JSON: community criteria
    result       TEXT,             -- lulus | gagal
    reasons      TEXT,
    decided_by   TEXT,
    decided_at   TEXT
);
CREATE INDEX verifications_village ON verifications (village_code);

CREATE TABLE certificates (
    id              BLOB PRIMARY KEY NOT NULL,
    number          TEXT NOT NULL UNIQUE,
    village_code    TEXT NOT NULL REFERENCES areas (code),
    verification_id BLOB NOT NULL REFERENCES verifications (id),
    issued_at       TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    data_hash       TEXT NOT NULL,
    signature       TEXT NOT NULL,
    revoked_at      TEXT,
    revoked_by      TEXT,
    revoke_reason   TEXT
);
CREATE INDEX certificates_village ON certificates (village_code);

-- Append-only; each entry's hash covers its content and the previous entry's hash.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    area_code TEXT,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_area ON audit_log (area_code, seq);

-- The change feed clients pull by cursor. AUTOINCREMENT: a seq is never reused, and SQLite's single
-- writer makes seqs commit in order.
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    area_code TEXT NOT NULL,
    at        TEXT NOT NULL,
    payload   TEXT NOT NULL
);
CREATE INDEX changes_area ON changes (area_code, seq);

-- What each phone last reported at sync: for the freshness figures of the roll-up.
CREATE TABLE devices (
    device_id         TEXT PRIMARY KEY NOT NULL,
    username          TEXT NOT NULL,
    app_version       TEXT NOT NULL,
    pending_count     INTEGER NOT NULL,
    oldest_pending_at TEXT,
    last_sync_at      TEXT NOT NULL
) WITHOUT ROWID;
