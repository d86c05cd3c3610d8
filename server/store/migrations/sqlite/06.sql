-- 6: when the purge and the backup last ran (for the alerts), and the
-- oldest relay schema that can serve the database (schema.hpp).
CREATE TABLE maintenance (
  job      TEXT PRIMARY KEY,
  done_at  INTEGER NOT NULL
);
ALTER TABLE schema_version ADD COLUMN serves_from INTEGER NOT NULL DEFAULT 0;
