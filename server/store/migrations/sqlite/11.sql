-- 11: the letters waiting for their release time (approved, held for the
-- recipient's quiet hours or a chosen time), found without scanning every
-- letter in review. Only an index: a relay at 10 serves it as it is.
CREATE INDEX messages_due ON messages(release_at) WHERE state = 'in_review' AND release_at IS NOT NULL;
