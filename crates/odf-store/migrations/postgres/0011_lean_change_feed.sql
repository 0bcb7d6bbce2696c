-- A leaner change feed (issue 14): a `visit` or `household` change names its row (`row_id`) instead
-- of keeping a second JSON copy of it, and the pull rebuilds the same JSON from that row. Never edit
-- this file once applied: add a new numbered migration instead.
--
-- `payload` NULL means "rebuild from row_id": kind visit from `visits` (never updated; `at` NULL too,
-- it is the visit's received_at), kind household from `households` while the household is still at
-- the revision the change announced (an edit first writes the JSON back into the earlier rows of
-- that household, see `freeze_household_changes`). Every other kind keeps its payload.
--
-- Existing rows are converted where the rebuild gives the same JSON: visits (the row and the payload
-- were written from the same record), and the last change of each household when it announced the
-- revision the household still has. The table is copied and swapped rather than updated in place, so
-- it is written compactly once instead of keeping every old row as a dead tuple; the seq sequence
-- is kept (no seq is ever reused).

CREATE TABLE changes_lean (
    seq       BIGINT PRIMARY KEY,
    kind      TEXT NOT NULL,
    entity_id TEXT,                     -- NULL when row_id names the record
    row_id    UUID,                     -- visits.id or households.id: the row the payload is rebuilt from
    area_code TEXT COLLATE "C" NOT NULL,
    at        TIMESTAMPTZ,              -- NULL for a visit: its received_at
    payload   TEXT                      -- NULL: rebuilt from row_id
);

INSERT INTO changes_lean (seq, kind, entity_id, row_id, area_code, at, payload)
SELECT seq, kind,
       CASE WHEN ref IS NULL THEN entity_id END,
       ref,
       area_code,
       CASE WHEN ref IS NOT NULL AND kind = 'visit'
                 AND (extract(epoch FROM at) * 1000000)::BIGINT = visit_received THEN NULL ELSE at END,
       CASE WHEN ref IS NULL THEN payload END
FROM (
    SELECT c.seq, c.kind, c.entity_id, c.area_code, c.at, c.payload,
           COALESCE(v.id, h.id) AS ref,
           v.received_at AS visit_received
    FROM (SELECT *, CASE WHEN entity_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                    THEN entity_id::UUID END AS entity_uuid
          FROM changes) c
    LEFT JOIN visits v
           ON c.kind = 'visit' AND v.id = c.entity_uuid
    LEFT JOIN (SELECT MAX(seq) AS seq FROM changes WHERE kind = 'household' GROUP BY entity_id) last
           ON c.kind = 'household' AND last.seq = c.seq
    LEFT JOIN households h
           ON last.seq IS NOT NULL AND h.id = c.entity_uuid
              AND (c.payload::jsonb ->> 'revision')::BIGINT = h.revision
) AS converted
ORDER BY seq;

ALTER SEQUENCE changes_seq_seq OWNED BY NONE;
DROP TABLE changes;
ALTER TABLE changes_lean RENAME TO changes;
ALTER INDEX changes_lean_pkey RENAME TO changes_pkey;
ALTER TABLE changes ALTER COLUMN seq SET DEFAULT nextval('changes_seq_seq');
ALTER SEQUENCE changes_seq_seq OWNED BY changes.seq;
CREATE INDEX changes_area ON changes (area_code, seq);
