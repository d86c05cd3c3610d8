// TLS for the relay: TLS 1.2 and 1.3 only, forward-secret AEAD suites, and
// on the embedded default a self-signed ECDSA P-256 certificate for
// localhost made on first start (an RSA handshake costs several times more).
#pragma once

#include "proto/statements.hpp"

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <string>

namespace shuttle::relay::net {

struct certificate_files {
  std::filesystem::path certificate;  // PEM chain
  std::filesystem::path private_key;  // PEM
};

// Makes a self-signed certificate for localhost (and 127.0.0.1, ::1) valid
// for 825 days, unless both files already exist. Throws std::runtime_error.
void ensure_self_signed(const certificate_files& files);

// The server context for these files. Throws std::runtime_error.
boost::asio::ssl::context make_server_context(const certificate_files& files);

// SHA-256 of the certificate's DER: what clients pin for a self-signed relay.
proto::hash certificate_sha256(const std::filesystem::path& certificate);
// "AB:CD:..." for people.
std::string colon_hex(bytes_view b);

}  // namespace shuttle::relay::net
