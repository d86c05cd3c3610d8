-- 8: the outcome agreement's signatures and marks, and when it bound
-- (SPEC 5.17, 5.18). A relay at 7 can still serve it: it only lacks
-- these routes (and would take an agreement as a party's letter, which
-- the clients refuse, since they open one only from a facilitator).
CREATE TABLE agreement_statements (
  message_id      BLOB NOT NULL REFERENCES messages(id),
  is_mark         INTEGER NOT NULL CHECK (is_mark IN (0, 1)),
  signer_key      BLOB NOT NULL,
  agreement_hash  BLOB NOT NULL,
  statement       TEXT NOT NULL,
  at              INTEGER NOT NULL
);
CREATE INDEX agreement_statements_by_message ON agreement_statements(message_id);
CREATE TABLE agreements_bound (
  message_id      BLOB PRIMARY KEY REFERENCES messages(id),
  agreement_hash  BLOB NOT NULL,
  at              INTEGER NOT NULL
);
