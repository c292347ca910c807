-- Sign-in throttling per (source address, login): each failure records where it came from.
ALTER TABLE login_failures ADD COLUMN source TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_login_source ON login_failures(login, source, at);
