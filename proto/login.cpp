#include "proto/login.hpp"

#include "proto/transcript.hpp"

#include <sodium.h>

namespace shuttle::proto {

bytes login_transcript(const login_challenge& challenge, const public_key& identity, const public_key& relay_key) {
  transcript t("shuttle/v1/login");
  t.add(challenge).add(identity).add(relay_key);
  return t.data();
}

result<void> verify_login(const login_challenge& challenge, const public_key& identity, const public_key& relay_key,
                          const signature& sig) {
  const bytes t = login_transcript(challenge, identity, relay_key);
  if (crypto_sign_verify_detached(sig.data(), t.data(), t.size(), identity.data()) != 0) {
    return make_error(errc::bad_signature, "login");
  }
  return {};
}

}  // namespace shuttle::proto
