// The schema a relay finds in its database against the one it knows: each
// store numbers its own migrations (SQLite's and PostgreSQL's), records the
// version it reached and, from the version that added it, `serves_from`: the
// oldest relay schema that can still serve the database. A migration that
// only adds (a table, a column with a default) keeps `serves_from`, so during
// a rolling upgrade the relays not yet upgraded go on serving; one that
// changes what older relays read raises it (deploy/README.md, "Upgrades").
#pragma once

#include <stdexcept>
#include <string>

namespace shuttle::relay {

// A database this relay must not touch: it says why and what to do.
struct schema_too_new : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What to do with a database at schema `found` (whose `serves_from` is 0
// when not recorded) for a relay that knows schema `known`: true to migrate
// it; false to serve it as it is; throws, in words, when this relay must not
// touch it.
inline bool must_migrate(int found, int serves_from, int known) {
  if (found <= known) return found < known;
  if (serves_from > 0 && serves_from <= known) return false;
  throw schema_too_new(
      "The database was written by a newer relay (schema " + std::to_string(found) + "; this relay knows schema " +
      std::to_string(known) + (serves_from > 0 ? " and the database needs " + std::to_string(serves_from) + " or newer" : "") +
      "). Install the newer shuttle package again, or roll back as deploy/README.md says (\"Rolling back\"): "
      "restore the backup taken before the upgrade.");
}

}  // namespace shuttle::relay
