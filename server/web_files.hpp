// The browser client, served by the relay from its installation (--web-root;
// the .deb installs it under /usr/share/shuttle/web). The directory is read
// once at start into memory: `index.html`, the plain files of `assets/`
// (whose names are content-hashed by the build) with their precompressed
// `.br` and `.gz` copies, and the release's signed `web-manifest.json`,
// nothing else. Inside the root no symbolic link is followed, and no hidden
// file, subdirectory, device, FIFO or file with a second hard link is read:
// each is left out and logged. When the manifest is there, every file served
// is one it lists with the digest it lists: any other is left out and logged
// as an error (a page that differs stops the start). A request can only name a file
// held in memory, so no path ever reaches the file system; a change on disk
// is seen at the next start.
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
  // index.html, a manifest that does not verify or a page that differs from
  // it, more than 64 MiB in all).
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
