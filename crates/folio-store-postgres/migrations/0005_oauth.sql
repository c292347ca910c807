-- OAuth 2.0 for Office mobile's bootstrapper: registered clients (secret as an Argon2 PHC
-- string, redirect URIs one a line), single-use authorization codes, grants (one user's consent
-- to one client) and the OAuth access/refresh tokens of a grant. Codes and tokens are stored
-- only as SHA-256 hashes.
CREATE TABLE oauth_clients (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    secret_hash   TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE oauth_codes (
    hash             BYTEA PRIMARY KEY,
    client_id        TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users(id),
    redirect_uri     TEXT,
    scope            TEXT NOT NULL,
    code_challenge   TEXT,
    challenge_method TEXT,
    expires_at       BIGINT NOT NULL,
    used_at          BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX oauth_codes_user ON oauth_codes(user_id);
CREATE INDEX oauth_codes_expiry ON oauth_codes(expires_at);

CREATE TABLE oauth_grants (
    id           TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users(id),
    scope        TEXT NOT NULL,
    code_hash    BYTEA,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX oauth_grants_user ON oauth_grants(user_id);
CREATE INDEX oauth_grants_code ON oauth_grants(code_hash);

CREATE TABLE oauth_tokens (
    hash       BYTEA PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES oauth_grants(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX oauth_tokens_grant ON oauth_tokens(grant_id);
CREATE INDEX oauth_tokens_expiry ON oauth_tokens(expires_at);
