-- odf-verify schema, PostgreSQL. Never edit a migration that has been applied anywhere: add a new one.
-- Area codes use the "C" collation so that byte order holds: everything under '74.04' is the range
-- '74.04' <= code < '74.04/' (a language collation would ignore the dots and break that).

CREATE TABLE areas (
    code         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    level        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    parent       TEXT COLLATE "C" REFERENCES areas (code),
    boundary     TEXT,             -- GeoJSON geometry
    centroid_lat DOUBLE PRECISION,
    centroid_lng DOUBLE PRECISION,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id            UUID PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,   -- argon2 PHC string
    role          TEXT NOT NULL,
    area          TEXT COLLATE "C" NOT NULL,   -- scope: an area code prefix
    villages      TEXT NOT NULL,   -- JSON array of assigned village codes
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);

-- Bearer tokens are stored only as their SHA-256.
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY NOT NULL,
    user_id    UUID NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE households (
    id           UUID PRIMARY KEY NOT NULL,
    village_code TEXT COLLATE "C" NOT NULL REFERENCES areas (code),
    head_name    TEXT NOT NULL,
    kk_count     BIGINT NOT NULL,
    dusun        TEXT,
    rw           TEXT,
    rt           TEXT,
    lat          DOUBLE PRECISION,
    lng          DOUBLE PRECISION,
    revision     BIGINT NOT NULL DEFAULT 1,
    content_hash BYTEA NOT NULL,    -- SHA-256 of the record as first stored: tells duplicate from conflict
    received_from TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX households_village ON households (village_code);

-- Visits are facts: appended, never updated.
CREATE TABLE visits (
    id           UUID PRIMARY KEY NOT NULL,
    household_id UUID NOT NULL REFERENCES households (id),
    village_code TEXT COLLATE "C" NOT NULL,
    sanitarian   TEXT NOT NULL,
    visited_at   TIMESTAMPTZ NOT NULL,
    category     TEXT NOT NULL,
    checklist    TEXT NOT NULL,    -- JSON
    lat          DOUBLE PRECISION,
    lng          DOUBLE PRECISION,
    photo_sha256 TEXT,
    device_id    TEXT NOT NULL,
    flags        TEXT NOT NULL,    -- JSON array of GPS review flags
    content_hash BYTEA NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX visits_household ON visits (household_id);
CREATE INDEX visits_village ON visits (village_code);

-- The latest visit of each household: the only visit that counts in the tallies.
CREATE TABLE household_latest (
    household_id UUID PRIMARY KEY NOT NULL REFERENCES households (id),
    visit_id     UUID NOT NULL,
    visited_at   TIMESTAMPTZ NOT NULL,
    category     TEXT NOT NULL
);

-- Per-village counts of KK by latest visit, kept in the same transaction as the visits.
CREATE TABLE village_tallies (
    village_code     TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES areas (code),
    houses           BIGINT NOT NULL,
    kk               BIGINT NOT NULL,
    kk_visited       BIGINT NOT NULL,
    kk_access        BIGINT NOT NULL,
    kk_aman          BIGINT NOT NULL,
    kk_layak_sendiri BIGINT NOT NULL,
    kk_layak_bersama BIGINT NOT NULL,
    kk_belum_layak   BIGINT NOT NULL,
    kk_babs_tertutup BIGINT NOT NULL,
    kk_babs_terbuka  BIGINT NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE village_status (
    village_code TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES areas (code),
    status       TEXT NOT NULL,
    since        TIMESTAMPTZ NOT NULL
);

CREATE TABLE status_history (
    id           BIGSERIAL PRIMARY KEY,
    village_code TEXT COLLATE "C" NOT NULL REFERENCES areas (code),
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    event        TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    reason       TEXT
);
CREATE INDEX status_history_village ON status_history (village_code, id);

CREATE TABLE verifications (
    id           UUID PRIMARY KEY NOT NULL,
    village_code TEXT COLLATE "C" NOT NULL REFERENCES areas (code),
    opened_by    TEXT NOT NULL,
    opened_at    TIMESTAMPTZ NOT NULL,
    team         TEXT NOT NULL,    -- JSON array of usernames
    sample_seed  BIGINT NOT NULL,
    sample       TEXT NOT NULL,    -- JSON: the drawn units and households
    community    TEXT,             -- JSON: community criteria
    result       TEXT,             -- lulus | gagal
    reasons      TEXT,
    decided_by   TEXT,
    decided_at   TIMESTAMPTZ
);
CREATE INDEX verifications_village ON verifications (village_code);

CREATE TABLE certificates (
    id              UUID PRIMARY KEY NOT NULL,
    number          TEXT NOT NULL UNIQUE,
    village_code    TEXT COLLATE "C" NOT NULL REFERENCES areas (code),
    verification_id UUID NOT NULL REFERENCES verifications (id),
    issued_at       TIMESTAMPTZ NOT NULL,
    issuer          TEXT NOT NULL,
    data_hash       TEXT NOT NULL,
    signature       TEXT NOT NULL,
    revoked_at      TIMESTAMPTZ,
    revoked_by      TEXT,
    revoke_reason   TEXT
);
CREATE INDEX certificates_village ON certificates (village_code);

-- Append-only; each entry's hash covers its content and the previous entry's hash.
CREATE TABLE audit_log (
    seq       BIGSERIAL PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    area_code TEXT COLLATE "C",
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_area ON audit_log (area_code, seq);

-- The change feed clients pull by cursor. A sequence value is never reused; writers take an advisory
-- lock for their transaction so that seqs commit in order and a reader never skips one.
CREATE TABLE changes (
    seq       BIGSERIAL PRIMARY KEY,
    kind      TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    area_code TEXT COLLATE "C" NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    payload   TEXT NOT NULL
);
CREATE INDEX changes_area ON changes (area_code, seq);

-- What each phone last reported at sync: for the freshness figures of the roll-up.
CREATE TABLE devices (
    device_id         TEXT PRIMARY KEY NOT NULL,
    username          TEXT NOT NULL,
    app_version       TEXT NOT NULL,
    pending_count     BIGINT NOT NULL,
    oldest_pending_at TIMESTAMPTZ,
    last_sync_at      TIMESTAMPTZ NOT NULL
);
