-- Visits stored compactly (issue 14: stored bytes per visit). Never edit this file once applied: add
-- a new numbered migration instead.
--
-- Times become microseconds since the Unix epoch (INTEGER, 8 bytes, instead of 32 bytes of RFC 3339
-- text), the category a small code, the checklist one integer (bit i: item i of
-- `ChecklistItem::ALL` asked; bit 8+i: answered yes), the photo hash its 32 raw bytes. The decoders
-- are in `src/sql/mod.rs` (`time_of_micros`, `category_of_code`, `checklist_of_bits`, `photo_hex`).
-- The photo index keys on the hash's first 4 bytes only: lookups compare the whole hash on the few
-- rows the prefix finds, and the index costs a quarter of one on (photo_sha256, village_code).
-- A rowid table still (not WITHOUT ROWID): visits arrive in rowid order, so its pages fill up,
-- while ids from many phones land all over an id-keyed tree and leave its pages part empty.
--
-- SQLite cannot change a column's type in place: the table is copied, in rowid order, and swapped.
-- Nothing references visits by foreign key.

CREATE TABLE visits_compact (
    id           BLOB PRIMARY KEY NOT NULL,
    household_id BLOB NOT NULL REFERENCES households (id),
    village_code TEXT NOT NULL,
    sanitarian   TEXT NOT NULL,
    visited_at   INTEGER NOT NULL, -- microseconds since 1970-01-01 UTC
    category     INTEGER NOT NULL, -- aman 1, layak_sendiri 2, layak_bersama 3, belum_layak 4, babs_tertutup 5, babs_terbuka 6
    checklist    INTEGER NOT NULL, -- bit i: item i asked; bit 8+i: answered yes
    lat          REAL,
    lng          REAL,
    photo_sha256 BLOB,             -- 32 bytes
    device_id    TEXT NOT NULL,
    flags        TEXT NOT NULL,    -- JSON array of GPS review flags
    content_hash BLOB NOT NULL,
    received_at  INTEGER NOT NULL  -- microseconds since 1970-01-01 UTC
);

-- sqlx wrote times as RFC 3339 with an offset ('+00:00') and 0, 3, 6 or 9 fraction digits (stored
-- times are cut to microseconds): whole seconds from unixepoch(), which applies the offset, then the
-- fraction's digits padded to six.
INSERT INTO visits_compact (id, household_id, village_code, sanitarian, visited_at, category, checklist, lat,
                            lng, photo_sha256, device_id, flags, content_hash, received_at)
SELECT id, household_id, village_code, sanitarian,
       unixepoch(visited_at) * 1000000 + CASE WHEN substr(visited_at, 20, 1) = '.' THEN CAST(substr(substr(
           visited_at, 21, length(visited_at) - 20 - CASE WHEN visited_at LIKE '%Z' THEN 1 ELSE 6 END)
           || '000000', 1, 6) AS INTEGER) ELSE 0 END,
       CASE category WHEN 'aman' THEN 1 WHEN 'layak_sendiri' THEN 2 WHEN 'layak_bersama' THEN 3
           WHEN 'belum_layak' THEN 4 WHEN 'babs_tertutup' THEN 5 WHEN 'babs_terbuka' THEN 6 END,
       CASE json_extract(checklist, '$.closed_toilet') WHEN 1 THEN 257 WHEN 0 THEN 1 ELSE 0 END
       + CASE json_extract(checklist, '$.safe_from_well') WHEN 1 THEN 514 WHEN 0 THEN 2 ELSE 0 END
       + CASE json_extract(checklist, '$.strong_slab') WHEN 1 THEN 1028 WHEN 0 THEN 4 ELSE 0 END
       + CASE json_extract(checklist, '$.child_faeces_safe') WHEN 1 THEN 2056 WHEN 0 THEN 8 ELSE 0 END
       + CASE json_extract(checklist, '$.all_members_use') WHEN 1 THEN 4112 WHEN 0 THEN 16 ELSE 0 END
       + CASE json_extract(checklist, '$.water_and_soap') WHEN 1 THEN 8224 WHEN 0 THEN 32 ELSE 0 END
       + CASE json_extract(checklist, '$.no_faeces_around') WHEN 1 THEN 16448 WHEN 0 THEN 64 ELSE 0 END,
       lat, lng, unhex(photo_sha256), device_id, flags, content_hash,
       unixepoch(received_at) * 1000000 + CASE WHEN substr(received_at, 20, 1) = '.' THEN CAST(substr(substr(
           received_at, 21, length(received_at) - 20 - CASE WHEN received_at LIKE '%Z' THEN 1 ELSE 6 END)
           || '000000', 1, 6) AS INTEGER) ELSE 0 END
FROM visits
ORDER BY rowid;

DROP TABLE visits;
ALTER TABLE visits_compact RENAME TO visits;
CREATE INDEX visits_household ON visits (household_id);
CREATE INDEX visits_village ON visits (village_code, id);
CREATE INDEX visits_by_photo_prefix ON visits (substr(photo_sha256, 1, 4)) WHERE photo_sha256 IS NOT NULL;
