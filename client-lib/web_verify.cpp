#include "client-lib/web_verify.hpp"

#include "proto/base64.hpp"

#include <sodium.h>

namespace shuttle::client {

namespace {

constexpr std::size_t max_file_bytes = 64 * 1024 * 1024;  // the relay's bound on a whole web root

}  // namespace

result<web_verified> verify_web(relay_connection& relay, const proto::public_key& release_key) {
  auto got = relay.get_raw(std::string(proto::web_manifest_route), "identity", proto::max_web_manifest_bytes);
  if (!got) return got.error();
  if (got->status == 404) return make_error(errc::not_found, "This relay serves no signed web manifest.");
  if (got->status != 200) {
    return make_error(errc::relay_refused, "the manifest answered HTTP " + std::to_string(got->status));
  }
  auto manifest = proto::parse_web_manifest(got->body);
  if (!manifest) return manifest.error();
  if (manifest->key != release_key) {
    return make_error(errc::bad_signature, "the manifest is signed by " + proto::base64url_encode(manifest->key) +
                                               ", not by the release key you trust");
  }

  web_verified out{manifest->version, 0};
  for (const auto& [path, digest] : manifest->files) {
    if (path.ends_with(".br") || path.ends_with(".gz")) continue;  // checked with the file they compress
    // As a browser that takes no compression, then brotli, then gzip, would get it.
    for (std::string_view coding : {"identity", "br", "gzip"}) {
      auto answer = relay.get_raw(path, std::string(coding), max_file_bytes);
      if (!answer) return answer.error();
      if (answer->status != 200) {
        return make_error(errc::not_found, path + " answered HTTP " + std::to_string(answer->status) + ".");
      }
      if (answer->content_security_policy != proto::web_csp || manifest->csp != proto::web_csp) {
        return make_error(errc::bad_value, path + " goes out with another Content-Security-Policy than the release's");
      }
      const std::string& served_as = answer->content_encoding;
      std::string listed = path;
      if (!served_as.empty() && served_as != "identity") {
        if (served_as != coding) return make_error(errc::bad_value, path + " came as " + served_as + ", not asked for");
        listed += served_as == "br" ? ".br" : served_as == "gzip" ? ".gz" : "";
        if (listed == path) return make_error(errc::bad_value, path + " came in an encoding the release has no copy in");
      }
      const auto expected = manifest->files.find(listed);
      if (expected == manifest->files.end()) {
        return make_error(errc::hash_mismatch, listed + " is served but not part of the signed release");
      }
      if (proto::web_file_digest(answer->body) != expected->second) {
        return make_error(errc::hash_mismatch, path + (listed == path ? "" : " (" + served_as + ")") +
                                                   " differs from the signed release");
      }
      ++out.checked;
    }
  }
  return out;
}

}  // namespace shuttle::client
