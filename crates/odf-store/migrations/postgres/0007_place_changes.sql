-- Phones learn village names from `place` changes (written by the area import from now on). Every
-- village stored before gets one here, at the end of the feed, so a phone's next pull brings the
-- names of all the villages in its scope whatever its cursor. The area_freshness rows are left as
-- they are: names are not field data.
INSERT INTO changes (kind, entity_id, area_code, at, payload)
SELECT 'place', v.code, v.code, v.updated_at,
       json_build_object('code', v.code, 'name', v.name, 'kind', v.kind, 'kecamatan', kec.name, 'kabupaten', kab.name)::text
FROM areas v
LEFT JOIN areas kec ON kec.code = v.parent
LEFT JOIN areas kab ON kab.code = kec.parent
WHERE v.level = 'desa'
ORDER BY v.code;
