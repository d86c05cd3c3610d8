// The browser client, served by the relay from its installation (--web-root;
// the .deb installs it under /usr/share/shuttle/web). The directory is read
// once at start into memory: `index.html`, the files of `assets/`, whose
// names are content-hashed by the build, and the release's signed
// `web-manifest.json`, nothing else. A request can only
// name one of them, so no path ever reaches the file system.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shuttle::relay {

struct web_file {
  std::string body;
  std::string content_type;
  std::string brotli, gzip;  // the build's compressed copies (empty: none)
};

class web_files {
 public:
  // Reads `root`; throws std::runtime_error naming what is wrong (no
  // index.html, a name outside [A-Za-z0-9._-], more than 64 MiB in all).
  static web_files load(const std::filesystem::path& root);

  const web_file& index() const { return index_; }
  // The signed manifest of the release (web-manifest.json), when packaged with one.
  const std::optional<web_file>& manifest() const { return manifest_; }
  // An asset by its file name, or null (the .br and .gz copies are not names of their own).
  const web_file* asset(std::string_view name) const;
  std::size_t asset_count() const { return assets_.size(); }

  // The headers every page and asset goes out with: the strict Content
  // Security Policy with Trusted Types, Integrity-Policy for scripts,
  // cross-origin isolation, no referrer, HSTS, nosniff (SPEC 16.5).
  static const std::vector<std::pair<std::string, std::string>>& security_headers();

 private:
  web_file index_;
  std::optional<web_file> manifest_;
  std::map<std::string, web_file, std::less<>> assets_;
};

}  // namespace shuttle::relay
