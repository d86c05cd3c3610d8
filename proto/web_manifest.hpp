// The browser client's signed asset manifest (proto/SPEC.md 16.6): every file
// the relay serves for the page, by path and SHA-256, with the exact Content
// Security Policy, signed at packaging time by a release key that never sits
// on the relay. `shuttle verify-web` checks what a relay serves against it.
#pragma once

#include "proto/error.hpp"
#include "proto/statements.hpp"

#include <map>
#include <string>
#include <string_view>

namespace shuttle::proto {

struct web_manifest {
  std::string version;                  // the release, printable ASCII, at most 64 characters
  std::string csp;                      // the Content-Security-Policy every file goes out with
  std::map<std::string, hash> files;    // "/" (index.html) and "/assets/NAME" → SHA-256
  public_key key{};                     // the release key that signed it
  signature sig{};
};

// The Content-Security-Policy the relay sends with the page and every asset
// (SPEC 16.5), fixed so a verifier can compare it to the signed one.
inline constexpr std::string_view web_csp =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self' blob:; "
    "style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'; trusted-types shuttle-worker";

// Where a relay serves the manifest, when its installation has one.
inline constexpr std::string_view web_manifest_route = "/.well-known/shuttle/web-manifest.json";

inline constexpr std::size_t max_web_manifest_bytes = 256 * 1024;
inline constexpr std::size_t max_web_manifest_files = 512;

// ("shuttle/v1/web-manifest", version, csp, file count, then per file in
// byte order of its path: path, digest). std::map keeps that order.
bytes web_manifest_transcript(const web_manifest& m);

// The digest a manifest lists for a body: its SHA-256.
hash web_file_digest(std::string_view body);

// Strict parse of the served file; checks the paths, the sizes and the
// signature by the key the file names (whether that key is the trusted one is
// the caller's check). Errors as the proto parsers give them.
result<web_manifest> parse_web_manifest(std::string_view text);
std::string to_json(const web_manifest& m);

// Whether `path` may appear in a manifest: "/" or "/assets/" and a name of
// [A-Za-z0-9._-] not starting with '.', at most 128 characters.
bool web_manifest_path(std::string_view path);

}  // namespace shuttle::proto
