-- The phone's local database: one per user and device (one data folder).
-- Never edit this file once released: add a new numbered migration instead.
-- Ids are UUID text; times are sqlx's chrono text (sortable within this database).

-- Small facts about this device and session: device_id, server_url, username, user (UserDto JSON),
-- token, token_expires_at, pull_cursor, last_push_at, last_pull_at, last_sync_at, clock_offset_ms.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- Villages this phone knows of, from pulled `village_status` and `boundary` changes.
CREATE TABLE villages (
    code          TEXT PRIMARY KEY NOT NULL,
    status        TEXT,
    status_since  TEXT,
    -- GeoJSON geometry object (Polygon or MultiPolygon), as pulled.
    boundary      TEXT,
    centroid_lat  REAL,
    centroid_lng  REAL,
    updated_at    TEXT NOT NULL
);

-- Every household the phone knows: its own (origin 'local') and pulled ones (origin 'server').
-- `data` is the domain Household as JSON; the other columns are for lookups.
CREATE TABLE households (
    id          TEXT PRIMARY KEY NOT NULL,
    village     TEXT NOT NULL,
    data        TEXT NOT NULL,
    origin      TEXT NOT NULL CHECK (origin IN ('local', 'server')),
    revision    INTEGER,
    created_at  TEXT NOT NULL,
    -- When the server acknowledged (or sent) this record; NULL while only on the phone.
    synced_at   TEXT
);
CREATE INDEX households_by_village ON households (village);

-- Visits are facts: inserted once, never edited.
CREATE TABLE visits (
    id            TEXT PRIMARY KEY NOT NULL,
    household_id  TEXT NOT NULL,
    visited_at    TEXT NOT NULL,
    category      TEXT NOT NULL,
    data          TEXT NOT NULL,
    origin        TEXT NOT NULL CHECK (origin IN ('local', 'server')),
    created_at    TEXT NOT NULL,
    synced_at     TEXT,
    -- Review flags the server raised when it accepted the visit (JSON array of strings).
    server_flags  TEXT
);
CREATE INDEX visits_by_household ON visits (household_id, visited_at);

-- Records made on this phone and not yet stored by the server. `payload` is the wire record
-- (HouseholdDto / VisitDto / HouseholdEditDto JSON) frozen when the record was saved, so a retry re-sends exactly the
-- same content under the same id. A row leaves the outbox only when the server answers
-- accepted/duplicate; conflict and rejected rows stay, with the server's answer, until a person acts.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('household', 'visit', 'household_edit')),
    record_id    TEXT NOT NULL UNIQUE,
    payload      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'conflict', 'rejected')),
    code         TEXT,
    message      TEXT,
    field        TEXT,
    answered_at  TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_by_state ON outbox (state, seq);

-- Certificates pulled from the server, kept as raw JSON until the app shows them.
CREATE TABLE certificates (
    id          TEXT PRIMARY KEY NOT NULL,
    area        TEXT NOT NULL,
    at          TEXT NOT NULL,
    data        TEXT NOT NULL
);
