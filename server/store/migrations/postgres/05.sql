-- 5: check-ins (SQLite's 9), a message kind a relay before 5 cannot read.
CREATE INDEX messages_by_answers ON messages(answers) WHERE answers IS NOT NULL;
