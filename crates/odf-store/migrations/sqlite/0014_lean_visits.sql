-- Fewer bytes per visit (issue 14). Never edit this file once applied: add a new numbered migration
-- instead.
--
-- `visits.content_hash` goes: a resent visit is told duplicate or conflict by hashing the stored
-- row, decoded, as the pushed copy is hashed (`batch::lookup_known`). The row keeps every field of
-- the visit, so the answer is the one the stored hash gave. DROP COLUMN rewrites every row without it.
--
-- `visits_household` goes: only `visits_of` read through it, and it finds a household's visits
-- through the household's village and the `(village_code, id)` index instead. Its keys (household
-- ids) were random relative to arrival, so each new visit also dirtied a page of it.
--
-- The change feed's area index keys on the area code as one number, its digits padded to ten
-- (`sql::feed::AREA_KEY`; segments have fixed widths 2.2.2.4 and none is zero, so every code has
-- its own number, and everything under an area is one range of numbers): 6 bytes instead of up to
-- 13 of text.
ALTER TABLE visits DROP COLUMN content_hash;
DROP INDEX visits_household;
DROP INDEX changes_area;
CREATE INDEX changes_area ON changes (CAST(substr(replace(area_code, '.', '') || '0000000000', 1, 10) AS BIGINT), seq);
