-- ODF verification, certificates and slip notifications. Never edit a migration that has been applied
-- anywhere: add a new one.
--
-- 0001 created `verifications` and `certificates` before any code wrote to them (no Store method
-- did), so they are dropped and recreated here with the columns the verification path needs; this
-- loses no data. Certificates keep every signed field in its own column: the public check rebuilds
-- the signed text from them, so a changed column shows as a broken signature.

DROP TABLE certificates;
DROP TABLE verifications;

CREATE TABLE verifications (
    id           UUID PRIMARY KEY NOT NULL,
    village_code TEXT COLLATE "C" NOT NULL REFERENCES areas (code),
    opened_by    TEXT NOT NULL,
    opened_at    TIMESTAMPTZ NOT NULL,
    team         TEXT NOT NULL,    -- JSON array of team members (username, name, position)
    seed         TEXT NOT NULL,    -- the sample's seed in decimal (a u64 fits no signed integer column)
    sample       TEXT NOT NULL,    -- JSON: plan, seed, chosen units, sampled households
    community    TEXT,             -- JSON: community criteria, once recorded
    community_by TEXT,
    community_at TIMESTAMPTZ,
    result       TEXT,             -- lulus | gagal, once decided
    decision     TEXT,             -- JSON: outcome, the verifier's reasons, the rules' suggestion
    decided_by   TEXT,
    decided_at   TIMESTAMPTZ,
    data_hash    TEXT              -- certified-data hash of what the decision was based on
);
CREATE INDEX verifications_village ON verifications (village_code, opened_at);

-- Exactly which stored visits a decision was based on (the latest visit of every household of the
-- village, and the verification visits), so the certified-data hash can be recomputed later from the
-- visits table: a visit changed afterwards then shows as a different hash.
CREATE TABLE verification_data (
    verification_id UUID NOT NULL REFERENCES verifications (id),
    household_id    UUID NOT NULL,
    kind            TEXT NOT NULL,  -- latest | verification
    visit_id        UUID            -- NULL: a household never visited (kind latest)
);
CREATE INDEX verification_data_verification ON verification_data (verification_id);

-- The last certificate number used per kabupaten/kota and year.
CREATE TABLE certificate_sequences (
    kabupaten_code TEXT COLLATE "C" NOT NULL,
    year           BIGINT NOT NULL,
    last_sequence  BIGINT NOT NULL,
    PRIMARY KEY (kabupaten_code, year)
);

CREATE TABLE certificates (
    id              UUID PRIMARY KEY NOT NULL,
    number          TEXT NOT NULL UNIQUE,
    kabupaten_code  TEXT COLLATE "C" NOT NULL,
    year            BIGINT NOT NULL,
    sequence        BIGINT NOT NULL,
    village_code    TEXT COLLATE "C" NOT NULL REFERENCES areas (code),
    village_name    TEXT NOT NULL,
    kecamatan_name  TEXT NOT NULL,
    kabupaten_name  TEXT NOT NULL,
    issued_on       TEXT NOT NULL,  -- YYYY-MM-DD, as signed
    issued_at       TIMESTAMPTZ NOT NULL,
    issuer_name     TEXT NOT NULL,
    issuer_role     TEXT NOT NULL,
    team            TEXT NOT NULL,  -- JSON array of team members, as signed
    verification_id UUID NOT NULL UNIQUE REFERENCES verifications (id),
    data_hash       TEXT NOT NULL,
    public_key      TEXT NOT NULL,  -- hex Ed25519 key that signed it
    signature       TEXT NOT NULL,  -- hex Ed25519 signature over the signed text
    revoked_at      TIMESTAMPTZ,
    revoked_by      TEXT,
    revoke_reason   TEXT,
    UNIQUE (kabupaten_code, year, sequence)
);
CREATE INDEX certificates_village ON certificates (village_code);

-- What verifiers are told through the API, e.g. that a certified village slipped back.
CREATE TABLE notifications (
    seq            BIGSERIAL PRIMARY KEY,
    kind           TEXT NOT NULL,   -- village_slipped
    village_code   TEXT COLLATE "C" NOT NULL REFERENCES areas (code),
    kecamatan_code TEXT COLLATE "C" NOT NULL,   -- whose verifiers are notified
    at             TIMESTAMPTZ NOT NULL,
    message        TEXT NOT NULL,
    details        TEXT NOT NULL    -- JSON
);
CREATE INDEX notifications_village ON notifications (village_code, seq);
