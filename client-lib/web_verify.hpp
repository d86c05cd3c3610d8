// Checks what a relay serves for the browser client against the release's
// signed manifest (proto/SPEC.md 16.6): `shuttle verify-web`.
#pragma once

#include "client-lib/relay_connection.hpp"

#include "proto/web_manifest.hpp"

#include <string>

namespace shuttle::client {

struct web_verified {
  std::string version;     // the release the relay serves
  std::size_t checked = 0;  // answers compared: each file in each encoding a browser may get
};

// Fetches the manifest, checks it is signed by `release_key`, then fetches
// the page and every asset as a browser could receive it (plain, brotli,
// gzip) and compares each body's SHA-256 and its Content-Security-Policy
// with the manifest. The first difference is the error: bad_signature
// (another key or a broken signature), hash_mismatch (detail names the file
// and the encoding), bad_value (a CSP or an encoding the release did not
// sign), not_found (no manifest, or a listed file missing).
result<web_verified> verify_web(relay_connection& relay, const proto::public_key& release_key);

}  // namespace shuttle::client
