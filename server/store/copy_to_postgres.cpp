#include "server/store/copy_to_postgres.hpp"

#include "server/store/postgres_store.hpp"
#include "server/store/sqlite_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <libpq-fe.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

namespace shuttle::relay {

namespace {

// Every table, parents before children; SQLite's rowid order is kept, so an
// insertion order (PostgreSQL's `ord`) follows it.
constexpr const char* tables[] = {
    "accounts",     "sessions",         "cases",           "invitations",       "participants",
    "key_statements", "attestations",   "statements",      "messages",          "ciphertexts",
    "reviews",      "audit_entries",    "audit_checkpoints", "events",          "grants",
    "supporter_readers", "case_labels", "used_login_challenges", "consents", "writing_aids",
    "agreement_statements", "agreements_bound", "referral_keys", "referrals", "referral_wraps",
};

using pg_result = std::unique_ptr<PGresult, void (*)(PGresult*)>;

pg_result run(PGconn* c, const std::string& sql, int n = 0, const Oid* types = nullptr,
              const char* const* values = nullptr, const int* lengths = nullptr, const int* formats = nullptr) {
  pg_result r(PQexecParams(c, sql.c_str(), n, types, values, lengths, formats, 0), &PQclear);
  const auto status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(sql.substr(0, 60) + ": " + PQresultErrorMessage(r.get()));
  }
  return r;
}

}  // namespace

copied copy_to_postgres(const std::filesystem::path& sqlite_file, const std::string& conninfo) {
  if (!std::filesystem::exists(sqlite_file)) throw std::runtime_error("no relay database at " + sqlite_file.string());
  {
    // Opening migrates both to their latest schema (the PostgreSQL one is created).
    sqlite_store source(sqlite_file, 1);
    postgres_store target(conninfo, 1, 1);
  }
  SQLite::Database from(sqlite_file.string(), SQLite::OPEN_READONLY);
  std::unique_ptr<PGconn, void (*)(PGconn*)> to(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(to.get()) != CONNECTION_OK) {
    throw std::runtime_error(std::string("the PostgreSQL database cannot be reached: ") + PQerrorMessage(to.get()));
  }
  PGconn* c = to.get();
  run(c, "BEGIN ISOLATION LEVEL SERIALIZABLE");
  if (std::string(PQgetvalue(run(c, "SELECT count(*) FROM accounts").get(), 0, 0)) != "0") {
    throw std::runtime_error("the PostgreSQL database already holds a relay's data; migrate into an empty one");
  }
  copied out;
  for (const char* table : tables) {
    // PostgreSQL's column types decide how each value travels.
    std::map<std::string, Oid> pg_types;
    {
      const char* values[] = {table};
      auto cols = run(c,
                      "SELECT column_name, CASE data_type WHEN 'bytea' THEN 17 WHEN 'bigint' THEN 20 "
                      "WHEN 'boolean' THEN 16 ELSE 25 END FROM information_schema.columns WHERE table_name = $1",
                      1, nullptr, values);
      for (int i = 0; i < PQntuples(cols.get()); ++i) {
        pg_types[PQgetvalue(cols.get(), i, 0)] = static_cast<Oid>(std::stoul(PQgetvalue(cols.get(), i, 1)));
      }
    }
    SQLite::Statement q(from, std::string("SELECT * FROM ") + table + " ORDER BY rowid");
    const int n = q.getColumnCount();
    std::vector<std::string> names;
    std::vector<Oid> types;
    std::string insert = std::string("INSERT INTO ") + table + " (";
    for (int i = 0; i < n; ++i) {
      names.emplace_back(q.getColumnName(i));
      const auto t = pg_types.find(names.back());
      if (t == pg_types.end()) throw std::runtime_error(std::string(table) + "." + names.back() + " has no column in PostgreSQL");
      types.push_back(t->second);
      insert += (i ? ", " : "") + names.back();
    }
    insert += ") VALUES (";
    for (int i = 0; i < n; ++i) insert += (i ? ", $" : "$") + std::to_string(i + 1);
    insert += ")";
    while (q.executeStep()) {
      std::vector<std::string> text(static_cast<std::size_t>(n));
      std::vector<const char*> values(static_cast<std::size_t>(n));
      std::vector<int> lengths(static_cast<std::size_t>(n)), formats(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        const auto col = q.getColumn(i);
        const auto at = static_cast<std::size_t>(i);
        if (col.isNull()) {
          values[at] = nullptr;
          continue;
        }
        switch (types[at]) {
          case 17: text[at].assign(static_cast<const char*>(col.getBlob()), static_cast<std::size_t>(col.getBytes()));
                   formats[at] = 1;
                   break;
          case 16: text[at] = col.getInt64() != 0 ? "t" : "f"; break;
          case 20: text[at] = std::to_string(col.getInt64()); break;
          default: text[at] = col.getString(); break;
        }
        values[at] = text[at].data();
        lengths[at] = static_cast<int>(text[at].size());
      }
      run(c, insert, n, types.data(), values.data(), lengths.data(), formats.data());
      ++out.rows;
    }
    ++out.tables;
  }
  // The event numbers go on from the last one copied.
  run(c, "SELECT setval('event_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM events), false)");
  run(c, "COMMIT");
  return out;
}

}  // namespace shuttle::relay
