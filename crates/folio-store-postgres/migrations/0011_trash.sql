-- Trash (issue 13), expand-only. A deleted file or folder goes to its owner's trash: `deleted_at`
-- says when, `trashed_with` names the trash entry it went with (its own id for the item the person
-- deleted; the folder's id for everything below a deleted folder), so a restore brings back
-- exactly what went together. `purged_at` marks an item deleted for good ("Delete forever",
-- "Empty trash", the retention sweep): its versions and streams are gone (their blobs are then
-- unreferenced, and the sweep deletes them); the row stays so an id is never reused.
ALTER TABLE files ADD COLUMN trashed_with TEXT;
ALTER TABLE files ADD COLUMN purged_at BIGINT;
ALTER TABLE folders ADD COLUMN deleted_at BIGINT;
ALTER TABLE folders ADD COLUMN trashed_with TEXT;
ALTER TABLE folders ADD COLUMN purged_at BIGINT;
-- Files deleted before the trash existed are in the trash now (their versions were kept).
UPDATE files SET trashed_with = id WHERE deleted_at IS NOT NULL;
-- A name in the trash does not block the same name in the folder.
DROP INDEX folders_unique_name;
CREATE UNIQUE INDEX folders_unique_name ON folders(owner_id, COALESCE(parent_id, ''), name_key)
    WHERE deleted_at IS NULL;
CREATE INDEX files_trashed_with ON files(trashed_with) WHERE trashed_with IS NOT NULL;
CREATE INDEX folders_trashed_with ON folders(trashed_with) WHERE trashed_with IS NOT NULL;
