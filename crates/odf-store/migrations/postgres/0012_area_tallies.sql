-- Per-level tallies: the sum of the village tallies under each kecamatan, kabupaten/kota and
-- province, and of the whole country (prefix ''), with how many of those villages have data
-- (kk > 0) and full access (kk_access = kk > 0). Kept in the same transaction as the village
-- tallies (`apply_tally_deltas`), so a roll-up of an area reads its own row and its children's
-- (`parent`) instead of every village tally under it: the national roll-up reads 39 rows, not
-- 83,762.
CREATE TABLE area_tallies (
    prefix               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    -- The prefix one level up ('' for a province); NULL for the country.
    parent               TEXT COLLATE "C",
    houses               BIGINT NOT NULL,
    kk                   BIGINT NOT NULL,
    kk_visited           BIGINT NOT NULL,
    kk_access            BIGINT NOT NULL,
    kk_aman              BIGINT NOT NULL,
    kk_layak_sendiri     BIGINT NOT NULL,
    kk_layak_bersama     BIGINT NOT NULL,
    kk_belum_layak       BIGINT NOT NULL,
    kk_babs_tertutup     BIGINT NOT NULL,
    kk_babs_terbuka      BIGINT NOT NULL,
    villages_with_data   BIGINT NOT NULL,
    villages_full_access BIGINT NOT NULL
);

CREATE INDEX area_tallies_by_parent ON area_tallies (parent, prefix);

-- Codes have fixed segment widths (2.2.2.4), so the prefixes are the first 2, 5 and 8 characters.
INSERT INTO area_tallies (prefix, parent, houses, kk, kk_visited, kk_access, kk_aman, kk_layak_sendiri,
    kk_layak_bersama, kk_belum_layak, kk_babs_tertutup, kk_babs_terbuka, villages_with_data,
    villages_full_access)
SELECT prefix, parent, SUM(houses), SUM(kk), SUM(kk_visited), SUM(kk_access), SUM(kk_aman),
    SUM(kk_layak_sendiri), SUM(kk_layak_bersama), SUM(kk_belum_layak), SUM(kk_babs_tertutup),
    SUM(kk_babs_terbuka), SUM(CASE WHEN kk > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN kk > 0 AND kk_access = kk THEN 1 ELSE 0 END)
FROM (
    SELECT '' AS prefix, NULL::TEXT AS parent, t.* FROM village_tallies AS t
    UNION ALL SELECT substr(village_code, 1, 2), '', t.* FROM village_tallies AS t
    UNION ALL SELECT substr(village_code, 1, 5), substr(village_code, 1, 2), t.* FROM village_tallies AS t
    UNION ALL SELECT substr(village_code, 1, 8), substr(village_code, 1, 5), t.* FROM village_tallies AS t
) AS under_prefix
GROUP BY prefix, parent;
