// Every table and column of the relay's database is classified in
// SECURITY.md ("What the relay stores, column by column"), and nothing
// classified there is missing from the schema.
#include "server/store/sqlite_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

namespace shuttle::relay {
namespace {

std::set<std::string> columns_of_a_fresh_database() {
  const auto dir = std::filesystem::temp_directory_path() / ("shuttle-schema-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  { sqlite_store store(dir / "relay.db", 1); }
  std::set<std::string> out;
  {
    SQLite::Database db((dir / "relay.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    std::vector<std::string> names;
    while (tables.executeStep()) names.push_back(tables.getColumn(0).getString());
    for (const auto& t : names) {
      SQLite::Statement cols(db, "SELECT name FROM pragma_table_info(?)");
      cols.bind(1, t);
      while (cols.executeStep()) out.insert(t + "." + cols.getColumn(0).getString());
    }
  }
  std::filesystem::remove_all(dir);
  return out;
}

std::set<std::string> classified_in_security_md() {
  std::ifstream in(std::string(SHUTTLE_SOURCE_DIR) + "/SECURITY.md");
  EXPECT_TRUE(in);
  const std::regex row(R"(^\| `([a-z_]+\.[a-z_]+)` \| (id|key|secret hash|signed|sealed|metadata) \|)");
  std::set<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, row)) out.insert(m[1]);
  }
  return out;
}

TEST(Schema, EveryColumnIsClassifiedInSecurityMd) {
  const auto schema = columns_of_a_fresh_database();
  const auto classified = classified_in_security_md();
  EXPECT_GT(schema.size(), 90u);
  for (const auto& c : schema) EXPECT_TRUE(classified.contains(c)) << c << " is not classified in SECURITY.md";
  for (const auto& c : classified) EXPECT_TRUE(schema.contains(c)) << c << " is classified but not in the schema";
}

}  // namespace
}  // namespace shuttle::relay
