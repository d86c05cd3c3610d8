// The relay's layers, as its includes show them: proto <- store <- domain <-
// api <- net. The libraries enforce the same at link time (CMakeLists.txt);
// this names the file and the include that crosses a line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct layer {
  std::vector<std::string> files;      // paths under server/ (a directory ends in '/')
  std::vector<std::string> may_include;  // prefixes under server/
};

bool starts_with_any(const std::string& path, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes) {
    if (path.rfind(p, 0) == 0) return true;
  }
  return false;
}

// Every "server/..." include of the layer's files that its rule does not allow.
std::vector<std::string> crossings(const layer& l) {
  const fs::path root = fs::path(SHUTTLE_SOURCE_DIR) / "server";
  const std::regex include(R"re(#include "server/([^"]+)")re");
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(entry.path(), root).string();
    if (!entry.is_regular_file() || !starts_with_any(rel, l.files)) continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_search(line, m, include) && !starts_with_any(m[1].str(), l.may_include)) {
        out.push_back(rel + " includes server/" + m[1].str());
      }
    }
  }
  return out;
}

TEST(Layers, TheStoreKnowsNothingAboveIt) {
  EXPECT_EQ(crossings({{"store/"}, {"store/", "limits.hpp"}}), std::vector<std::string>{});
}

TEST(Layers, TheDomainNamesOnlyTheStorageInterface) {
  // Not sqlite_store.hpp, not HTTP, not the network.
  EXPECT_EQ(crossings({{"domain/", "relay_identity."},
                       {"domain/", "relay_identity.hpp", "limits.hpp", "store/storage.hpp", "store/repository.hpp",
                        "store/records.hpp"}}),
            std::vector<std::string>{});
}

TEST(Layers, TheApiReachesStorageOnlyThroughTheDomain) {
  EXPECT_EQ(crossings({{"api/", "metrics.", "rate_limiter.", "web_files."},
                       {"api/", "domain/", "metrics.hpp", "rate_limiter.hpp", "web_files.hpp", "limits.hpp"}}),
            std::vector<std::string>{});
}

TEST(Layers, TheNetworkGoesThroughTheApi) {
  EXPECT_EQ(crossings({{"net/"}, {"net/", "api/", "domain/relay_service.hpp", "metrics.hpp", "limits.hpp"}}),
            std::vector<std::string>{});
}

}  // namespace
