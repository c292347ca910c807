-- Issue 13, expand-only: who moved a trash entry there (a user id; a guest's `link:<id>`; none for
-- entries from before this column). An editor who deleted in a folder shared with them may
-- "Undo" right after, and the owner's trash says who deleted what. Cleared by a restore.
ALTER TABLE files ADD COLUMN deleted_by TEXT;
ALTER TABLE folders ADD COLUMN deleted_by TEXT;
