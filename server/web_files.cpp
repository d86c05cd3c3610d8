#include "server/web_files.hpp"

#include "proto/web_manifest.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace shuttle::relay {

namespace {

constexpr std::uintmax_t max_total_bytes = 64ull * 1024 * 1024;

std::string content_type_of(std::string_view name) {
  const auto dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? std::string_view{} : name.substr(dot);
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

struct fd_closer {
  int fd;
  ~fd_closer() {
    if (fd >= 0) ::close(fd);
  }
};

// Reads one entry of the directory `dir` when it is a plain file: a regular
// file with one link, opened without following a symbolic link and without
// blocking on a FIFO. Anything else is left unread, and the reason returned.
struct read_outcome {
  std::optional<std::string> body;
  std::string refusal;  // why it was not read, in words
  bool missing = false;  // there is no such entry
};

read_outcome read_plain_file(int dir, const std::string& name, std::uintmax_t& total) {
  const int fd = ::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ELOOP) return {std::nullopt, "a symbolic link"};
    if (errno == ENOENT) return {std::nullopt, "missing", true};
    return {std::nullopt, std::string("unreadable (") + std::strerror(errno) + ")"};
  }
  fd_closer closing{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {std::nullopt, "unreadable"};
  if (!S_ISREG(st.st_mode)) return {std::nullopt, "not a regular file"};
  // A second name for the file elsewhere (a hard link to a key, say) would
  // bring something into the web root that nobody put there as a page.
  if (st.st_nlink != 1) return {std::nullopt, "a file with more than one link"};
  total += static_cast<std::uintmax_t>(st.st_size);
  if (total > max_total_bytes) throw std::runtime_error("the web root holds more than 64 MiB");
  std::string body(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t have = 0;
  while (have < body.size()) {
    const auto n = ::read(fd, body.data() + have, body.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return {std::nullopt, "shorter than it said (it changed while read)"};
    have += static_cast<std::size_t>(n);
  }
  return {std::move(body), {}};
}

// The plain files of a directory by name, without its hidden entries, its
// subdirectories or anything else; each one left out is logged.
std::map<std::string, std::string> read_directory(int dir, const std::string& where, std::uintmax_t& total) {
  std::map<std::string, std::string> out;
  const int listing = ::dup(dir);
  if (listing < 0) throw std::runtime_error("cannot list " + where);
  std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(listing), ::closedir);
  if (!d) {
    ::close(listing);
    throw std::runtime_error("cannot list " + where);
  }
  while (const dirent* e = ::readdir(d.get())) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (!proto::web_manifest_path("/assets/" + name)) {
      spdlog::warn("web root: {}{} is not served (a hidden file or a name outside [A-Za-z0-9._-])", where, name);
      continue;
    }
    auto read = read_plain_file(dir, name, total);
    if (!read.body) {
      spdlog::warn("web root: {}{} is not served ({})", where, name, read.refusal);
      continue;
    }
    out.emplace(name, std::move(*read.body));
  }
  return out;
}

// With a signed manifest, what is served is what was signed: a file it does
// not list, or one that differs from its digest, is left out and logged (the
// letters go on; the page is the operator's to reinstall).
bool signed_as(const proto::web_manifest& m, const std::string& path, std::string_view body) {
  const auto listed = m.files.find(path);
  if (listed == m.files.end()) {
    spdlog::warn("web root: {} is not served (its signed manifest does not list it)", path);
    return false;
  }
  if (proto::web_file_digest(body) != listed->second) {
    spdlog::error("web root: {} is not served: it differs from the signed web-manifest.json (reinstall the package)",
                  path);
    return false;
  }
  return true;
}

}  // namespace

web_files web_files::load(const std::filesystem::path& root) {
  web_files out;
  std::uintmax_t total = 0;
  // The root itself is the operator's choice and may be reached through a
  // link; nothing inside it is followed.
  const int root_fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) throw std::runtime_error("--web-root " + root.string() + " is not a directory the relay can read");
  fd_closer closing_root{root_fd};

  auto index = read_plain_file(root_fd, "index.html", total);
  if (!index.body) {
    throw std::runtime_error("--web-root " + root.string() + " has no index.html the relay may serve (" +
                             index.refusal + "; build it with web/build.mjs)");
  }
  out.index_ = {std::move(*index.body), content_type_of("index.html"), {}, {}};

  std::optional<proto::web_manifest> manifest;
  if (auto read = read_plain_file(root_fd, "web-manifest.json", total); read.body) {
    // The release's signed manifest (SPEC 16.6), served as it is; the relay
    // cannot sign it, and holds the files to it.
    auto parsed = proto::parse_web_manifest(*read.body);
    if (!parsed) {
      throw std::runtime_error("the web root's web-manifest.json does not verify: " + parsed.error().message());
    }
    manifest = std::move(*parsed);
    out.manifest_ = web_file{std::move(*read.body), content_type_of("web-manifest.json"), {}, {}};
  } else if (!read.missing) {
    throw std::runtime_error("the web root's web-manifest.json is " + read.refusal);
  }

  std::map<std::string, std::string> files;
  const int assets_fd = ::openat(root_fd, "assets", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (assets_fd >= 0) {
    fd_closer closing_assets{assets_fd};
    files = read_directory(assets_fd, "assets/", total);
  } else if (errno != ENOENT) {
    spdlog::warn("web root: assets/ is not served (not a directory, or a symbolic link)");
  }

  if (manifest) {
    if (!signed_as(*manifest, "/", out.index_.body)) {
      throw std::runtime_error("the web root's index.html differs from its signed web-manifest.json: reinstall the "
                               "package, or serve no web client (leave out --web-root)");
    }
    for (const auto& [path, digest] : manifest->files) {
      if (path != "/" && !files.contains(path.substr(std::string_view("/assets/").size()))) {
        spdlog::error("web root: {} is missing, which its signed web-manifest.json lists", path);
      }
    }
  }
  auto take = [&](const std::string& name) -> std::optional<std::string> {
    const auto it = files.find(name);
    if (it == files.end()) return std::nullopt;
    if (manifest && !signed_as(*manifest, "/assets/" + name, it->second)) return std::nullopt;
    return std::move(it->second);
  };
  for (const auto& [name, body] : files) {
    if (name.ends_with(".br") || name.ends_with(".gz")) continue;  // taken with the file they compress
    auto plain = take(name);
    if (!plain) continue;
    web_file f{std::move(*plain), content_type_of(name), {}, {}};
    if (auto br = take(name + ".br")) f.brotli = std::move(*br);
    if (auto gz = take(name + ".gz")) f.gzip = std::move(*gz);
    out.assets_.emplace(name, std::move(f));
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
