#include "server/config.hpp"

#include "proto/codec.hpp"
#include "proto/statements.hpp"

#include "server/store/postgres_store.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace shuttle::relay {

namespace po = boost::program_options;

namespace {

// Well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool is_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t cp = n == 1 ? c : c & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 0x2) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    const std::uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n;
  }
  return true;
}

// The service's consent texts: each `<language>.txt` of the directory, the
// language a tag of 2 to 8 lowercase letters (en, nb), the text UTF-8 of at
// most 32 KiB. A new text is a new version: a person agrees to its hash.
std::vector<consent_text> read_consent_texts(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) throw std::runtime_error("--consent-dir: " + dir.string() + " is not a directory");
  std::vector<consent_text> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".txt") continue;
    const std::string language = entry.path().stem().string();
    if (language.size() < 2 || language.size() > 8 ||
        !std::all_of(language.begin(), language.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; })) {
      throw std::runtime_error("--consent-dir: " + entry.path().filename().string() +
                               " should be named after its language, e.g. en.txt or nb.txt");
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string t = text.str();
    if (!in.is_open() || t.find_first_not_of(" \t\r\n") == std::string::npos || t.size() > 32 * 1024 || !is_utf8(t)) {
      throw std::runtime_error("--consent-dir: " + entry.path().string() +
                               " must hold the consent text, in UTF-8, at most 32 KiB");
    }
    out.push_back({language, t, proto::consent_text_hash(language, t)});
  }
  if (out.empty()) throw std::runtime_error("--consent-dir: " + dir.string() + " holds no <language>.txt file");
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.language < b.language; });
  return out;
}

}  // namespace

void split_listen_address(const std::string& text, std::string& address, unsigned short& port_out,
                          const std::string& option) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    throw std::runtime_error(option + " needs ADDRESS:PORT, e.g. 127.0.0.1:8443");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = text.substr(colon + 1);
  unsigned long value = 0;
  try {
    std::size_t used = 0;
    value = std::stoul(port, &used);
    if (used != port.size() || value > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    throw std::runtime_error(option + ": '" + port + "' is not a port number");
  }
  address = host;
  port_out = static_cast<unsigned short>(value);
}

void split_listen_address(const std::string& text, net::server_options& out) {
  split_listen_address(text, out.address, out.port, "--listen");
}

std::string config::database_words() const {
  if (database_url.empty()) return database().string();
  // postgresql://user:secret@host:port/db?options: scheme, host and database only.
  const auto scheme_end = database_url.find("://");
  std::string rest = scheme_end == std::string::npos ? database_url : database_url.substr(scheme_end + 3);
  if (const auto at = rest.rfind('@', rest.find('/')); at != std::string::npos) rest = rest.substr(at + 1);
  rest = rest.substr(0, rest.find('?'));
  return "PostgreSQL " + rest;
}

std::string command_config::words() const {
  return "configuration " + (file ? file->string() : std::string("none (the defaults and the flags)")) + "; store " +
         c.database_words();
}

bool running_installed() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return !ec && self.string().starts_with("/usr/");
}

std::string version_words(std::string_view program) {
  return std::string(program) + " " + SHUTTLE_VERSION + " (protocol: Shuttle protocol, version 1)";
}

std::optional<config> parse_serve_options(int argc, const char* const* argv, bool installed) {
  const po::options_description none;
  auto parsed = parse_command("shuttle-relay serve: run the relay", none, argc, argv, installed);
  if (!parsed) return std::nullopt;
  return parsed->c;
}

