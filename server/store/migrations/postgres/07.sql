-- 7: the letters waiting for their release time (SQLite's 11). Only an
-- index: a relay at 6 serves it as it is.
CREATE INDEX messages_due ON messages(release_at) WHERE state = 'in_review' AND release_at IS NOT NULL;
