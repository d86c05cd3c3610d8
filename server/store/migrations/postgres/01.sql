-- 1: SQLite's schema 4 in PostgreSQL's types, with an insertion order (`ord`)
-- where SQLite used its rowid, and the event counter.
CREATE TABLE accounts (
  id              BYTEA PRIMARY KEY,
  identity_key    BYTEA NOT NULL UNIQUE,
  is_facilitator  BOOLEAN NOT NULL,
  created_at      BIGINT NOT NULL,
  display_name    TEXT
);
CREATE TABLE sessions (
  token_hash      BYTEA PRIMARY KEY,
  account_id      BYTEA NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at      BIGINT NOT NULL,
  last_used_at    BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL
);
CREATE INDEX sessions_by_account ON sessions(account_id);
CREATE TABLE cases (
  id                  BYTEA PRIMARY KEY,
  state               TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  approvals_required  BIGINT NOT NULL CHECK (approvals_required IN (1, 2)),
  opened_by           BYTEA NOT NULL REFERENCES accounts(id),
  open_statement      TEXT NOT NULL,
  close_statement     TEXT,
  created_at          BIGINT NOT NULL,
  closed_at           BIGINT,
  quiet_time_zone     TEXT,
  quiet_start         BIGINT,
  quiet_end           BIGINT
);
CREATE TABLE invitations (
  id            BYTEA PRIMARY KEY,
  case_id       BYTEA REFERENCES cases(id),
  role          TEXT NOT NULL,
  secret_hash   BYTEA NOT NULL,
  expires_at    BIGINT NOT NULL,
  inviter_key   BYTEA NOT NULL,
  statement     TEXT NOT NULL,
  used_at       BIGINT
);
CREATE TABLE participants (
  case_id       BYTEA NOT NULL REFERENCES cases(id),
  account_id    BYTEA NOT NULL REFERENCES accounts(id),
  role          TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('active', 'withdrawn')),
  enrolment     TEXT,
  joined_at     BIGINT NOT NULL,
  left_at       BIGINT,
  PRIMARY KEY (case_id, account_id)
);
CREATE INDEX participants_by_account ON participants(account_id);
CREATE TABLE key_statements (
  ord           BIGSERIAL,
  id            BYTEA PRIMARY KEY,
  case_id       BYTEA NOT NULL,
  account_id    BYTEA NOT NULL,
  case_key      BYTEA NOT NULL,
  statement     TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  FOREIGN KEY (case_id, account_id) REFERENCES participants(case_id, account_id)
);
CREATE INDEX key_statements_by_case ON key_statements(case_id, created_at);
CREATE TABLE attestations (
  ord               BIGSERIAL,
  id                BYTEA PRIMARY KEY,
  case_id           BYTEA NOT NULL REFERENCES cases(id),
  subject_account   BYTEA NOT NULL REFERENCES accounts(id),
  key_statement_id  BYTEA NOT NULL REFERENCES key_statements(id),
  attested_by       BYTEA NOT NULL REFERENCES accounts(id),
  statement         TEXT NOT NULL
);
CREATE INDEX attestations_by_case ON attestations(case_id);
CREATE TABLE statements (
  id          BYTEA PRIMARY KEY,
  case_id     BYTEA NOT NULL,
  type        TEXT NOT NULL,
  hash        BYTEA NOT NULL,
  answer      TEXT NOT NULL
);
CREATE TABLE messages (
  ord               BIGSERIAL,
  id                BYTEA PRIMARY KEY,
  case_id           BYTEA NOT NULL REFERENCES cases(id),
  sender_account    BYTEA NOT NULL REFERENCES accounts(id),
  kind              TEXT NOT NULL,
  to_role           TEXT NOT NULL,
  supersedes        BYTEA,
  answers           BYTEA,
  state             TEXT NOT NULL CHECK (state IN ('in_review', 'returned', 'released', 'delivered', 'opened',
                                                   'declined', 'revoked')),
  envelope          TEXT,
  ciphertext_size   BIGINT NOT NULL,
  ciphertext_hash   BYTEA NOT NULL,
  submitted_at      BIGINT NOT NULL,
  release_at        BIGINT,
  released_at       BIGINT,
  delivered_at      BIGINT,
  changed_at        BIGINT,
  claimed_by        BYTEA REFERENCES accounts(id),
  claim_expires_at  BIGINT,
  purged_at         BIGINT,
  decline_told_at   BIGINT,
  decline_note      BYTEA
);
CREATE INDEX messages_by_case ON messages(case_id, submitted_at);
CREATE INDEX messages_in_review ON messages(submitted_at) WHERE state = 'in_review';
CREATE TABLE ciphertexts (
  message_id  BYTEA PRIMARY KEY REFERENCES messages(id),
  bytes       BYTEA NOT NULL
);
CREATE TABLE reviews (
  ord                  BIGSERIAL,
  message_id           BYTEA NOT NULL REFERENCES messages(id),
  facilitator_account  BYTEA NOT NULL REFERENCES accounts(id),
  decision             TEXT NOT NULL CHECK (decision IN ('approve', 'return')),
  statement            TEXT,
  created_at           BIGINT NOT NULL,
  PRIMARY KEY (message_id, facilitator_account)
);
CREATE TABLE audit_entries (
  case_id    BYTEA NOT NULL,
  seq        BIGINT NOT NULL,
  at         BIGINT NOT NULL,
  event      TEXT NOT NULL,
  actor      BYTEA NOT NULL,
  subject    BYTEA NOT NULL,
  statement  BYTEA NOT NULL,
  prev       BYTEA NOT NULL,
  hash       BYTEA NOT NULL,
  PRIMARY KEY (case_id, seq)
);
CREATE TABLE audit_checkpoints (
  case_id  BYTEA NOT NULL,
  seq      BIGINT NOT NULL,
  head     BYTEA NOT NULL,
  at       BIGINT NOT NULL,
  sig      BYTEA NOT NULL,
  PRIMARY KEY (case_id, seq)
);
CREATE SEQUENCE event_seq;
CREATE TABLE events (
  seq         BIGINT PRIMARY KEY,
  account_id  BYTEA NOT NULL REFERENCES accounts(id),
  case_id     BYTEA NOT NULL,
  event       TEXT NOT NULL,
  message_id  BYTEA,
  at          BIGINT NOT NULL
);
CREATE INDEX events_by_account ON events(account_id, seq);
CREATE TABLE grants (
  case_id        BYTEA NOT NULL REFERENCES cases(id),
  party_account  BYTEA NOT NULL REFERENCES accounts(id),
  supporter_key  BYTEA NOT NULL,
  reads          BOOLEAN NOT NULL,
  statement      TEXT NOT NULL,
  at             BIGINT NOT NULL,
  PRIMARY KEY (case_id, party_account, supporter_key)
);
CREATE TABLE supporter_readers (
  message_id  BYTEA NOT NULL REFERENCES messages(id),
  reader_key  BYTEA NOT NULL,
  PRIMARY KEY (message_id, reader_key)
);
CREATE TABLE case_labels (
  case_id     BYTEA NOT NULL REFERENCES cases(id),
  reader_key  BYTEA NOT NULL,
  box         BYTEA NOT NULL,
  set_at      BIGINT NOT NULL,
  PRIMARY KEY (case_id, reader_key)
);
CREATE TABLE used_login_challenges (
  challenge   BYTEA PRIMARY KEY,
  expires_at  BIGINT NOT NULL
);
