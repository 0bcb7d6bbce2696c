-- Village actions recorded on phones (claims, verification steps, decisions) and pushed like visits.
-- A row is written in the same transaction as the action's effect, so a replayed push finds it and
-- answers duplicate (same content hash) or conflict (other content) instead of applying it twice.
CREATE TABLE village_actions (
    id           BLOB PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL,    -- trigger | claim | open_verification | community | decision
    actor        TEXT NOT NULL,
    content_hash TEXT NOT NULL,    -- SHA-256 (hex) of the action as pushed
    recorded_at  TEXT NOT NULL,     -- on the phone
    applied_at   TEXT NOT NULL
);
