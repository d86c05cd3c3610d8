#include "client-lib/referral.hpp"

#include "client-lib/document.hpp"
#include "proto/base64.hpp"

#include <sodium.h>

namespace shuttle::client {

namespace json = boost::json;

namespace {
constexpr std::size_t nonce_bytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t content_key_bytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
}  // namespace

case_key referral_key_of(const identity_key& identity) {
  secret_bytes secret(crypto_box_SECRETKEYBYTES);
  crypto_kdf_derive_from_key(secret.data(), secret.size(), 1, "referral", identity.seed().data());
  return case_key::from_secret(secret.view());
}

sealed_referral seal_referral(const proto::referral_document& d, const std::vector<proto::public_key>& keys) {
  sealed_referral s;
  s.code.referral = proto::random_id();
  randombytes_buf(s.code.secret.data(), s.code.secret.size());
  secret_bytes key(content_key_bytes);
  crypto_aead_xchacha20poly1305_ietf_keygen(key.data());
  const std::string body = proto::referral_body(d);
  const bytes padded = pad(as_bytes(body));
  const bytes ad = proto::referral_associated_data(s.code.referral);
  s.ciphertext.resize(nonce_bytes + padded.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  randombytes_buf(s.ciphertext.data(), nonce_bytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(s.ciphertext.data() + nonce_bytes, &written, padded.data(), padded.size(),
                                             ad.data(), ad.size(), nullptr, s.ciphertext.data(), key.data());
  bytes plain(key.view().begin(), key.view().end());
  plain.insert(plain.end(), s.code.referral.begin(), s.code.referral.end());
  for (const auto& reader : keys) {
    bytes box(crypto_box_SEALBYTES + plain.size());
    crypto_box_seal(box.data(), plain.data(), plain.size(), reader.data());
    s.wraps.emplace_back(reader, std::move(box));
  }
  sodium_memzero(plain.data(), plain.size());
  return s;
}

result<proto::referral_document> open_referral(const proto::id& referral, bytes_view ciphertext, bytes_view wrap,
                                               const case_key& key) {
  const auto mismatch = make_error(errc::wrap_mismatch, "this referral does not open with your key");
  if (wrap.size() != crypto_box_SEALBYTES + content_key_bytes + referral.size()) return mismatch;
  secret_bytes plain(content_key_bytes + referral.size());
  if (crypto_box_seal_open(plain.data(), wrap.data(), wrap.size(), key.public_key().data(), key.secret().data()) != 0) {
    return mismatch;
  }
  if (!std::equal(referral.begin(), referral.end(), plain.data() + content_key_bytes)) return mismatch;
  if (ciphertext.size() < nonce_bytes + crypto_aead_xchacha20poly1305_ietf_ABYTES) return mismatch;
  const bytes ad = proto::referral_associated_data(referral);
  bytes padded(ciphertext.size() - nonce_bytes - crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long got = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(padded.data(), &got, nullptr, ciphertext.data() + nonce_bytes,
                                                 ciphertext.size() - nonce_bytes, ad.data(), ad.size(),
                                                 ciphertext.data(), plain.data()) != 0) {
    return mismatch;
  }
  auto body = unpad(padded);
  if (!body) return body.error();
  return proto::parse_referral_body(as_chars(*body));
}

json::object referral_request(const sealed_referral& s) {
  json::array wraps;
  for (const auto& [reader, box] : s.wraps) {
    wraps.push_back(json::object{{"reader", proto::base64url_encode(reader)}, {"wrap", proto::base64url_encode(box)}});
  }
  return json::object{{"referral", proto::base64url_encode(s.code.referral)},
                      {"secret_hash", proto::base64url_encode(proto::referral_secret_hash(s.code.secret))},
                      {"ciphertext", proto::base64url_encode(s.ciphertext)},
                      {"wraps", std::move(wraps)}};
}

}  // namespace shuttle::client
