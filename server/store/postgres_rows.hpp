// Rows read back from PostgreSQL, in its binary format: typed reads that
// check every value's size and throw stored_value_error for one the schema
// could not have written, and a row as the decoders of server/store/rows.hpp
// read it (fuzz_stored_rows feeds them arbitrary PostgreSQL rows).
#pragma once

#include "server/store/rows.hpp"

#include <libpq-fe.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace shuttle::relay::pg {

using relay::stored_value_error;

// One PGresult, owned, with typed reads of its binary values.
class result {
 public:
  explicit result(PGresult* r) : r_(r, &PQclear) {}
  PGresult* get() const { return r_.get(); }
  int rows() const { return PQntuples(r_.get()); }
  bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view raw(int row, int col) const;
  std::string text(int row, int col) const { return std::string(raw(row, col)); }
  std::uint64_t u64(int row, int col) const;
  bool boolean(int row, int col) const;
  template <std::size_t N>
  fixed<N> fixed_at(int row, int col) const {
    const auto v = raw(row, col);
    if (v.size() != N) throw stored_value_error("stored value of unexpected size");
    fixed<N> out{};
    std::memcpy(out.data(), v.data(), N);
    return out;
  }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

// Row `at` of a result, as the decoders both stores share read it.
class row final : public rows::stored_row {
 public:
  row(const result& q, int at) : q_(q), at_(at) {}
  bool null(int col) const override { return q_.null(at_, col); }
  std::string_view raw(int col) const override { return q_.raw(at_, col); }
  std::uint64_t u64(int col) const override { return q_.u64(at_, col); }
  bool boolean(int col) const override { return q_.boolean(at_, col); }

 private:
  const result& q_;
  int at_;
};

}  // namespace shuttle::relay::pg
