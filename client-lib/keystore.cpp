#include "client-lib/keystore.hpp"

#include "proto/base64.hpp"
#include "proto/json_fields.hpp"
#include "proto/limits.hpp"
#include "proto/strict_json.hpp"
#include "proto/transcript.hpp"

#include <boost/json/serialize.hpp>
#include <sodium.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace shuttle::client {

namespace json = boost::json;

namespace {

constexpr std::uint64_t max_opslimit = 16;
constexpr std::uint64_t max_memlimit = 2ull * 1024 * 1024 * 1024;
constexpr std::string_view payload_domain = "shuttle/v1/keystore-payload";

bytes file_ad(const keystore_file& f) {
  proto::transcript t("shuttle/v1/keystore");
  t.add_u64(f.opslimit).add_u64(f.memlimit).add(f.salt).add(f.nonce);
  return t.data();
}

secret_bytes derive(std::string_view passphrase, const keystore_file& f) {
  secret_bytes key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), f.salt.data(), f.opslimit,
                    static_cast<std::size_t>(f.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::bad_alloc();  // the only failure left once limits are checked
  }
  return key;
}

}  // namespace

kdf_limits kdf_limits::moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

kdf_limits kdf_limits::phone() { return {6, 64ull * 1024 * 1024}; }

bool kdf_limits::allowed() const {
  const kdf_limits floor = phone();
  return opslimit >= 3 && opslimit <= max_opslimit && memlimit >= floor.memlimit && memlimit <= max_memlimit &&
         opslimit * memlimit >= floor.opslimit * floor.memlimit;
}

result<keystore_file> parse_keystore_file(std::string_view text) {
  auto value = proto::parse_strict_json(text, proto::max_keystore_file_bytes);
  if (!value) return make_error(errc::keystore_corrupt, "not a keystore file");
  keystore_file f;
  proto::object_reader r(*value, "");
  const json::value* v = r.find("v");
  const json::value* type = r.find("type");
  const json::value* kdf = r.find("kdf");
  if (!v || !v->is_int64() || v->get_int64() != 1 || !type || !type->is_string() ||
      type->get_string() != "keystore" || !kdf || !kdf->is_string() || kdf->get_string() != "argon2id13") {
    return make_error(errc::keystore_corrupt, "not a keystore file of version 1");
  }
  r("opslimit", f.opslimit)("memlimit", f.memlimit)("salt", f.salt)("nonce", f.nonce);
  if (const json::value* box = r.find("box")) {
    if (auto ok = proto::read_bytes(*box, f.box, crypto_aead_xchacha20poly1305_ietf_ABYTES,
                                    proto::max_keystore_file_bytes, "box");
        !ok) {
      r.fail(ok.error());
    }
  } else {
    r.fail(make_error(errc::missing_field, "box"));
  }
  if (auto done = r.finish(); !done) return make_error(errc::keystore_corrupt, done.error().message());
  if (!kdf_limits{f.opslimit, f.memlimit}.allowed()) {
    return make_error(errc::keystore_corrupt, "limits outside what SPEC 11 allows");
  }
  return f;
}

keystore keystore::create() {
  keystore k;
  k.identity_ = identity_key::generate();
  return k;
}

const case_key& keystore::case_key_for(const proto::id& case_id) {
  auto it = case_keys_.find(case_id);
  if (it == case_keys_.end()) it = case_keys_.emplace(case_id, case_key::generate()).first;
  return it->second;
}

const case_key* keystore::find_case_key(const proto::id& case_id) const {
  auto it = case_keys_.find(case_id);
  return it == case_keys_.end() ? nullptr : &it->second;
}

void keystore::forget_case(const proto::id& case_id) { case_keys_.erase(case_id); }

