-- 4: facilitators' names, replies, quiet hours, supporters' grants, case labels.
ALTER TABLE accounts ADD COLUMN display_name TEXT;
ALTER TABLE messages ADD COLUMN answers BLOB;
ALTER TABLE cases ADD COLUMN quiet_time_zone TEXT;
ALTER TABLE cases ADD COLUMN quiet_start INTEGER;
ALTER TABLE cases ADD COLUMN quiet_end INTEGER;
CREATE TABLE grants (
  case_id        BLOB NOT NULL REFERENCES cases(id),
  party_account  BLOB NOT NULL REFERENCES accounts(id),
  supporter_key  BLOB NOT NULL,
  reads          INTEGER NOT NULL,
  statement      TEXT NOT NULL,
  at             INTEGER NOT NULL,
  PRIMARY KEY (case_id, party_account, supporter_key)
);
CREATE TABLE supporter_readers (
  message_id  BLOB NOT NULL REFERENCES messages(id),
  reader_key  BLOB NOT NULL,
  PRIMARY KEY (message_id, reader_key)
);
CREATE TABLE case_labels (
  case_id     BLOB NOT NULL REFERENCES cases(id),
  reader_key  BLOB NOT NULL,
  box         BLOB NOT NULL,
  set_at      INTEGER NOT NULL,
  PRIMARY KEY (case_id, reader_key)
);
