-- 1: accounts and their sessions, cases, invitations, participants, key
-- statements, attestations, and the first answer given to each signed statement.
CREATE TABLE accounts (
  id              BLOB PRIMARY KEY,
  identity_key    BLOB NOT NULL UNIQUE,
  is_facilitator  INTEGER NOT NULL CHECK (is_facilitator IN (0, 1)),
  created_at      INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_hash      BLOB PRIMARY KEY,
  account_id      BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at      INTEGER NOT NULL,
  last_used_at    INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL
);
CREATE INDEX sessions_by_account ON sessions(account_id);
CREATE TABLE cases (
  id                  BLOB PRIMARY KEY,
  state               TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  approvals_required  INTEGER NOT NULL CHECK (approvals_required IN (1, 2)),
  opened_by           BLOB NOT NULL REFERENCES accounts(id),
  open_statement      TEXT NOT NULL,
  close_statement     TEXT,
  created_at          INTEGER NOT NULL,
  closed_at           INTEGER
);
CREATE TABLE invitations (
  id            BLOB PRIMARY KEY,
  case_id       BLOB REFERENCES cases(id),
  role          TEXT NOT NULL,
  secret_hash   BLOB NOT NULL,
  expires_at    INTEGER NOT NULL,
  inviter_key   BLOB NOT NULL,
  statement     TEXT NOT NULL,
  used_at       INTEGER
);
CREATE TABLE participants (
  case_id       BLOB NOT NULL REFERENCES cases(id),
  account_id    BLOB NOT NULL REFERENCES accounts(id),
  role          TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('active', 'withdrawn')),
  enrolment     TEXT,
  joined_at     INTEGER NOT NULL,
  left_at       INTEGER,
  PRIMARY KEY (case_id, account_id)
);
CREATE INDEX participants_by_account ON participants(account_id);
CREATE TABLE key_statements (
  id            BLOB PRIMARY KEY,
  case_id       BLOB NOT NULL,
  account_id    BLOB NOT NULL,
  case_key      BLOB NOT NULL,
  statement     TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  FOREIGN KEY (case_id, account_id) REFERENCES participants(case_id, account_id)
);
CREATE INDEX key_statements_by_case ON key_statements(case_id, created_at);
CREATE TABLE attestations (
  id                BLOB PRIMARY KEY,
  case_id           BLOB NOT NULL REFERENCES cases(id),
  subject_account   BLOB NOT NULL REFERENCES accounts(id),
  key_statement_id  BLOB NOT NULL REFERENCES key_statements(id),
  attested_by       BLOB NOT NULL REFERENCES accounts(id),
  statement         TEXT NOT NULL
);
CREATE INDEX attestations_by_case ON attestations(case_id);
CREATE TABLE statements (
  id          BLOB PRIMARY KEY,
  case_id     BLOB NOT NULL,
  type        TEXT NOT NULL,
  hash        BLOB NOT NULL,
  answer      TEXT NOT NULL
);
