-- 2: messages, their ciphertexts and reviews, the audit chain and its
-- checkpoints, and each account's events.
CREATE TABLE messages (
  id                BLOB PRIMARY KEY,
  case_id           BLOB NOT NULL REFERENCES cases(id),
  sender_account    BLOB NOT NULL REFERENCES accounts(id),
  kind              TEXT NOT NULL,
  to_role           TEXT NOT NULL,
  supersedes        BLOB,
  state             TEXT NOT NULL CHECK (state IN ('in_review', 'returned', 'released', 'delivered', 'opened',
                                                   'declined', 'revoked')),
  envelope          TEXT,
  ciphertext_size   INTEGER NOT NULL,
  ciphertext_hash   BLOB NOT NULL,
  submitted_at      INTEGER NOT NULL,
  release_at        INTEGER,
  released_at       INTEGER,
  delivered_at      INTEGER,
  changed_at        INTEGER,
  claimed_by        BLOB REFERENCES accounts(id),
  claim_expires_at  INTEGER,
  purged_at         INTEGER
);
CREATE INDEX messages_by_case ON messages(case_id, submitted_at);
CREATE INDEX messages_in_review ON messages(submitted_at) WHERE state = 'in_review';
CREATE TABLE ciphertexts (
  message_id  BLOB PRIMARY KEY REFERENCES messages(id),
  bytes       BLOB NOT NULL
);
CREATE TABLE reviews (
  message_id           BLOB NOT NULL REFERENCES messages(id),
  facilitator_account  BLOB NOT NULL REFERENCES accounts(id),
  decision             TEXT NOT NULL CHECK (decision IN ('approve', 'return')),
  statement            TEXT,
  created_at           INTEGER NOT NULL,
  PRIMARY KEY (message_id, facilitator_account)
);
CREATE TABLE audit_entries (
  case_id    BLOB NOT NULL,
  seq        INTEGER NOT NULL,
  at         INTEGER NOT NULL,
  event      TEXT NOT NULL,
  actor      BLOB NOT NULL,
  subject    BLOB NOT NULL,
  statement  BLOB NOT NULL,
  prev       BLOB NOT NULL,
  hash       BLOB NOT NULL,
  PRIMARY KEY (case_id, seq)
);
CREATE TABLE audit_checkpoints (
  case_id  BLOB NOT NULL,
  seq      INTEGER NOT NULL,
  head     BLOB NOT NULL,
  at       INTEGER NOT NULL,
  sig      BLOB NOT NULL,
  PRIMARY KEY (case_id, seq)
);
CREATE TABLE events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id  BLOB NOT NULL REFERENCES accounts(id),
  case_id     BLOB NOT NULL,
  event       TEXT NOT NULL,
  message_id  BLOB,
  at          INTEGER NOT NULL
);
CREATE INDEX events_by_account ON events(account_id, seq);
