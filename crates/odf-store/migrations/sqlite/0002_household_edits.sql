-- Household edits from phones, and the conflicts that stale edits leave for an admin to resolve.
-- Never edit a migration that has been applied anywhere: add a new one.

CREATE TABLE household_edits (
    edit_id       BLOB PRIMARY KEY NOT NULL,
    household_id  BLOB NOT NULL REFERENCES households (id),
    base_revision INTEGER NOT NULL,
    revision      INTEGER NOT NULL,  -- the household's revision after this edit
    fields        TEXT NOT NULL,     -- JSON array of the fields this edit changed
    changes       TEXT NOT NULL,     -- JSON: the edit as sent
    edited_by     TEXT NOT NULL,
    edited_at     TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    content_hash  BLOB NOT NULL
);
CREATE INDEX household_edits_household ON household_edits (household_id, revision);

CREATE TABLE household_conflicts (
    id           BLOB PRIMARY KEY NOT NULL,
    household_id BLOB NOT NULL REFERENCES households (id),
    village_code TEXT NOT NULL,
    edit_id      BLOB NOT NULL,
    fields       TEXT NOT NULL,      -- JSON array of the overlapping fields
    kept         TEXT NOT NULL,      -- JSON changes: the values now stored
    other        TEXT NOT NULL,      -- JSON changes: the values that lost
    created_at   TEXT NOT NULL,
    resolved_at  TEXT,
    resolved_by  TEXT,
    resolution   TEXT                -- kept | other
);
CREATE INDEX household_conflicts_village ON household_conflicts (village_code);
