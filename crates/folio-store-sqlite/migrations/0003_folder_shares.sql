-- Folder shares: a role on a folder applies to everything below it.
CREATE TABLE folder_shares (
    folder_id TEXT NOT NULL REFERENCES folders(id),
    user_id   TEXT NOT NULL REFERENCES users(id),
    role      INTEGER NOT NULL,
    PRIMARY KEY (folder_id, user_id)
);
CREATE INDEX shares_user ON shares(user_id);
CREATE INDEX folder_shares_user ON folder_shares(user_id);
CREATE INDEX files_locked ON files(lock_expires_at) WHERE lock_id IS NOT NULL;
