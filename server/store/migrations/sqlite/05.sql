-- 5: a login challenge's use is recorded where every relay sees it.
CREATE TABLE used_login_challenges (
  challenge   BLOB PRIMARY KEY,
  expires_at  INTEGER NOT NULL
);
