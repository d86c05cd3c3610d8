#include "server/web_files.hpp"

#include "proto/web_manifest.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace shuttle::relay {

namespace {

constexpr std::uintmax_t max_total_bytes = 64ull * 1024 * 1024;

bool safe_name(std::string_view name) {
  return !name.empty() && name.size() <= 128 && name.front() != '.' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-';
         });
}

std::string content_type_of(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".wasm") return "application/wasm";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

web_file read_file(const std::filesystem::path& p, std::uintmax_t& total) {
  total += std::filesystem::file_size(p);
  if (total > max_total_bytes) throw std::runtime_error("the web root holds more than 64 MiB");
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream body;
  body << in.rdbuf();
  return {body.str(), content_type_of(p), {}, {}};
}

}  // namespace

web_files web_files::load(const std::filesystem::path& root) {
  web_files out;
  std::uintmax_t total = 0;
  const auto index = root / "index.html";
  if (!std::filesystem::is_regular_file(index)) {
    throw std::runtime_error("--web-root " + root.string() + " has no index.html (build it with web/build.mjs)");
  }
  out.index_ = read_file(index, total);
  // The release's signed manifest (SPEC 16.6), served as it is: the relay
  // cannot sign it and has no reason to read it.
  const auto manifest = root / "web-manifest.json";
  if (std::filesystem::is_regular_file(manifest)) {
    if (std::filesystem::file_size(manifest) > proto::max_web_manifest_bytes) {
      throw std::runtime_error(manifest.string() + " is larger than a manifest can be");
    }
    out.manifest_ = read_file(manifest, total);
  }
  const auto assets = root / "assets";
  if (std::filesystem::is_directory(assets)) {
    for (const auto& entry : std::filesystem::directory_iterator(assets)) {
      const std::string name = entry.path().filename().string();
      if (!entry.is_regular_file() || !safe_name(name)) {
        throw std::runtime_error("the web root's assets/ holds '" + name + "', which the relay does not serve");
      }
      if (name.ends_with(".br") || name.ends_with(".gz")) continue;  // read with the file they compress
      web_file f = read_file(entry.path(), total);
      if (std::filesystem::is_regular_file(entry.path().string() + ".br")) {
        f.brotli = read_file(entry.path().string() + ".br", total).body;
      }
      if (std::filesystem::is_regular_file(entry.path().string() + ".gz")) {
        f.gzip = read_file(entry.path().string() + ".gz", total).body;
      }
      out.assets_.emplace(name, std::move(f));
    }
  }
  return out;
}

const web_file* web_files::asset(std::string_view name) const {
  const auto it = assets_.find(name);
  return it == assets_.end() ? nullptr : &it->second;
}

const std::vector<std::pair<std::string, std::string>>& web_files::security_headers() {
  static const std::vector<std::pair<std::string, std::string>> headers{
      {"Content-Security-Policy", std::string(proto::web_csp)},
      {"Integrity-Policy", "blocked-destinations=(script)"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Strict-Transport-Security", "max-age=63072000"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"},
  };
  return headers;
}

}  // namespace shuttle::relay
