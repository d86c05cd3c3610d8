// The schema migrations of each store, one file each in
// server/store/migrations/<store>/NN.sql, embedded at build time
// (cmake/embed_migrations.cmake). Migration N, at index N-1, moves a database
// from schema version N-1 to N; the latest version is the list's size. Never
// edit a released migration: add the next file. SECURITY.md classifies every
// table and column.
#pragma once

#include <span>
#include <string_view>

namespace shuttle::relay {

std::span<const std::string_view> sqlite_migrations();
std::span<const std::string_view> postgres_migrations();

}  // namespace shuttle::relay
