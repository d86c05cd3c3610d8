-- 6: referrals (SQLite's 10). A relay at 5 can still serve it.
CREATE TABLE referral_keys (
  account_id  BYTEA PRIMARY KEY REFERENCES accounts(id),
  key         BYTEA NOT NULL,
  statement   TEXT NOT NULL,
  at          BIGINT NOT NULL
);
CREATE TABLE referrals (
  id           BYTEA PRIMARY KEY,
  secret_hash  BYTEA NOT NULL,
  ciphertext   BYTEA,
  received_at  BIGINT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('received', 'contacted', 'closed')),
  state_at     BIGINT NOT NULL,
  entered_by   BYTEA REFERENCES accounts(id),
  case_id      BYTEA REFERENCES cases(id)
);
CREATE INDEX referrals_open ON referrals(received_at) WHERE state <> 'closed';
CREATE TABLE referral_wraps (
  referral_id  BYTEA NOT NULL REFERENCES referrals(id),
  reader_key   BYTEA NOT NULL,
  wrap         BYTEA NOT NULL,
  PRIMARY KEY (referral_id, reader_key)
);
