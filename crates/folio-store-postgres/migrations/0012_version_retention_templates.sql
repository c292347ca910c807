-- Issue 13, expand-only. Version retention: how each version was saved (`kind`: autosave,
-- save, exit, upload, restore), so that the sweep thins autosaves and nothing else; older rows
-- are classified from their recorded source where it tells (anything else reads as a kept
-- "save"). The running total of what retention freed. Organisation templates, and the template
-- a new empty document waits for when its editor fetches it itself (Collabora's
-- TemplateSource). Account page: nothing new (sessions already have created_at).
ALTER TABLE file_versions ADD COLUMN kind TEXT NOT NULL DEFAULT 'save';
UPDATE file_versions SET kind = 'exit' WHERE source LIKE '%exit save%';
UPDATE file_versions SET kind = 'autosave' WHERE kind = 'save' AND source LIKE '%autosave%';
UPDATE file_versions SET kind = 'autosave' WHERE kind = 'save' AND source LIKE '%(chunked)';
UPDATE file_versions SET kind = 'restore' WHERE source LIKE 'restored from version %';
UPDATE file_versions SET kind = 'upload' WHERE source IN ('upload', 'import', 'api', 'new');
CREATE INDEX file_versions_autosave ON file_versions(created_at) WHERE kind = 'autosave';

CREATE TABLE version_retention (
    id               BIGINT PRIMARY KEY,
    dropped_versions BIGINT NOT NULL,
    freed_bytes      BIGINT NOT NULL,
    last_sweep_at    BIGINT NOT NULL,
    last_dropped     BIGINT NOT NULL,
    last_freed       BIGINT NOT NULL
);

CREATE TABLE templates (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    blob_key   TEXT NOT NULL,
    size       BIGINT NOT NULL,
    sha256     BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE file_templates (
    file_id     TEXT PRIMARY KEY REFERENCES files(id),
    template_id TEXT NOT NULL
);
