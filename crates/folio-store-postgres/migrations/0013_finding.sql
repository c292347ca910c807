-- Finding things (issue 13), expand-only: favourites (files and folders a user starred), the
-- files a user opened (Recent, with the versions they saved), and the indexes that serve a
-- folder page as one keyset page read from the database. Names are ordered byte-wise
-- (`COLLATE "C"`, as every listing statement orders them), so the page indexes carry it.
CREATE TABLE favourites (
    user_id    TEXT NOT NULL REFERENCES users(id),
    kind       INTEGER NOT NULL, -- 0 folder, 1 file
    item_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, item_id)
);
CREATE TABLE recent_files (
    user_id   TEXT NOT NULL REFERENCES users(id),
    file_id   TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, file_id)
);
CREATE INDEX recent_files_user ON recent_files(user_id, opened_at);
CREATE INDEX file_versions_author ON file_versions(author_id, created_at);
CREATE INDEX folders_parent_name_c ON folders(parent_id, name_key COLLATE "C", id COLLATE "C");
CREATE INDEX files_folder_name_c ON files(folder_id, name_key COLLATE "C", id COLLATE "C")
    WHERE deleted_at IS NULL;