std::optional<command_config> parse_command(std::string_view what, const po::options_description& own,
                                            int argc, const char* const* argv, bool installed) {
  config c;
  std::string listen = "127.0.0.1:8443";
  std::string data_dir = c.data_dir.string();
  std::string certificate, key, port_file, config_file, metrics_listen, metrics_port_file, web_root, consent_dir;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  auto seconds_of = [](std::chrono::seconds s) { return static_cast<unsigned>(s.count()); };
  unsigned handshake = seconds_of(c.listen.handshake_timeout), idle = seconds_of(c.listen.idle_timeout);
  unsigned read = seconds_of(c.listen.read_timeout), write = seconds_of(c.listen.write_timeout);

  po::options_description general{std::string(what)};
  general.add_options()
      ("help,h", "show this help and exit")
      ("version", "show the version and exit")
      ("config", po::value(&config_file),
       "read options from this INI-style file (flags win over it); without it the installed relay reads "
       "/etc/shuttle/relay.conf when it is there");
  po::options_description relay("Relay options (also allowed in the config file)");
  relay.add_options()
      ("listen", po::value(&listen)->default_value(listen), "address and port to serve HTTPS on; port 0 picks a free one")
      ("data-dir", po::value(&data_dir)->default_value(data_dir),
       "directory for the database, the relay key and a self-signed certificate")
      ("database", po::value(&c.database_url),
       "postgresql://USER@HOST/DB to keep the relay's data in PostgreSQL, where several relays can share it "
       "(each with the same relay key; deploy/README.md); without it, relay.db in the data directory")
      ("tls-certificate", po::value(&certificate), "PEM certificate chain; without it a self-signed certificate for "
                                                   "localhost is made in the data directory")
      ("tls-key", po::value(&key), "PEM private key of --tls-certificate")
      ("threads", po::value(&c.listen.threads)->default_value(cores), "threads serving requests")
      ("max-connections", po::value(&c.listen.max_connections)->default_value(c.listen.max_connections),
       "open connections at most; more are refused")
      ("max-connections-per-address",
       po::value(&c.listen.max_connections_per_address)->default_value(c.listen.max_connections_per_address),
       "open connections one client address may hold (trusted proxies are exempt)")
      ("max-event-streams-per-account",
       po::value(&c.listen.max_event_streams_per_account)->default_value(c.listen.max_event_streams_per_account),
       "open event streams (/v1/events) one account may hold")
      ("trusted-proxy", po::value(&c.listen.trusted_proxies)->composing(),
       "the IP address of a reverse proxy in front of the relay; from it, X-Forwarded-For names the client for "
       "rate limits. Repeat for more. From any other peer the header is ignored")
      ("metrics-listen", po::value(&metrics_listen),
       "address and port to serve Prometheus /metrics on, in plain HTTP (keep it on loopback); without it "
       "/metrics is not served")
      ("metrics-port-file", po::value(&metrics_port_file), "write the metrics port to this file once listening")
      ("handshake-timeout-seconds", po::value(&handshake)->default_value(handshake),
       "a connection that has not finished its TLS handshake by then is closed")
      ("idle-timeout-seconds", po::value(&idle)->default_value(idle),
       "a connection whose next request's headers have not all arrived by then is closed")
      ("read-timeout-seconds", po::value(&read)->default_value(read),
       "a request whose body has not all arrived this long after its headers is dropped")
      ("write-timeout-seconds", po::value(&write)->default_value(write),
       "an answer the client has not taken by then is dropped with its connection")
      ("session-idle-seconds", po::value(&c.service.session_idle_seconds)->default_value(c.service.session_idle_seconds),
       "a session ends after this long without a request")
      ("session-lifetime-seconds",
       po::value(&c.service.session_lifetime_seconds)->default_value(c.service.session_lifetime_seconds),
       "a session ends this long after login, whatever happens")
      ("claim-seconds", po::value(&c.service.claim_seconds)->default_value(c.service.claim_seconds),
       "a facilitator's claim on a letter under review lapses after this long")
      ("address-burst", po::value(&c.address_burst)->default_value(c.address_burst),
       "enrolments, invitation look-ups and logins one address may make at once")
      ("address-per-minute", po::value(&c.address_per_minute)->default_value(c.address_per_minute),
       "... and then per minute")
      ("account-write-burst", po::value(&c.account_write_burst)->default_value(c.account_write_burst),
       "changes one account may make at once")
      ("account-writes-per-minute", po::value(&c.account_writes_per_minute)->default_value(c.account_writes_per_minute),
       "... and then per minute")
      ("service-name", po::value(&c.service.name),
       "the service's name, shown to people in the browser client beside the relay's key (1 to 64 bytes of UTF-8, "
       "e.g. \"Restorative Justice Service Oslo\")")
      ("consent-dir", po::value(&consent_dir),
       "a directory of the service's consent text, one file per language (en.txt, nb.txt): each party and "
       "supporter reads it and agrees to it before enrolling; a changed file is a new version")
      ("web-root", po::value(&web_root),
       "the built browser client to serve at / (index.html and assets/; the package installs it at "
       "/usr/share/shuttle/web); without it the relay serves the API only")
      ("allowed-origin", po::value(&c.allowed_origins)->composing(),
       "a web origin (https://host[:port]) whose pages may open the event stream; repeat for more. Requests "
       "without an Origin header (the shuttle CLI) are not affected; by default no web page may")
      ("storage-reserve-mib", po::value(&c.storage_reserve_mib)->default_value(c.storage_reserve_mib),
       "free space (MiB) kept on the database's file system for essential writes: below it new letters and "
       "other ordinary writes are refused, while revoking, withdrawing, logging in and out still work")
      ("log-level", po::value(&c.log_level)->default_value(c.log_level), "trace, debug, info, warn or error")
      ("port-file", po::value(&port_file), "write the port listened on to this file once listening (for scripts)");

  po::options_description all;
  all.add(general);
  if (!own.options().empty()) all.add(own);
  all.add(relay);
  po::variables_map vm;
  std::optional<std::filesystem::path> file;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).run(), vm);
    // Help and the version before anything is required or read.
    if (vm.count("help")) {
      std::cout << all << "\n";
      return std::nullopt;
    }
    if (vm.count("version")) {
      std::cout << version_words("shuttle-relay") << "\n";
      return std::nullopt;
    }
    if (vm.count("config")) {
      file = vm["config"].as<std::string>();
    } else if (installed && std::filesystem::exists(installed_config_file)) {
      file = installed_config_file;
    }
    if (file) {
      std::ifstream in(*file);
      if (!in) throw std::runtime_error("cannot read the configuration file " + file->string());
      po::store(po::parse_config_file(in, relay), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    const std::string command(what.substr(0, what.find(':')));
    throw std::runtime_error(std::string(e.what()) + " (see " + command + " --help)");
  }
  split_listen_address(listen, c.listen);
  c.data_dir = data_dir;
  if (!c.database_url.empty() && !postgres_store::names_postgres(c.database_url)) {
    throw std::runtime_error("--database takes a postgresql:// address; the SQLite file is always relay.db in --data-dir");
  }
  if (!certificate.empty()) c.tls_certificate = certificate;
  if (!key.empty()) c.tls_key = key;
  if (c.tls_certificate.has_value() != c.tls_key.has_value()) {
    throw std::runtime_error("--tls-certificate and --tls-key go together");
  }
  if (!port_file.empty()) c.port_file = port_file;
  if (!c.service.name.empty() && !proto::is_display_name(c.service.name)) {
    throw std::runtime_error("--service-name takes 1 to 64 bytes of UTF-8 without control characters");
  }
  c.web_root = web_root;
  if (!consent_dir.empty()) c.service.consent_texts = read_consent_texts(consent_dir);
  if (!metrics_listen.empty()) {
    split_listen_address(metrics_listen, c.listen.metrics_address, c.listen.metrics_port, "--metrics-listen");
  }
  if (!metrics_port_file.empty()) c.metrics_port_file = metrics_port_file;
  for (auto& proxy : c.listen.trusted_proxies) {
    boost::system::error_code ec;
    const auto a = boost::asio::ip::make_address(proxy, ec);
    if (ec) throw std::runtime_error("--trusted-proxy: '" + proxy + "' is not an IP address");
    proxy = a.to_string();
  }
  if (c.listen.max_connections_per_address == 0 || c.listen.max_event_streams_per_account == 0) {
    throw std::runtime_error("the per-address and per-account caps must be > 0");
  }
  if (c.listen.threads == 0 || c.listen.max_connections == 0) throw std::runtime_error("threads and connections must be > 0");
  if (handshake == 0 || idle == 0 || read == 0 || write == 0) throw std::runtime_error("every timeout must be > 0 seconds");
  c.listen.handshake_timeout = std::chrono::seconds(handshake);
  c.listen.idle_timeout = std::chrono::seconds(idle);
  c.listen.read_timeout = std::chrono::seconds(read);
  c.listen.write_timeout = std::chrono::seconds(write);
  return command_config{c, file};
}

}  // namespace shuttle::relay
