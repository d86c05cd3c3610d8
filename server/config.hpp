// The relay's configuration: command-line flags and an INI-style file
// (Boost.program_options). Every shuttle-relay command reads the same one:
// --config FILE, else the installed /etc/shuttle/relay.conf when this is
// the installed binary and the file is there, else the defaults. A flag
// wins over the file. `shuttle-relay serve --help` lists every option;
// deploy/shuttle-relay.conf is the installed file.
#pragma once

#include "server/domain/relay_service.hpp"
#include "server/net/server.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace boost::program_options {
class options_description;
}

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

// A command's configuration, and where it came from.
struct command_config {
  config c;
  std::optional<std::filesystem::path> file;  // the configuration file read, if any
  // "configuration /etc/shuttle/relay.conf; store PostgreSQL db.example/shuttle" (never a password).
  std::string words() const;
};

// The configuration the installed relay reads when given no --config.
inline const std::filesystem::path installed_config_file = "/etc/shuttle/relay.conf";

// Parses a command's options: the relay's (from the file and the flags)
// and the command's `own` (flags only). `what` heads --help ("shuttle-relay
// purge: remove ..."). Prints and returns nothing for --help and --version;
// throws std::runtime_error with a calm message for a bad option or file.
// `installed`: whether this binary is the installed one (then
// installed_config_file is read when there is no --config).
std::optional<command_config> parse_command(std::string_view what, const boost::program_options::options_description& own,
                                            int argc, const char* const* argv, bool installed);

// Parses `serve` options, as parse_command with no options of its own.
std::optional<config> parse_serve_options(int argc, const char* const* argv, bool installed = false);

// Whether the running binary is the installed one (under /usr).
bool running_installed();

// "shuttle-relay 0.1.0 (protocol: Shuttle protocol, version 1)".
std::string version_words(std::string_view program);

// "127.0.0.1:8443", "[::1]:8443" -> address and port.
void split_listen_address(const std::string& text, net::server_options& out);

}  // namespace shuttle::relay
