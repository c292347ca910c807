-- Flat cost with size (issue 15): a folder's subfolders are found by parent through an index,
-- not by scanning every folder (PostgreSQL has had folders_parent since its first migration).
CREATE INDEX folders_parent ON folders(parent_id);
