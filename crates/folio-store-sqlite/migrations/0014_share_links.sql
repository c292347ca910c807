-- Issue 13, expand-only: public links (view or edit, for people without an account). The link's
-- secret is stored only as its SHA-256; a password as Argon2. Revoking keeps the row (versions a
-- guest saved are attributed to it) and deletes the link's tokens. Each token minted through a
-- link names it (`tokens.link_id`).
CREATE TABLE share_links (
    id            TEXT PRIMARY KEY,
    secret_hash   BLOB NOT NULL UNIQUE,
    file_id       TEXT NOT NULL REFERENCES files(id),
    created_by    TEXT NOT NULL REFERENCES users(id),
    name          TEXT NOT NULL,
    role          INTEGER NOT NULL,
    password_hash TEXT,
    expires_at    INTEGER,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);
CREATE INDEX share_links_file ON share_links(file_id);

ALTER TABLE tokens ADD COLUMN link_id TEXT;
CREATE INDEX tokens_link ON tokens(link_id) WHERE link_id IS NOT NULL;
