-- 4: the outcome agreement's signatures and marks, and when it bound
-- (SQLite's 8). A relay at 3 can still serve it.
CREATE TABLE agreement_statements (
  ord             BIGSERIAL,
  message_id      BYTEA NOT NULL REFERENCES messages(id),
  is_mark         BIGINT NOT NULL CHECK (is_mark IN (0, 1)),
  signer_key      BYTEA NOT NULL,
  agreement_hash  BYTEA NOT NULL,
  statement       TEXT NOT NULL,
  at              BIGINT NOT NULL
);
CREATE INDEX agreement_statements_by_message ON agreement_statements(message_id, ord);
CREATE TABLE agreements_bound (
  message_id      BYTEA PRIMARY KEY REFERENCES messages(id),
  agreement_hash  BYTEA NOT NULL,
  at              BIGINT NOT NULL
);
