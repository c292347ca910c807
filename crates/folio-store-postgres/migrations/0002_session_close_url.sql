-- Where the editor's Close leads for people who came through the integration API.
ALTER TABLE wopi_sessions ADD COLUMN close_url TEXT;
