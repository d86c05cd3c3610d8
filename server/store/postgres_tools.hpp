// `shuttle-relay backup` and `restore` on PostgreSQL: PostgreSQL's own
// pg_dump (one consistent snapshot while the relays run, custom format) and
// pg_restore, run as child processes. The connection's settings, password
// included, reach them through their environment (libpq's PG* variables),
// never on a command line another user could read.
#pragma once

#include <filesystem>
#include <string>

namespace shuttle::relay {

// Writes the database `conninfo` names to `file` (pg_dump -Fc). Throws
// std::runtime_error in words when pg_dump is missing or fails.
void dump_postgres(const std::string& conninfo, const std::filesystem::path& file);

// Whether the database holds no table yet (a restore goes only there).
bool postgres_is_empty(const std::string& conninfo);

// Restores `file` into the empty database `conninfo` names (pg_restore
// --no-owner --exit-on-error --single-transaction): all of it, or nothing.
void restore_postgres(const std::string& conninfo, const std::filesystem::path& file);

}  // namespace shuttle::relay
