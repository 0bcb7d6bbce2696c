-- Village names from the server's `place` changes, so the phone shows names rather than codes.
-- Never edit this file once released: add a new numbered migration instead.
ALTER TABLE villages ADD COLUMN name TEXT;
-- 'desa', 'kelurahan' or 'desa adat'.
ALTER TABLE villages ADD COLUMN place_kind TEXT;
ALTER TABLE villages ADD COLUMN kecamatan TEXT;
ALTER TABLE villages ADD COLUMN kabupaten TEXT;
