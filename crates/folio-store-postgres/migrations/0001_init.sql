-- Folio metadata on PostgreSQL, version 1: the equivalent of the SQLite migrations 0001–0004.
-- Times are Unix milliseconds (BIGINT). Names carry a `name_key` (lower-cased by Folio, not by
-- the database) so uniqueness is case-insensitive, as on the desktops users come from.
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    login          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL,
    is_admin       BOOLEAN NOT NULL,
    password_hash  TEXT,
    user_info      TEXT,
    root_folder_id TEXT NOT NULL,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL,
    external_id    TEXT,
    language       TEXT
);
CREATE UNIQUE INDEX users_external_id ON users(external_id) WHERE external_id IS NOT NULL;

CREATE TABLE folders (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users(id),
    parent_id  TEXT REFERENCES folders(id),
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX folders_unique_name ON folders(owner_id, COALESCE(parent_id, ''), name_key);
CREATE INDEX folders_parent ON folders(parent_id);

CREATE TABLE files (
    id              TEXT PRIMARY KEY,
    folder_id       TEXT NOT NULL REFERENCES folders(id),
    owner_id        TEXT NOT NULL REFERENCES users(id),
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    version         BIGINT NOT NULL,
    lock_id         TEXT,
    lock_expires_at BIGINT,
    created_at      BIGINT NOT NULL,
    deleted_at      BIGINT
);
CREATE UNIQUE INDEX files_unique_name ON files(folder_id, name_key) WHERE deleted_at IS NULL;
CREATE INDEX files_folder ON files(folder_id);
CREATE INDEX files_locked ON files(lock_expires_at) WHERE lock_id IS NOT NULL;

CREATE TABLE file_versions (
    file_id    TEXT NOT NULL REFERENCES files(id),
    version    BIGINT NOT NULL,
    blob_key   TEXT NOT NULL,
    size       BIGINT NOT NULL,
    sha256     BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    author_id  TEXT NOT NULL,
    source     TEXT NOT NULL,
    PRIMARY KEY (file_id, version)
);

-- Roles: 0 viewer, 1 editor (2 is the owner, never stored).
CREATE TABLE shares (
    file_id TEXT NOT NULL REFERENCES files(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    role    INTEGER NOT NULL,
    PRIMARY KEY (file_id, user_id)
);
CREATE INDEX shares_user ON shares(user_id);

CREATE TABLE folder_shares (
    folder_id TEXT NOT NULL REFERENCES folders(id),
    user_id   TEXT NOT NULL REFERENCES users(id),
    role      INTEGER NOT NULL,
    PRIMARY KEY (folder_id, user_id)
);
CREATE INDEX folder_shares_user ON folder_shares(user_id);

CREATE TABLE tokens (
    hash       BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    file_id    TEXT NOT NULL,
    can_write  BOOLEAN NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    client     TEXT,
    session_id TEXT
);
CREATE INDEX tokens_expiry ON tokens(expires_at);
CREATE INDEX tokens_session ON tokens(session_id);

CREATE TABLE sessions (
    hash       BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    login TEXT NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX login_failures_login ON login_failures(login, at);

CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

-- Integration API: API keys, WOPI sessions (groups of tokens), launch-link nonces, and the
-- webhook outbox with its deliveries.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    hash        BYTEA NOT NULL UNIQUE,
    scopes      TEXT NOT NULL,
    app_user_id TEXT NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE wopi_sessions (
    id          TEXT PRIMARY KEY,
    api_key_id  TEXT,
    user_id     TEXT NOT NULL REFERENCES users(id),
    file_id     TEXT NOT NULL,
    can_write   BOOLEAN NOT NULL,
    client      TEXT,
    action      TEXT,
    expires_at  BIGINT NOT NULL,
    launch_hash BYTEA UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX wopi_sessions_file ON wopi_sessions(file_id);
CREATE INDEX wopi_sessions_key ON wopi_sessions(api_key_id, created_at);

CREATE TABLE used_nonces (
    jti        TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX used_nonces_expiry ON used_nonces(expires_at);

CREATE TABLE outbox (
    id         TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES outbox(id),
    url             TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    last_status     BIGINT,
    last_error      TEXT,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
CREATE INDEX deliveries_recent ON deliveries(created_at);
