-- 10: referrals (SPEC 5.20, 6.8): the facilitators' referral keys, and
-- requests sealed to them by people with no account. A relay at 9 can
-- still serve it: it only lacks these routes.
CREATE TABLE referral_keys (
  account_id  BLOB PRIMARY KEY REFERENCES accounts(id),
  key         BLOB NOT NULL,
  statement   TEXT NOT NULL,
  at          INTEGER NOT NULL
);
CREATE TABLE referrals (
  id           BLOB PRIMARY KEY,
  secret_hash  BLOB NOT NULL,
  ciphertext   BLOB,
  received_at  INTEGER NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('received', 'contacted', 'closed')),
  state_at     INTEGER NOT NULL,
  entered_by   BLOB REFERENCES accounts(id),
  case_id      BLOB REFERENCES cases(id)
);
CREATE INDEX referrals_open ON referrals(received_at) WHERE state <> 'closed';
CREATE TABLE referral_wraps (
  referral_id  BLOB NOT NULL REFERENCES referrals(id),
  reader_key   BLOB NOT NULL,
  wrap         BLOB NOT NULL,
  PRIMARY KEY (referral_id, reader_key)
);
