-- Container- and ecosystem-scoped access tokens (issue 10), expand-only: existing rows are file
-- tokens; a container or ecosystem token stores file_id = '' so a binary that predates scopes
-- never matches it to a file.
ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'file';
ALTER TABLE tokens ADD COLUMN folder_id TEXT;

-- AddActivities: the recent activities of a file (comments, mentions), for its details page.
CREATE TABLE file_activities (
    id           TEXT PRIMARY KEY,
    file_id      TEXT NOT NULL REFERENCES files(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL,
    activity_id  TEXT NOT NULL,
    action       TEXT,
    comment_text TEXT,
    mentioned    TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX file_activities_file ON file_activities(file_id, created_at);
