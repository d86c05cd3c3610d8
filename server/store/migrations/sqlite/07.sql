-- 7: the stage of the process, the person harmed's pause, each
-- participant's consent to the service's consent text, and the writing
-- aids the facilitators seal to a party (names to look for, prompts). Cases from
-- before stages were exchanging letters. A relay before 7 would release
-- letters of a paused case, so 7 cannot be served by one (serves_from).
ALTER TABLE cases ADD COLUMN stage TEXT NOT NULL DEFAULT 'referral'
  CHECK (stage IN ('referral', 'preparation', 'exchange', 'agreement', 'aftercare'));
ALTER TABLE cases ADD COLUMN stage_statement TEXT;
ALTER TABLE cases ADD COLUMN paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1));
ALTER TABLE cases ADD COLUMN pause_statement TEXT;
UPDATE cases SET stage = 'exchange';
CREATE TABLE consents (
  case_id     BLOB NOT NULL REFERENCES cases(id),
  account_id  BLOB NOT NULL REFERENCES accounts(id),
  text_hash   BLOB NOT NULL,
  statement   TEXT NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (case_id, account_id)
);
CREATE TABLE writing_aids (
  case_id     BLOB NOT NULL REFERENCES cases(id),
  reader_key  BLOB NOT NULL,
  purpose     TEXT NOT NULL CHECK (purpose IN ('names', 'prompts')),
  box         BLOB NOT NULL,
  set_at      INTEGER NOT NULL,
  PRIMARY KEY (case_id, reader_key, purpose)
);
