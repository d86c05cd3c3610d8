// The relay's route table, proto/openapi.yaml and their access rules agree.
#include "server/api/router.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace shuttle::relay::api {
namespace {

struct described {
  std::string access;
  std::size_t body_limit = 0;
};

// A small reader for the shape of proto/openapi.yaml: paths at two spaces,
// methods at four, x-access and x-body-limit at six.
std::map<std::string, described> read_openapi(const std::string& file) {
  std::ifstream in(file);
  EXPECT_TRUE(in) << file;
  std::map<std::string, described> out;
  std::string line, path, key;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!in_paths) continue;
    if (line.rfind("  /", 0) == 0) {
      path = line.substr(2, line.size() - 3);
    } else if (line == "    get:" || line == "    post:") {
      key = (line[4] == 'g' ? "GET " : "POST ") + path;
      out[key];
    } else if (line.rfind("      x-access: ", 0) == 0) {
      out[key].access = line.substr(16);
    } else if (line.rfind("      x-body-limit: ", 0) == 0) {
      out[key].body_limit = std::stoul(line.substr(20));
    }
  }
  return out;
}

TEST(RouteTable, MatchesOpenapiYaml) {
  auto yaml = read_openapi(SHUTTLE_SOURCE_DIR "/proto/openapi.yaml");
  // /metrics is not part of the public API (it has a listener of its own).
  EXPECT_FALSE(yaml.count("GET /metrics"));
  std::set<std::string> seen;
  for (const auto& r : routes()) {
    const std::string key = std::string(http::to_string(r.method)) + " " + std::string(r.pattern);
    ASSERT_TRUE(yaml.count(key)) << key << " is not in proto/openapi.yaml";
    EXPECT_EQ(yaml[key].access, to_string(r.who)) << key;
    EXPECT_EQ(yaml[key].body_limit, r.body_limit) << key;
    EXPECT_TRUE(seen.insert(key).second) << key << " twice in the table";
  }
  EXPECT_EQ(seen.size(), yaml.size()) << "proto/openapi.yaml has routes the relay does not serve";
}

TEST(RouteTable, MatchesPathsAndCaseIds) {
  const std::string case_id = "AAECAwQFBgcICQoLDA0ODw";
  auto m = find_route(http::verb::post, "/v1/cases/" + case_id + "/keys");
  ASSERT_NE(m.found, nullptr);
  EXPECT_EQ(m.found->pattern, "/v1/cases/{case}/keys");
  EXPECT_EQ((*m.case_id)[1], 1);
  EXPECT_EQ(find_route(http::verb::post, "/v1/cases/not-an-id/keys").found, nullptr);
  EXPECT_EQ(find_route(http::verb::get, "/v1/cases/" + case_id + "/keys").found, nullptr);
  EXPECT_TRUE(find_route(http::verb::get, "/v1/cases/" + case_id + "/keys").path_exists);
  EXPECT_NE(find_route(http::verb::get, "/v1/me?x=1").found, nullptr);
  EXPECT_EQ(find_route(http::verb::get, "/v1/me/extra").found, nullptr);
  // One spelling per path.
  for (const char* other : {"/v1/me/", "//v1/me", "/v1//me", "v1/me", "/v1/me//", ""}) {
    EXPECT_EQ(find_route(http::verb::get, other).found, nullptr) << other;
    EXPECT_FALSE(find_route(http::verb::get, other).path_exists) << other;
  }
}

TEST(RouteTable, EveryRouteHasABodyLimitOrTakesNoBody) {
  for (const auto& r : routes()) {
    if (r.method == http::verb::post) {
      EXPECT_GT(r.body_limit, 0u) << r.pattern;
    } else {
      EXPECT_EQ(r.body_limit, 0u) << r.pattern;
    }
  }
}

}  // namespace
}  // namespace shuttle::relay::api
