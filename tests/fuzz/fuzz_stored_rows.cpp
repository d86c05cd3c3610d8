// A row as either store reads it back (server/store/rows.hpp, through
// postgres_rows.hpp or sqlite_rows.hpp). The database may be shared with
// other relays and its operators, so a row may hold anything its column
// types allow, or a damaged value: every decoder either returns a record
// within the schema's ranges or throws stored_value_error, and never reads
// outside the row.
//
// Input: one byte choosing the decoder; one byte of flags (1: read the row
// past the end of a PostgreSQL result; 2: read the row through SQLite
// instead); then columns, each a two-byte big-endian length (0xffff: NULL)
// and its bytes. Through SQLite a column's first byte says how it is bound:
// 'i' an integer (up to eight big-endian bytes), 't' a text, anything else
// a blob of the bytes after it.
#include "server/store/postgres_rows.hpp"
#include "server/store/sqlite_rows.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdlib>
#include <vector>

namespace rows = shuttle::relay::rows;
namespace pg = shuttle::relay::pg;

namespace {

using column = std::optional<std::string_view>;

std::vector<column> columns_of(const std::uint8_t* data, std::size_t size) {
  std::vector<column> out;
  std::size_t at = 0;
  while (at + 2 <= size && out.size() < 40) {
    const int len = (data[at] << 8) | data[at + 1];
    at += 2;
    if (len == 0xffff) {
      out.emplace_back(std::nullopt);
      continue;
    }
    const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(len), size - at);
    out.emplace_back(std::string_view(reinterpret_cast<const char*>(data + at), n));
    at += n;
  }
  return out;
}

pg::result postgres_result(const std::vector<column>& columns) {
  pg::result r(PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK));
  std::vector<PGresAttDesc> attrs(columns.size());
  std::vector<std::string> names(columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    names[i] = "c" + std::to_string(i);
    attrs[i] = PGresAttDesc{names[i].data(), 0, 0, 1, 17, -1, -1};
  }
  if (!columns.empty() && !PQsetResultAttrs(r.get(), static_cast<int>(attrs.size()), attrs.data())) std::abort();
  for (std::size_t i = 0; i < columns.size(); ++i) {
    // PQsetvalue copies; a NULL is a null pointer with length -1.
    const auto& c = columns[i];
    if (!PQsetvalue(r.get(), 0, static_cast<int>(i), c ? const_cast<char*>(c->data()) : nullptr,
                    c ? static_cast<int>(c->size()) : -1)) {
      std::abort();
    }
  }
  return r;
}

// SELECT ?1, ?2, ...: a row of exactly these values and types.
void bind_sqlite(SQLite::Statement& q, const std::vector<column>& columns) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const int at = static_cast<int>(i) + 1;
    const auto& c = columns[i];
    if (!c || c->empty()) {
      q.bind(at);
    } else if ((*c)[0] == 'i') {
      std::uint64_t v = 0;
      for (std::size_t k = 1; k < c->size() && k <= 8; ++k) v = (v << 8) | static_cast<unsigned char>((*c)[k]);
      q.bind(at, static_cast<std::int64_t>(v));
    } else if ((*c)[0] == 't') {
      q.bind(at, std::string(c->substr(1)));
    } else {
      q.bind(at, c->data() + 1, static_cast<int>(c->size() - 1));
    }
  }
}

void decode(const rows::stored_row& r, int which) {
  switch (which % 20) {
    case 0: (void)rows::account_of(r); break;
    case 1: (void)rows::session_of(r); break;
    case 2: (void)rows::invitation_of(r); break;
    case 3: {
      const auto c = rows::case_of(r);
      if (c.approvals_required != 1 && c.approvals_required != 2) std::abort();
      if (c.quiet && (c.quiet->start_minute >= 1440 || c.quiet->end_minute >= 1440)) std::abort();
      break;
    }
    case 4: (void)rows::participant_of(r); break;
    case 5: (void)rows::key_of(r); break;
    case 6: (void)rows::attestation_of(r); break;
    case 7: (void)rows::statement_of(r); break;
    case 8: (void)rows::message_of(r); break;
    case 9: (void)rows::review_of(r); break;
    case 10: (void)rows::grant_of(r); break;
    case 11: (void)rows::audit_of(r); break;
    case 12: (void)rows::checkpoint_of(r); break;
    case 13: (void)rows::event_of(r); break;
    case 14: (void)rows::consent_of(r); break;
    case 15: (void)rows::agreement_statement_of(r); break;
    case 16: (void)rows::agreement_bound_of(r); break;
    case 17: (void)rows::referral_of(r); break;
    case 18: (void)rows::referral_key_of(r); break;
    default: {  // a case and its participant in one row, as cases_of reads them
      (void)rows::case_of(r);
      (void)rows::participant_of(r, rows::case_column_count);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const auto columns = columns_of(data + 2, size - 2);
  try {
    if (data[1] & 2) {
      static SQLite::Database db(":memory:", SQLite::OPEN_READWRITE);
      std::string sql = "SELECT ";
      for (std::size_t i = 0; i < columns.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 1);
      if (columns.empty()) sql += "1";
      SQLite::Statement q(db, sql);
      bind_sqlite(q, columns);
      if (!q.executeStep()) std::abort();
      decode(shuttle::relay::sqlite_row(q), data[0]);
    } else {
      const pg::result q = postgres_result(columns);
      decode(pg::row(q, data[1] & 1), data[0]);
    }
  } catch (const shuttle::relay::stored_value_error&) {
  }
  return 0;
}