std::string keystore::seal(std::string_view passphrase, kdf_limits limits) const {
  keystore_file f;
  f.opslimit = limits.opslimit;
  f.memlimit = limits.memlimit;
  randombytes_buf(f.salt.data(), f.salt.size());
  randombytes_buf(f.nonce.data(), f.nonce.size());

  // The payload is framed into protected memory: it holds every private key.
  std::size_t size = 4 + payload_domain.size() + 4 + 32 + 4 + 8 + case_keys_.size() * (4 + 16 + 4 + 32);
  secret_bytes payload(size);
  std::size_t at = 0;
  auto put = [&](bytes_view field) {
    const auto n = static_cast<std::uint32_t>(field.size());
    const fixed<4> len{static_cast<byte>(n >> 24), static_cast<byte>(n >> 16), static_cast<byte>(n >> 8),
                       static_cast<byte>(n)};
    std::memcpy(payload.data() + at, len.data(), 4);
    std::memcpy(payload.data() + at + 4, field.data(), field.size());
    at += 4 + field.size();
  };
  put(as_bytes(payload_domain));
  put(identity_.seed());
  fixed<8> count{};
  for (std::size_t i = 0; i < 8; ++i) count[i] = static_cast<byte>(std::uint64_t{case_keys_.size()} >> (56 - 8 * i));
  put(count);
  for (const auto& [case_id, key] : case_keys_) {
    put(case_id);
    put(key.secret());
  }

  const secret_bytes key = derive(passphrase, f);
  const bytes ad = file_ad(f);
  f.box.resize(payload.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long box_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(f.box.data(), &box_len, payload.data(), payload.size(), ad.data(),
                                             ad.size(), nullptr, f.nonce.data(), key.data());

  json::object o;
  o["v"] = 1;
  o["type"] = "keystore";
  o["kdf"] = "argon2id13";
  proto::object_writer w(o);
  w("opslimit", f.opslimit)("memlimit", f.memlimit)("salt", f.salt)("nonce", f.nonce);
  o["box"] = proto::base64url_encode(f.box);
  return json::serialize(o) + "\n";
}

result<keystore> keystore::open(std::string_view file_text, std::string_view passphrase) {
  auto f = parse_keystore_file(file_text);
  if (!f) return f.error();
  const secret_bytes key = derive(passphrase, *f);
  const bytes ad = file_ad(*f);
  secret_bytes payload(f->box.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(payload.data(), &len, nullptr, f->box.data(), f->box.size(),
                                                 ad.data(), ad.size(), f->nonce.data(), key.data()) != 0) {
    return make_error(errc::wrong_passphrase, "the passphrase does not open this keystore");
  }
  return read_payload(payload.view());
}

result<keystore> keystore::read_payload(bytes_view payload) {
  const auto damaged = make_error(errc::keystore_corrupt, "the keystore's contents are malformed");
  proto::frame_reader r(payload);
  auto domain = r.next();
  auto seed = r.next_exact(32);
  auto count = r.next_u64();
  if (!domain || as_chars(*domain) != payload_domain || !seed || !count || *count > 100'000) return damaged;
  keystore k;
  k.identity_ = identity_key::from_seed(*seed);
  for (std::uint64_t i = 0; i < *count; ++i) {
    auto case_id = r.next_exact(proto::id_bytes);
    auto secret = r.next_exact(32);
    if (!case_id || !secret) return damaged;
    proto::id cid{};
    std::copy(case_id->begin(), case_id->end(), cid.begin());
    k.case_keys_.emplace(cid, case_key::from_secret(*secret));
  }
  if (!r.at_end()) return damaged;
  return k;
}

result<void> keystore::save(const std::filesystem::path& path, std::string_view passphrase, kdf_limits limits) const {
  const std::string text = seal(passphrase, limits);
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return make_error(errc::invalid_argument, "cannot write " + tmp.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return make_error(errc::invalid_argument, "cannot write " + tmp.string() + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return make_error(errc::invalid_argument, "cannot save the keystore at " + path.string());
  }
  return {};
}

result<keystore> keystore::load(const std::filesystem::path& path, std::string_view passphrase) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return make_error(errc::invalid_argument, "cannot read " + path.string() + ": " + std::strerror(errno));
  std::string text;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, file)) > 0 && text.size() <= proto::max_keystore_file_bytes) {
    text.append(buf, n);
  }
  std::fclose(file);
  return open(text, passphrase);
}

}  // namespace shuttle::client
