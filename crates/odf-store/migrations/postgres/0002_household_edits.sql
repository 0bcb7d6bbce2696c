-- Household edits from phones, and the conflicts that stale edits leave for an admin to resolve.
-- Never edit a migration that has been applied anywhere: add a new one.

CREATE TABLE household_edits (
    edit_id       UUID PRIMARY KEY NOT NULL,
    household_id  UUID NOT NULL REFERENCES households (id),
    base_revision BIGINT NOT NULL,
    revision      BIGINT NOT NULL,  -- the household's revision after this edit
    fields        TEXT NOT NULL,     -- JSON array of the fields this edit changed
    changes       TEXT NOT NULL,     -- JSON: the edit as sent
    edited_by     TEXT NOT NULL,
    edited_at     TIMESTAMPTZ NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    content_hash  BYTEA NOT NULL
);
CREATE INDEX household_edits_household ON household_edits (household_id, revision);

CREATE TABLE household_conflicts (
    id           UUID PRIMARY KEY NOT NULL,
    household_id UUID NOT NULL REFERENCES households (id),
    village_code TEXT COLLATE "C" NOT NULL,
    edit_id      UUID NOT NULL,
    fields       TEXT NOT NULL,      -- JSON array of the overlapping fields
    kept         TEXT NOT NULL,      -- JSON changes: the values now stored
    other        TEXT NOT NULL,      -- JSON changes: the values that lost
    created_at   TIMESTAMPTZ NOT NULL,
    resolved_at  TIMESTAMPTZ,
    resolved_by  TEXT,
    resolution   TEXT                -- kept | other
);
CREATE INDEX household_conflicts_village ON household_conflicts (village_code);
