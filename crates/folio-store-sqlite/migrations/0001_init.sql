-- Folio metadata, version 1. Times are Unix milliseconds. Names carry a `name_key`
-- (lower-cased) so uniqueness is case-insensitive, as on the desktops users come from.
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    login          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL,
    is_admin       INTEGER NOT NULL,
    password_hash  TEXT,
    user_info      TEXT,
    root_folder_id TEXT NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);

CREATE TABLE folders (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users(id),
    parent_id  TEXT REFERENCES folders(id),
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX folders_unique_name ON folders(owner_id, COALESCE(parent_id, ''), name_key);

CREATE TABLE files (
    id              TEXT PRIMARY KEY,
    folder_id       TEXT NOT NULL REFERENCES folders(id),
    owner_id        TEXT NOT NULL REFERENCES users(id),
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    version         INTEGER NOT NULL,
    lock_id         TEXT,
    lock_expires_at INTEGER,
    created_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);
CREATE UNIQUE INDEX files_unique_name ON files(folder_id, name_key) WHERE deleted_at IS NULL;

CREATE TABLE file_versions (
    file_id    TEXT NOT NULL REFERENCES files(id),
    version    INTEGER NOT NULL,
    blob_key   TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    author_id  TEXT NOT NULL,
    source     TEXT NOT NULL,
    PRIMARY KEY (file_id, version)
);

CREATE TABLE shares (
    file_id TEXT NOT NULL REFERENCES files(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    role    INTEGER NOT NULL,
    PRIMARY KEY (file_id, user_id)
);

CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    file_id    TEXT NOT NULL,
    can_write  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX tokens_expiry ON tokens(expires_at);

CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
