#include "server/net/tls.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace shuttle::relay::net {

namespace {

template <class T, void (*Free)(T*)>
struct freer {
  void operator()(T* p) const { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, freer<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, freer<X509, X509_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, freer<X509_EXTENSION, X509_EXTENSION_free>>;

[[noreturn]] void openssl_failed(const std::string& what) {
  char buf[256] = {0};
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  throw std::runtime_error(what + ": " + buf);
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ext_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) openssl_failed("cannot add a certificate extension");
}

std::FILE* open_private(const std::filesystem::path& p, mode_t mode) {
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) throw std::runtime_error("cannot write " + p.string());
  std::FILE* f = ::fdopen(fd, "w");
  if (!f) {
    ::close(fd);
    throw std::runtime_error("cannot write " + p.string());
  }
  return f;
}

x509_ptr read_certificate(const std::filesystem::path& p) {
  std::FILE* f = std::fopen(p.c_str(), "r");
  if (!f) throw std::runtime_error("cannot read the certificate " + p.string());
  x509_ptr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (!cert) openssl_failed("cannot parse the certificate " + p.string());
  return cert;
}

}  // namespace

void ensure_self_signed(const certificate_files& files) {
  if (std::filesystem::exists(files.certificate) && std::filesystem::exists(files.private_key)) return;
  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key) openssl_failed("cannot make a P-256 key");
  x509_ptr cert(X509_new());
  if (!cert) openssl_failed("cannot make a certificate");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  std::unique_ptr<BIGNUM, freer<BIGNUM, BN_free>> bn(BN_bin2bn(serial, sizeof serial, nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Shuttle relay"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) openssl_failed("cannot sign the certificate");

  std::FILE* kf = open_private(files.private_key, 0600);
  const bool key_ok = PEM_write_PrivateKey(kf, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(kf);
  std::FILE* cf = open_private(files.certificate, 0644);
  const bool cert_ok = PEM_write_X509(cf, cert.get()) == 1;
  std::fclose(cf);
  if (!key_ok || !cert_ok) throw std::runtime_error("cannot write the self-signed certificate");
}

boost::asio::ssl::context make_server_context(const certificate_files& files) {
  namespace ssl = boost::asio::ssl;
  ssl::context ctx(ssl::context::tls_server);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                  ssl::context::single_dh_use);
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // TLS 1.2: forward secrecy and AEAD only. TLS 1.3 suites are all of that already.
  if (SSL_CTX_set_cipher_list(native,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1) {
    openssl_failed("cannot set the cipher suites");
  }
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  // Key exchange with X25519 or P-256 only. OpenSSL would also agree to the
  // finite-field groups (ffdhe2048 to ffdhe8192), and an ffdhe8192 handshake
  // costs about 130 times the CPU of X25519 on the threads that serve
  // requests: a client offering only those is refused.
  if (SSL_CTX_set1_groups_list(native, "X25519:P-256") != 1) openssl_failed("cannot set the key exchange groups");
  // Idle connections keep no read and write buffers.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // No resumption: clients keep their connections open, and a session
  // ticket (or a cached session) would outlive the connection's keys.
  // Every connection makes fresh ones, and keeps no ticket state.
  SSL_CTX_set_num_tickets(native, 0);
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  try {
    ctx.use_certificate_chain_file(files.certificate.string());
    ctx.use_private_key_file(files.private_key.string(), ssl::context::pem);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot load the TLS certificate or key: " + std::string(e.what()));
  }
  return ctx;
}

proto::hash certificate_sha256(const std::filesystem::path& certificate) {
  auto cert = read_certificate(certificate);
  proto::hash out{};
  unsigned int n = 0;
  if (!X509_digest(cert.get(), EVP_sha256(), out.data(), &n) || n != out.size()) {
    openssl_failed("cannot hash the certificate");
  }
  return out;
}

std::string colon_hex(bytes_view b) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i) out += ':';
    out += digits[b[i] >> 4];
    out += digits[b[i] & 15];
  }
  return out;
}

}  // namespace shuttle::relay::net
