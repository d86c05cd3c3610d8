// The relay's configuration: command-line flags and an INI-style file
// (Boost.program_options). Flags win over the file. `shuttle-relay serve
// --help` lists every option; deploy/ will hold an example file.
#pragma once

#include "server/domain/relay_service.hpp"
#include "server/net/server.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace shuttle::relay {

struct config {
  net::server_options listen;
  std::filesystem::path data_dir = "shuttle-data";
  std::optional<std::filesystem::path> tls_certificate;
  std::optional<std::filesystem::path> tls_key;
  std::optional<std::filesystem::path> port_file;
  std::optional<std::filesystem::path> metrics_port_file;
  std::string log_level = "info";
  std::vector<std::string> allowed_origins;  // web pages that may open /v1/events
  std::filesystem::path web_root;            // the browser client to serve (empty: none)
  service_options service;
  std::uint64_t storage_reserve_mib = default_storage_reserve_bytes / (1024 * 1024);
  double address_burst = 20;
  double address_per_minute = 20;
  double account_write_burst = 60;
  double account_writes_per_minute = 120;

  // postgresql://... for a database several relays share; empty: the SQLite
  // file relay.db in the data directory.
  std::string database_url;

  std::filesystem::path database() const { return data_dir / "relay.db"; }
  // Where the data is, for people and logs: never a password.
  std::string database_words() const;
  std::filesystem::path relay_key() const { return data_dir / "relay-identity.key"; }
  bool self_signed() const { return !tls_certificate; }
  std::filesystem::path certificate() const { return tls_certificate.value_or(data_dir / "tls-certificate.pem"); }
  std::filesystem::path private_key() const { return tls_key.value_or(data_dir / "tls-key.pem"); }
};

// Parses `serve` options. Prints help and returns nothing for --help; throws
// std::runtime_error with a calm message for a bad option or file.
std::optional<config> parse_serve_options(int argc, const char* const* argv);

// "127.0.0.1:8443", "[::1]:8443" -> address and port.
void split_listen_address(const std::string& text, net::server_options& out);

}  // namespace shuttle::relay
