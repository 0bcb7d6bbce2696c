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
-- revision the household still has. The table is copied and swapped (SQLite cannot drop NOT NULL in
-- place), keeping every seq, and the AUTOINCREMENT counter so that no seq is ever reused.

CREATE TABLE changes_lean (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    entity_id TEXT,             -- NULL when row_id names the record
    row_id    BLOB,             -- visits.id or households.id: the row the payload is rebuilt from
    area_code TEXT NOT NULL,
    at        TEXT,             -- NULL for a visit: its received_at
    payload   TEXT              -- NULL: rebuilt from row_id
);

INSERT INTO changes_lean (seq, kind, entity_id, row_id, area_code, at, payload)
SELECT seq, kind,
       CASE WHEN ref IS NULL THEN entity_id END,
       ref,
       area_code,
       CASE WHEN ref IS NOT NULL AND kind = 'visit' AND at_micros = visit_received THEN NULL ELSE at END,
       CASE WHEN ref IS NULL THEN payload END
FROM (
    SELECT c.seq, c.kind, c.entity_id, c.area_code, c.at, c.payload,
           COALESCE(v.id, h.id) AS ref,
           v.received_at AS visit_received,
           unixepoch(c.at) * 1000000 + CASE WHEN substr(c.at, 20, 1) = '.' THEN CAST(substr(substr(
               c.at, 21, length(c.at) - 20 - CASE WHEN c.at LIKE '%Z' THEN 1 ELSE 6 END)
               || '000000', 1, 6) AS INTEGER) ELSE 0 END AS at_micros
    FROM changes c
    LEFT JOIN visits v
           ON c.kind = 'visit' AND v.id = unhex(replace(c.entity_id, '-', ''))
    LEFT JOIN (SELECT MAX(seq) AS seq FROM changes WHERE kind = 'household' GROUP BY entity_id) last
           ON c.kind = 'household' AND last.seq = c.seq
    LEFT JOIN households h
           ON last.seq IS NOT NULL AND h.id = unhex(replace(c.entity_id, '-', ''))
              AND CAST(json_extract(c.payload, '$.revision') AS INTEGER) = h.revision
) AS converted
ORDER BY seq;

-- The AUTOINCREMENT counter of the old table (its row goes with DROP TABLE) carried over.
DELETE FROM sqlite_sequence WHERE name = 'changes_lean';
INSERT INTO sqlite_sequence (name, seq) SELECT 'changes_lean', seq FROM sqlite_sequence WHERE name = 'changes';
DROP TABLE changes;
ALTER TABLE changes_lean RENAME TO changes;
CREATE INDEX changes_area ON changes (area_code, seq);
