#include "server/store/postgres_rows.hpp"

namespace shuttle::relay::pg {

std::string_view result::raw(int row, int col) const {
  if (row < 0 || row >= rows() || col < 0 || col >= PQnfields(r_.get())) {
    throw stored_value_error("stored row has fewer columns than read");
  }
  return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
}

std::uint64_t result::u64(int row, int col) const {
  const auto v = raw(row, col);
  if (v.size() != 8) throw stored_value_error("stored integer of unexpected size");
  std::uint64_t out = 0;
  for (char c : v) out = (out << 8) | static_cast<unsigned char>(c);
  return out;
}

bool result::boolean(int row, int col) const {
  const auto v = raw(row, col);
  if (v.size() != 1 || static_cast<unsigned char>(v[0]) > 1) throw stored_value_error("stored boolean malformed");
  return v[0] == '\1';
}

}  // namespace shuttle::relay::pg
