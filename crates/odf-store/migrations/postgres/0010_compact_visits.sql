-- Visits stored compactly (issue 14: stored bytes per visit). Never edit this file once applied: add
-- a new numbered migration instead.
--
-- The same types as on SQLite, so one SQL text and one decoder serve both backends: times as
-- microseconds since the Unix epoch (BIGINT, the same 8 bytes as TIMESTAMPTZ), the category a small
-- code, the checklist one integer (bit i: item i of `ChecklistItem::ALL` asked; bit 8+i: answered
-- yes), the photo hash its 32 raw bytes instead of 64 hex characters. The decoders are in
-- `src/sql/mod.rs` (`time_of_micros`, `category_of_code`, `checklist_of_bits`, `photo_hex`).
-- The photo index keys on the hash's first 4 bytes only: lookups compare the whole hash on the few
-- rows the prefix finds, and the index costs a fraction of one on (photo_sha256, village_code).
-- One ALTER TABLE: the table is rewritten once, compactly.

DROP INDEX visits_by_photo;

ALTER TABLE visits
    ALTER COLUMN visited_at TYPE BIGINT USING (extract(epoch FROM visited_at) * 1000000)::BIGINT,
    ALTER COLUMN received_at TYPE BIGINT USING (extract(epoch FROM received_at) * 1000000)::BIGINT,
    ALTER COLUMN category TYPE INTEGER USING CASE category WHEN 'aman' THEN 1 WHEN 'layak_sendiri' THEN 2
        WHEN 'layak_bersama' THEN 3 WHEN 'belum_layak' THEN 4 WHEN 'babs_tertutup' THEN 5
        WHEN 'babs_terbuka' THEN 6 END,
    ALTER COLUMN checklist TYPE INTEGER USING
        CASE checklist::jsonb ->> 'closed_toilet' WHEN 'true' THEN 257 WHEN 'false' THEN 1 ELSE 0 END
        + CASE checklist::jsonb ->> 'safe_from_well' WHEN 'true' THEN 514 WHEN 'false' THEN 2 ELSE 0 END
        + CASE checklist::jsonb ->> 'strong_slab' WHEN 'true' THEN 1028 WHEN 'false' THEN 4 ELSE 0 END
        + CASE checklist::jsonb ->> 'child_faeces_safe' WHEN 'true' THEN 2056 WHEN 'false' THEN 8 ELSE 0 END
        + CASE checklist::jsonb ->> 'all_members_use' WHEN 'true' THEN 4112 WHEN 'false' THEN 16 ELSE 0 END
        + CASE checklist::jsonb ->> 'water_and_soap' WHEN 'true' THEN 8224 WHEN 'false' THEN 32 ELSE 0 END
        + CASE checklist::jsonb ->> 'no_faeces_around' WHEN 'true' THEN 16448 WHEN 'false' THEN 64 ELSE 0 END,
    ALTER COLUMN photo_sha256 TYPE BYTEA USING decode(photo_sha256, 'hex');

CREATE INDEX visits_by_photo_prefix ON visits (substr(photo_sha256, 1, 4)) WHERE photo_sha256 IS NOT NULL;
