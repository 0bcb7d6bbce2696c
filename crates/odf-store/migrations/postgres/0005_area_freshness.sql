-- When anything at or under an area last changed: one row per prefix a change-feed row falls under
-- ('' for the whole country, then its province, kabupaten, kecamatan and the code itself), kept in
-- the same transaction as the change rows. The coverage API's freshness then reads one row instead
-- of MAX(at) over every change under the area, a cost that grew with visits.
CREATE TABLE area_freshness (
    prefix         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    last_change_at TIMESTAMPTZ NOT NULL
);

-- Codes have fixed segment widths (2.2.2.4), so the prefixes are the first 2, 5 and 8 characters.
INSERT INTO area_freshness (prefix, last_change_at)
SELECT prefix, MAX(at) FROM (
    SELECT '' AS prefix, at FROM changes
    UNION ALL SELECT substr(area_code, 1, 2), at FROM changes
    UNION ALL SELECT substr(area_code, 1, 5), at FROM changes WHERE length(area_code) >= 5
    UNION ALL SELECT substr(area_code, 1, 8), at FROM changes WHERE length(area_code) >= 8
    UNION ALL SELECT area_code, at FROM changes WHERE length(area_code) > 8
) AS under_prefix
GROUP BY prefix;
