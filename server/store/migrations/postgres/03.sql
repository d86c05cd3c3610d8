-- 3: the stage of the process, the person harmed's pause, each
-- participant's consent and the writing aids sealed to a party (SQLite's
-- 7). A relay before 3 would release letters of a paused case.
ALTER TABLE cases ADD COLUMN stage TEXT NOT NULL DEFAULT 'referral'
  CHECK (stage IN ('referral', 'preparation', 'exchange', 'agreement', 'aftercare'));
ALTER TABLE cases ADD COLUMN stage_statement TEXT;
ALTER TABLE cases ADD COLUMN paused BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN pause_statement TEXT;
UPDATE cases SET stage = 'exchange';
CREATE TABLE consents (
  case_id     BYTEA NOT NULL REFERENCES cases(id),
  account_id  BYTEA NOT NULL REFERENCES accounts(id),
  text_hash   BYTEA NOT NULL,
  statement   TEXT NOT NULL,
  at          BIGINT NOT NULL,
  PRIMARY KEY (case_id, account_id)
);
CREATE TABLE writing_aids (
  case_id     BYTEA NOT NULL REFERENCES cases(id),
  reader_key  BYTEA NOT NULL,
  purpose     TEXT NOT NULL CHECK (purpose IN ('names', 'prompts')),
  box         BYTEA NOT NULL,
  set_at      BIGINT NOT NULL,
  PRIMARY KEY (case_id, reader_key, purpose)
);
