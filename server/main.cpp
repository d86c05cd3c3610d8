// shuttle-relay: the relay and its operator commands.
//
//   shuttle-relay serve [--listen 127.0.0.1:8443] [--data-dir DIR] ...
//   shuttle-relay admin invite-facilitator [--data-dir DIR] [--relay HOST:PORT]
//
// Each subcommand has --help.
#include "server/api/router.hpp"
#include "server/config.hpp"
#include "server/domain/relay_service.hpp"
#include "server/metrics.hpp"
#include "server/net/server.hpp"
#include "server/net/tls.hpp"
#include "server/relay_identity.hpp"
#include "server/store/sqlite_store.hpp"
#include "proto/base64.hpp"

#include <boost/program_options.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

using namespace shuttle;
using namespace shuttle::relay;
namespace po = boost::program_options;

std::uint64_t unix_now() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
}

void prepare_data_dir(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
}

int serve(int argc, const char* const* argv) {
  auto parsed = parse_serve_options(argc, argv);
  if (!parsed) return 0;
  const config& c = *parsed;
  spdlog::set_level(spdlog::level::from_str(c.log_level));

  prepare_data_dir(c.data_dir);
  const net::certificate_files files{c.certificate(), c.private_key()};
  if (c.self_signed()) net::ensure_self_signed(files);
  auto tls = net::make_server_context(files);
  const auto identity = relay_identity::load_or_create(c.relay_key());
  sqlite_store store(c.database(), c.listen.threads + 1);
  relay_service service(store, identity, unix_now, c.service);
  metrics counters;
  counters.set_queue_depth_source([&store] { return store.queue_depth(); });
  api::router router(service, counters, static_cast<std::size_t>(c.address_burst), c.address_per_minute,
                     static_cast<std::size_t>(c.account_write_burst), c.account_writes_per_minute);
  net::server server(c.listen, tls, router, counters);
  const unsigned short port = server.listen();

  const std::string host = c.listen.address.find(':') != std::string::npos ? "[" + c.listen.address + "]" : c.listen.address;
  std::cout << "Shuttle relay listening on https://" << host << ":" << port << "\n"
            << "  database:     " << c.database().string() << " (schema " << store.schema_version() << ")\n"
            << "  relay key:    " << proto::base64url_encode(identity.public_key()) << "\n";
  if (c.self_signed()) {
    const auto pin = net::certificate_sha256(files.certificate);
    std::cout << "  certificate:  self-signed for localhost, " << files.certificate.string() << "\n"
              << "  SHA-256:      " << net::colon_hex(pin) << "\n"
              << "  pin:          " << proto::base64url_encode(pin) << "\n";
  } else {
    std::cout << "  certificate:  " << files.certificate.string() << "\n";
  }
  std::cout << "Stop with Ctrl-C; requests in flight are finished first." << std::endl;
  if (c.port_file) {
    const auto tmp = c.port_file->string() + ".tmp";
    std::ofstream(tmp) << port << "\n";
    std::filesystem::rename(tmp, *c.port_file);
  }

  server.run();
  store.stop();
  spdlog::info("stopped; the database is closed");
  return 0;
}

int invite_facilitator(int argc, const char* const* argv) {
  std::string data_dir = "shuttle-data";
  std::string relay = "127.0.0.1:8443";
  std::string certificate;
  unsigned hours = 72;
  po::options_description opts("shuttle-relay admin invite-facilitator: print an invitation for a new facilitator");
  opts.add_options()
      ("help,h", "show this help and exit")
      ("data-dir", po::value(&data_dir)->default_value(data_dir), "the relay's data directory")
      ("relay", po::value(&relay)->default_value(relay), "the relay's address as the facilitator will reach it")
      ("tls-certificate", po::value(&certificate), "the relay's certificate when it is not the self-signed one "
                                                   "(then no pin goes into the code)")
      ("lifetime-hours", po::value(&hours)->default_value(hours), "how long the invitation stays valid");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "shuttle-relay: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (hours == 0 || hours > 30 * 24) {
    std::cerr << "shuttle-relay: --lifetime-hours must be between 1 and 720\n";
    return 2;
  }
  config c;
  c.data_dir = data_dir;
  prepare_data_dir(c.data_dir);
  std::optional<proto::hash> pin;
  if (certificate.empty()) {
    net::ensure_self_signed({c.certificate(), c.private_key()});
    pin = net::certificate_sha256(c.certificate());
  }
  const auto identity = relay_identity::load_or_create(c.relay_key());
  sqlite_store store(c.database(), 1);
  relay_service service(store, identity, unix_now);
  auto code = service.invite_facilitator(relay, pin, std::uint64_t{hours} * 3600);
  store.stop();
  if (!code) {
    std::cerr << "shuttle-relay: " << code.error().message() << "\n";
    return 1;
  }
  std::cout << *code << "\n";
  std::cerr << "Give this code to the new facilitator in person or by another channel you trust. "
               "It works once, for " << hours << " hours.\n";
  return 0;
}

void usage(std::ostream& out) {
  out << "usage: shuttle-relay serve [options]                  run the relay\n"
         "       shuttle-relay admin invite-facilitator [options] print an invitation for a new facilitator\n"
         "Each command has --help.\n";
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("relay"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  try {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "serve") return serve(argc - 1, argv + 1);
    if (command == "admin" && argc > 2 && std::string(argv[2]) == "invite-facilitator") {
      return invite_facilitator(argc - 2, argv + 2);
    }
    if (command == "--help" || command == "-h" || command == "help") {
      usage(std::cout);
      return 0;
    }
    usage(std::cerr);
    return 2;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
