-- 9: check-ins (SPEC 5.19): a message kind a relay before 9 cannot read
-- (serves_from), and the notes answering them found by what they answer.
CREATE INDEX messages_by_answers ON messages(answers) WHERE answers IS NOT NULL;
