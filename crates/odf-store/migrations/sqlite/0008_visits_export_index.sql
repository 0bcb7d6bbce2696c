-- The visits export pages through visits in (village_code, id) order with a keyset cursor: with
-- this index each page is an index range read, whatever the page's position in the export. It
-- replaces the index on village_code alone, which it covers, so ingest maintains no extra index.
DROP INDEX visits_village;
CREATE INDEX visits_village ON visits (village_code, id);
