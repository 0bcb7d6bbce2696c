-- Photos on this phone: taken here (`own`, to upload) or pulled for a verification (`pulled`).
-- The bytes are files under `photos/` in the home folder, named by their SHA-256 (written to a
-- temporary name, fsynced and renamed before the row is inserted, so a row always has its file).
CREATE TABLE photos (
    sha256       TEXT PRIMARY KEY NOT NULL,
    size         INTEGER NOT NULL,
    media_type   TEXT NOT NULL,
    origin       TEXT NOT NULL CHECK (origin IN ('own', 'pulled')),
    kept_at      TEXT NOT NULL,
    -- When the server confirmed it holds the whole photo (own photos).
    uploaded_at  TEXT,
    -- The server refused the photo for good (photo_too_large, photo_type_unsupported): not retried.
    refused_code TEXT
);
