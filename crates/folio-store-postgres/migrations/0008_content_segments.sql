-- CSPP Plus incremental saves (issue 11), expand-only: a content whose key is segmented
-- ("seg-" and 32 letters and digits) is the concatenation, in seq order, of these byte ranges of
-- plain blobs. A PutChunkedFile that changed a few chunks stores those chunks as one new blob and
-- points at the unchanged ranges of the blobs it already had, instead of writing the whole file
-- again. Rows are written in the transaction that commits the version; they never change. The
-- sweep keeps every blob a referenced content's segments name.
CREATE TABLE content_segments (
    content_key TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    blob_key    TEXT NOT NULL,
    start       BIGINT NOT NULL,
    length      BIGINT NOT NULL,
    PRIMARY KEY (content_key, seq)
);
