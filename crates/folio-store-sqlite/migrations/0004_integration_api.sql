-- Integration API: API keys, external users, WOPI sessions (groups of tokens), launch-link
-- nonces, and the webhook outbox with its deliveries.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    hash        BLOB NOT NULL UNIQUE,
    scopes      TEXT NOT NULL,
    app_user_id TEXT NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN language TEXT;
CREATE UNIQUE INDEX users_external_id ON users(external_id) WHERE external_id IS NOT NULL;

CREATE TABLE wopi_sessions (
    id          TEXT PRIMARY KEY,
    api_key_id  TEXT,
    user_id     TEXT NOT NULL REFERENCES users(id),
    file_id     TEXT NOT NULL,
    can_write   INTEGER NOT NULL,
    client      TEXT,
    action      TEXT,
    expires_at  INTEGER NOT NULL,
    launch_hash BLOB UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX wopi_sessions_file ON wopi_sessions(file_id);

ALTER TABLE tokens ADD COLUMN session_id TEXT;
CREATE INDEX tokens_session ON tokens(session_id);

CREATE TABLE used_nonces (
    jti        TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

CREATE TABLE outbox (
    id         TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES outbox(id),
    url             TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_status     INTEGER,
    last_error      TEXT,
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
