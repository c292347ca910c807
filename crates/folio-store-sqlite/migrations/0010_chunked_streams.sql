-- CSPP Plus incremental transfer (issue 11), expand-only: the chunk signature of a version's
-- MainContent (as uploaded by PutChunkedFile, or computed once from the bytes), the alternate
-- streams of a file and its content properties. A classic content change clears the streams and
-- the DeleteOnContentChange properties.
ALTER TABLE file_versions ADD COLUMN signature TEXT;

CREATE TABLE file_streams (
    file_id    TEXT NOT NULL REFERENCES files(id),
    stream_id  TEXT NOT NULL,
    blob_key   TEXT NOT NULL,
    size       INTEGER NOT NULL,
    signature  TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (file_id, stream_id)
);

CREATE TABLE content_properties (
    file_id    TEXT NOT NULL REFERENCES files(id),
    name       TEXT NOT NULL,
    retention  TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (file_id, name)
);
