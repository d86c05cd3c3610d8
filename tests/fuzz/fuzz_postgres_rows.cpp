// A row as the PostgreSQL store reads it back (server/store/postgres_rows.hpp).
// The database is shared with other relays and its operators, so a row may
// hold anything its column types allow, or a damaged value: every decoder
// either returns a record within the schema's ranges or throws
// stored_value_error, and never reads outside the row.
//
// Input: one byte choosing the decoder, one choosing the row read (0 or the
// row past the end), then columns, each a two-byte big-endian length
// (0xffff: NULL) and its bytes.
#include "server/store/postgres_rows.hpp"

#include <cstdlib>
#include <vector>

namespace pg = shuttle::relay::pg;

namespace {

pg::result build(const std::uint8_t* data, std::size_t size) {
  std::vector<std::pair<const char*, int>> columns;
  std::size_t at = 0;
  while (at + 2 <= size && columns.size() < 40) {
    const int len = (data[at] << 8) | data[at + 1];
    at += 2;
    if (len == 0xffff) {
      columns.emplace_back(nullptr, -1);
      continue;
    }
    const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(len), size - at);
    columns.emplace_back(reinterpret_cast<const char*>(data + at), static_cast<int>(n));
    at += n;
  }
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
    if (!PQsetvalue(r.get(), 0, static_cast<int>(i), const_cast<char*>(columns[i].first), columns[i].second)) {
      std::abort();
    }
  }
  return r;
}

void decode(const pg::result& q, int which, int row) {
  switch (which % 16) {
    case 0: (void)pg::account_of(q, row); break;
    case 1: (void)pg::session_of(q, row); break;
    case 2: (void)pg::invitation_of(q, row); break;
    case 3: {
      const auto c = pg::case_of(q, row, 0);
      if (c.approvals_required != 1 && c.approvals_required != 2) std::abort();
      if (c.quiet && (c.quiet->start_minute >= 1440 || c.quiet->end_minute >= 1440)) std::abort();
      break;
    }
    case 4: (void)pg::participant_of(q, row, 0); break;
    case 5: (void)pg::key_of(q, row); break;
    case 6: (void)pg::attestation_of(q, row); break;
    case 7: (void)pg::statement_of(q, row); break;
    case 8: (void)pg::message_of(q, row); break;
    case 9: (void)pg::review_of(q, row); break;
    case 10: (void)pg::grant_of(q, row); break;
    case 11: (void)pg::audit_of(q, row); break;
    case 12: (void)pg::checkpoint_of(q, row); break;
    case 13: (void)pg::event_of(q, row); break;
    case 14: (void)pg::consent_of(q, row); break;
    default: {  // a case and its participant in one row, as cases_of reads them
      (void)pg::case_of(q, row, 0);
      (void)pg::participant_of(q, row, pg::case_column_count);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const pg::result q = build(data + 2, size - 2);
  try {
    decode(q, data[0], data[1] & 1);
  } catch (const pg::stored_value_error&) {
  }
  return 0;
}
