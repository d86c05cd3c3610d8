// `shuttle-relay migrate`: a relay's SQLite database copied into an empty
// PostgreSQL database, table by table in one transaction, every value as it
// is (the audit chains' hashes and signatures are over the values, so they
// verify the same there). The relay must be stopped while it runs.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace shuttle::relay {

struct copied {
  std::size_t tables = 0;
  std::size_t rows = 0;
};

// Throws std::runtime_error naming what is wrong: the SQLite file missing or
// of another schema, the PostgreSQL database unreachable or not empty.
// Nothing is kept in PostgreSQL unless everything was copied.
copied copy_to_postgres(const std::filesystem::path& sqlite_file, const std::string& conninfo);

}  // namespace shuttle::relay
