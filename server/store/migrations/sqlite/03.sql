-- 3: the facilitators pass a decline on to the writer, when they choose.
ALTER TABLE messages ADD COLUMN decline_told_at INTEGER;
ALTER TABLE messages ADD COLUMN decline_note BLOB;
