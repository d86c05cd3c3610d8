// A row of a SQLite statement, as the decoders both stores share read it
// (server/store/rows.hpp): a column past the row's end, or an integer or
// boolean column holding another type, throws stored_value_error.
#pragma once

#include "server/store/rows.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

namespace shuttle::relay {

class sqlite_row final : public rows::stored_row {
 public:
  explicit sqlite_row(SQLite::Statement& s) : s_(s) {}

  bool null(int col) const override { return column(col).isNull(); }
  std::string_view raw(int col) const override {
    const SQLite::Column c = column(col);
    const void* p = c.getBlob();  // a text's bytes as they are; then its size
    const int n = c.getBytes();
    if (!p || n <= 0) return {};
    return {static_cast<const char*>(p), static_cast<std::size_t>(n)};
  }
  std::uint64_t u64(int col) const override {
    const SQLite::Column c = column(col);
    if (!c.isInteger()) throw stored_value_error("stored integer of another type");
    return static_cast<std::uint64_t>(c.getInt64());
  }
  bool boolean(int col) const override {
    const std::uint64_t v = u64(col);
    if (v > 1) throw stored_value_error("stored boolean out of range");
    return v == 1;
  }

 private:
  SQLite::Column column(int col) const {
    if (col < 0 || col >= s_.getColumnCount()) throw stored_value_error("stored row has fewer columns than read");
    return s_.getColumn(col);
  }

  SQLite::Statement& s_;
};

}  // namespace shuttle::relay
