-- A login sent again after its answer was lost (the same idempotency key from the same phone)
-- finds the session the first one opened instead of leaving it an orphan nobody holds.
-- `login_key_hash` is the SHA-256 of the phone's key; `token_salt` lets the server derive the same
-- token again from salt and key, so the token itself is still stored only as its hash.
ALTER TABLE sessions ADD COLUMN login_key_hash BLOB;
ALTER TABLE sessions ADD COLUMN token_salt BLOB;
CREATE UNIQUE INDEX sessions_login_key ON sessions (user_id, login_key_hash)
    WHERE login_key_hash IS NOT NULL;
