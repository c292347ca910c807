-- Browser sessions (stored hashed), sign-in failures for rate limiting, and the WOPI client a
-- token was minted for (so proof keys and CheckFileInfo can follow that client).
ALTER TABLE tokens ADD COLUMN client TEXT;

CREATE TABLE sessions (
    hash       BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE login_failures (
    login TEXT NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX login_failures_login ON login_failures(login, at);
