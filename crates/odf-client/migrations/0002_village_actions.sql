-- The field side of ODF verification: village actions recorded on this phone (trigger, claim,
-- open_verification, community, decision) and the verifications and certificates pulled back.
-- Never edit this file once released: add a new numbered migration instead.

-- The outbox learns the kind 'village_action'. SQLite cannot change a CHECK constraint in place, so
-- the table is rebuilt with every row as it was (seq values kept, so the push order of what is
-- still pending does not change). sqlx runs this file in one transaction: a phone that loses power
-- half-way keeps its old outbox.
CREATE TABLE outbox_new (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('household', 'visit', 'household_edit', 'village_action')),
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
INSERT INTO outbox_new (seq, kind, record_id, payload, created_at, state, code, message, field, answered_at, attempts)
    SELECT seq, kind, record_id, payload, created_at, state, code, message, field, answered_at, attempts
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_by_state ON outbox (state, seq);

-- Village actions made on this phone, kept after the server took them so the views can tell "waiting
-- to sync" from "sent, not yet seen in a pull". `data` is the VillageActionDto JSON, the same text as
-- the outbox payload. `verification_id` is the action's own id for open_verification and the
-- verification it is about for community and decision.
CREATE TABLE village_actions (
    id               TEXT PRIMARY KEY NOT NULL,
    kind             TEXT NOT NULL
        CHECK (kind IN ('trigger', 'claim', 'open_verification', 'community', 'decision')),
    village          TEXT NOT NULL,
    verification_id  TEXT,
    recorded_at      TEXT NOT NULL,
    data             TEXT NOT NULL,
    -- When the server answered accepted/duplicate; NULL while pending, conflict or rejected.
    synced_at        TEXT
);
CREATE INDEX village_actions_by_village ON village_actions (village, recorded_at);
CREATE INDEX village_actions_by_verification ON village_actions (verification_id, recorded_at);

-- Verifications from pulled `verification` changes: `data` is the VerificationChangeDto JSON of the
-- latest change (each change carries the whole verification, so a newer one replaces the row).
CREATE TABLE verifications (
    id         TEXT PRIMARY KEY NOT NULL,
    village    TEXT NOT NULL,
    data       TEXT NOT NULL,
    pulled_at  TEXT NOT NULL
);
CREATE INDEX verifications_by_village ON verifications (village);

-- `certificates` (0001) now holds CertificateChangeDto JSON in `data` and the village in `area`;
-- rows an older version stored raw are skipped when they do not read as one.
CREATE INDEX certificates_by_area ON certificates (area);
