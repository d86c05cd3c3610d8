// shuttle-relay: the relay and its operator commands.
//
//   shuttle-relay serve [--config FILE] [--listen 127.0.0.1:8443] [--data-dir DIR] ...
//   shuttle-relay admin invite-facilitator [--config FILE] [--relay HOST:PORT]
//   shuttle-relay purge [--config FILE] [--retention-days N]
//   shuttle-relay backup [--config FILE] --to BACKUP_DIR
//   shuttle-relay restore [--config FILE] --from BACKUP_DIR
//   shuttle-relay audit verify [--config FILE]
//   shuttle-relay migrate [--config FILE] --to postgresql://...
//
// Every command reads the same configuration (server/config.hpp) and takes
// every relay option as a flag too; each has --help and --version.
#include "server/api/router.hpp"
#include "server/config.hpp"
#include "server/domain/relay_service.hpp"
#include "server/metrics.hpp"
#include "server/net/server.hpp"
#include "server/net/tls.hpp"
#include "server/relay_identity.hpp"
#include "server/store/copy_to_postgres.hpp"
#include "server/store/postgres_store.hpp"
#include "server/store/postgres_tools.hpp"
#include "server/store/sqlite_store.hpp"
#include "proto/base64.hpp"


#include <boost/program_options.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

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

// The relay's own clockwork while it serves: releases approved letters whose
// release time has come (every second) and signs a checkpoint of every audit
// chain that grew (every minute, and once more when stopping).
class maintenance {
 public:
  explicit maintenance(relay_service& service) : service_(service), thread_([this] { run(); }) {}
  ~maintenance() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    service_.checkpoint_chains();
  }

 private:
  void run() {
    // Heads a failure left unsigned before the last stop are signed first.
    auto next_checkpoint = std::chrono::steady_clock::now();
    try {
      service_.find_unsigned_chains();
    } catch (const std::exception& e) {
      spdlog::error("cannot look for unsigned audit chains: {}", e.what());
    }
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
      lock.unlock();
      try {
        service_.release_due();
        if (std::chrono::steady_clock::now() >= next_checkpoint) {
          // A failed checkpoint (a full disk) is tried again soon, not in a minute.
          const bool signed_all = service_.checkpoint_chains();
          next_checkpoint = std::chrono::steady_clock::now() + (signed_all ? checkpoint_interval : checkpoint_retry);
        }
      } catch (const std::exception& e) {
        spdlog::error("maintenance failed: {}", e.what());
      }
      lock.lock();
    }
  }

  relay_service& service_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

// The relay's storage: PostgreSQL when the configuration names it, the
// SQLite file of the data directory otherwise.
std::unique_ptr<storage> open_store(const config& c, std::size_t readers) {
  if (!c.database_url.empty()) {
    if (!postgres_store::names_postgres(c.database_url)) {
      throw std::runtime_error("--database takes a postgresql:// address");
    }
    // One writer: it takes every write queued while its last group ran into
    // the next group. Writes run one transaction at a time across relays
    // anyway (the write lock); more writers only split the groups (short
    // runs here: 870 submits/s with one, 488/s with four).
    return std::make_unique<postgres_store>(c.database_url, readers, 1);
  }
  return std::make_unique<sqlite_store>(c.database(), readers);
}

// The configured relay an operator command works on, which must be there:
// only `serve` makes a data directory, a relay key or a certificate.
void require_relay(const config& c) {
  const auto where = c.data_dir.string();
  const std::string point = " Name the relay's configuration with --config, or its directory with --data-dir.";
  if (!std::filesystem::is_directory(c.data_dir)) {
    throw std::runtime_error("there is no relay data directory at " + where + "." + point);
  }
  if (c.database_url.empty() && !std::filesystem::exists(c.database())) {
    throw std::runtime_error(where + " holds no relay.db: no relay has kept its data there." + point);
  }
  if (!std::filesystem::exists(c.relay_key())) {
    throw std::runtime_error(where + " holds no relay key (relay-identity.key): a relay makes it when it first starts." +
                             point);
  }
}

// Which configuration and store a command uses, said before it acts.
void announce(std::string_view command, const command_config& cc) {
  std::cerr << "shuttle-relay " << command << ": " << cc.words() << "\n";
}

int serve(int argc, const char* const* argv) {
  const po::options_description none;
  auto parsed = parse_command("shuttle-relay serve: run the relay", none, argc, argv, running_installed());
  if (!parsed) return 0;
  const config& c = parsed->c;
  spdlog::set_level(spdlog::level::from_str(c.log_level));

  prepare_data_dir(c.data_dir);
  const net::certificate_files files{c.certificate(), c.private_key()};
  if (c.self_signed()) net::ensure_self_signed(files);
  auto tls = net::make_server_context(files);
  const auto identity = relay_identity::load_or_create(c.relay_key());
  const auto opened = open_store(c, c.listen.threads + 1);
  storage& store = *opened;
  event_hub hub;
  relay_service service(store, identity, hub, unix_now, c.service);
  service.follow_changes();
  metrics counters;
  counters.set_queue_depth_source([&store] { return store.queue_depth(); });
  counters.set_more_source([&store] { return store.timings().render(); });
  const std::uint64_t reserve = c.database_url.empty() ? std::uint64_t{c.storage_reserve_mib} * 1024 * 1024 : 0;
  store.set_free_space_reserve(reserve);
  // When the purge and the backup last ran, as last read: a scrape while the
  // database cannot be read shows the times seen before (storage_ok says why).
  auto last_purge = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto last_backup = std::make_shared<std::atomic<std::uint64_t>>(0);
  counters.set_storage_source([&store, reserve, last_purge, last_backup] {
    const auto h = store.health();
    try {
      store.read([&](reader& r) {
        *last_purge = r.last_done("purge").value_or(0);
        *last_backup = r.last_done("backup").value_or(0);
      });
    } catch (const std::exception&) {
    }
    return storage_figures{h.problem.empty(), h.free_bytes, h.failures, reserve, h.feed_up, *last_purge, *last_backup};
  });
  api::router router(service, counters, static_cast<std::size_t>(c.address_burst), c.address_per_minute,
                     static_cast<std::size_t>(c.account_write_burst), c.account_writes_per_minute);
  router.allow_origins(c.allowed_origins);
  std::optional<web_files> web;
  if (!c.web_root.empty()) {
    web.emplace(web_files::load(c.web_root));
    router.serve_web(&*web);
  }
  net::server server(c.listen, tls, router, counters);
  const unsigned short port = server.listen();

  const std::string host = c.listen.address.find(':') != std::string::npos ? "[" + c.listen.address + "]" : c.listen.address;
  std::cout << "Shuttle relay listening on https://" << host << ":" << port << "\n"
            << "  configuration: " << (parsed->file ? parsed->file->string() : std::string("none (defaults and flags)")) << "\n"
            << "  database:     " << c.database_words() << " (schema " << store.schema_version() << ")\n"
            << "  relay key:    " << proto::base64url_encode(identity.public_key()) << "\n";
  if (web) {
    std::cout << "  web client:   https://" << host << ":" << port << "/ (" << web->asset_count() << " assets from "
              << c.web_root.string() << ")\n";
  }
  if (c.self_signed()) {
    const auto pin = net::certificate_sha256(files.certificate);
    std::cout << "  certificate:  self-signed for localhost, " << files.certificate.string() << "\n"
              << "  SHA-256:      " << net::colon_hex(pin) << "\n"
              << "  pin:          " << proto::base64url_encode(pin) << "\n";
  } else {
    std::cout << "  certificate:  " << files.certificate.string() << "\n";
  }
  // At a terminal: how to stop. Under systemd (no terminal), `systemctl stop` does the same.
  if (::isatty(STDIN_FILENO)) std::cout << "Stop with Ctrl-C; requests in flight are finished first." << std::endl;
  if (server.metrics_port() != 0) {
    std::cout << "  metrics:      http://" << c.listen.metrics_address << ":" << server.metrics_port() << "/metrics\n";
  }
  std::cout << std::flush;
  // The port files last: a script that waits for them finds everything up.
  auto write_port = [](const std::filesystem::path& file, unsigned short p) {
    const auto tmp = file.string() + ".tmp";
    std::ofstream(tmp) << p << "\n";
    std::filesystem::rename(tmp, file);
  };
  if (c.metrics_port_file) write_port(*c.metrics_port_file, server.metrics_port());
  if (c.port_file) write_port(*c.port_file, port);

  {
    maintenance clockwork(service);
    server.run();
  }
  store.stop();
  spdlog::info("stopped; the database is closed");
  return 0;
}

int invite_facilitator(int argc, const char* const* argv) {
  std::string relay;
  unsigned hours = 72;
  bool no_pin = false;
  po::options_description own("Options of invite-facilitator");
  own.add_options()
      ("relay", po::value(&relay), "the relay's address as the facilitator will reach it (HOST:PORT); without it "
                                   "the configured --listen address")
      ("no-pin", po::bool_switch(&no_pin), "facilitators reach the relay through a certificate their system trusts "
                                           "(a proxy's): put no pin of the self-signed certificate in the code")
      ("lifetime-hours", po::value(&hours)->default_value(hours), "how long the invitation stays valid");
  const auto parsed = parse_command("shuttle-relay admin invite-facilitator: print an invitation for a new facilitator",
                                    own, argc, argv, running_installed());
  if (!parsed) return 0;
  if (hours == 0 || hours > 30 * 24) throw std::runtime_error("--lifetime-hours must be between 1 and 720");
  const config& c = parsed->c;
  announce("admin invite-facilitator", *parsed);
  require_relay(c);
  if (relay.empty()) {
    const auto& a = c.listen.address;
    relay = (a.find(':') != std::string::npos ? "[" + a + "]" : a) + ":" + std::to_string(c.listen.port);
  }
  // A self-signed certificate is pinned in the code; a real one (the relay's
  // --tls-certificate, or a proxy's with --no-pin) is checked as usual.
  std::optional<proto::hash> pin;
  if (c.self_signed() && !no_pin) {
    if (!std::filesystem::exists(c.certificate())) {
      throw std::runtime_error(c.data_dir.string() + " holds no certificate (tls-certificate.pem): a relay makes "
                               "it when it first starts.");
    }
    pin = net::certificate_sha256(c.certificate());
  }
  const auto identity = relay_identity::load_or_create(c.relay_key());
  const auto store = open_store(c, 1);
  event_hub hub;
  relay_service service(*store, identity, hub, unix_now);
  auto code = service.invite_facilitator(relay, pin, std::uint64_t{hours} * 3600);
  store->stop();
  if (!code) throw std::runtime_error(code.error().message());
  std::cout << *code << "\n";
  std::cerr << "Give this code to the new facilitator in person or by another channel you trust. "
               "It works once, for " << hours << " hours.\n";
  return 0;
}

// The files of a data directory that a backup carries beside the database.
const std::vector<std::string> key_files{"relay-identity.key", "tls-certificate.pem", "tls-key.pem"};
// The file of a backup that says when its copy was taken (Unix seconds).
constexpr const char* taken_at_file = "taken-at";

void copy_private(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(to, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
}

// An online, consistent copy of the store and of the relay's key files: on
// SQLite, VACUUM INTO (a snapshot taken in one read transaction while the
// relay keeps serving; freed pages, e.g. of revoked letters, are not carried
// over) as relay.db; on PostgreSQL, pg_dump's snapshot as relay.dump.
int backup(int argc, const char* const* argv) {
  std::string to;
  po::options_description own("Options of backup");
  own.add_options()("to", po::value(&to)->required(), "a new directory for the backup (must not exist)");
  const auto parsed = parse_command("shuttle-relay backup: a consistent copy of a (running) relay's data", own, argc,
                                    argv, running_installed());
  if (!parsed) return 0;
  const config& c = parsed->c;
  announce("backup", *parsed);
  require_relay(c);
  const std::filesystem::path target = to;
  if (std::filesystem::exists(target)) throw std::runtime_error(to + " exists; give a new directory.");
  prepare_data_dir(target);
  // When the copy was taken: a restore from it tells the clients, which then
  // know which of their letters it cannot hold (deploy/README.md, section 4).
  const std::uint64_t taken_at = unix_now();
  try {
    if (c.database_url.empty()) {
      sqlite_store::backup(c.database(), target / "relay.db");
    } else {
      dump_postgres(c.database_url, target / "relay.dump");
    }
  } catch (...) {
    std::filesystem::remove_all(target);  // no half backup left to be mistaken for one
    throw;
  }
  for (const auto& f : key_files) {
    if (std::filesystem::exists(c.data_dir / f)) copy_private(c.data_dir / f, target / f);
  }
  std::ofstream(target / taken_at_file) << taken_at << "\n";
  {
    // For the alerts: when a backup last finished (deploy/monitoring).
    const auto store = open_store(c, 1);
    event_hub hub;
    relay_service service(*store, relay_identity::load_or_create(c.relay_key()), hub, unix_now);
    if (auto ok = service.record_done("backup"); !ok) {
      std::cerr << "The backup is complete, but its time could not be recorded for monitoring: " << ok.error().message()
                << "\n";
    }
    store->stop();
  }
  std::cout << "Backed up " << c.database_words() << " to " << to
            << " (the database and the relay key; keep it encrypted and off this machine).\n";
  return 0;
}

// Records on a restored store when it was restored and when its copy was
// taken (0: a backup that does not say): the message list tells clients
// (SPEC 16.2), which tell their people of letters the copy could not hold.
void record_restore(storage& store, std::uint64_t copy_taken_at) {
  std::promise<write_problem> written;
  store.submit(
      [now = unix_now(), copy_taken_at](writer& w) {
        w.record_done("restore", now);
        if (copy_taken_at > 0) w.record_done("restore_copy", copy_taken_at);
        return verdict::keep;
      },
      [&written](write_problem p) { written.set_value(p); });
  if (written.get_future().get() != write_problem::none) {
    throw std::runtime_error("the restore could not be recorded in the store; run restore again into an empty store");
  }
}

// Restores a backup into the configured store, which must be empty (the
// relay stopped): relay.db into the data directory, or relay.dump into the
// PostgreSQL database; the relay key and certificate beside it. The one
// command besides `serve` that may make the data directory, from the
// backup's own key.
int restore(int argc, const char* const* argv) {
  std::string from;
  po::options_description own("Options of restore");
  own.add_options()("from", po::value(&from)->required(), "a directory made by shuttle-relay backup");
  const auto parsed = parse_command("shuttle-relay restore: put a backup in place of the relay's empty store",
                                    own, argc, argv, running_installed());
  if (!parsed) return 0;
  const config& c = parsed->c;
  announce("restore", *parsed);
  const std::filesystem::path source = from;
  const bool postgres = !c.database_url.empty();
  const auto dump = source / (postgres ? "relay.dump" : "relay.db");
  if (!std::filesystem::exists(dump)) {
    throw std::runtime_error(from + " holds no " + dump.filename().string() + (postgres ? " (a backup of a PostgreSQL relay)"
                                                                                           : " (a backup of a SQLite relay)"));
  }
  if (postgres) {
    if (!postgres_is_empty(c.database_url)) {
      throw std::runtime_error(c.database_words() + " already holds tables; restore into an empty database.");
    }
    // The data directory keeps this relay's key; a different one there is another relay's.
    if (std::filesystem::exists(c.relay_key()) && std::filesystem::exists(source / "relay-identity.key") &&
        relay_identity::load_or_create(c.relay_key()).public_key() !=
            relay_identity::load_or_create(source / "relay-identity.key").public_key()) {
      throw std::runtime_error(c.data_dir.string() + " holds another relay key than the backup's; move it aside first.");
    }
  } else {
    if (std::filesystem::exists(c.database())) {
      throw std::runtime_error(c.data_dir.string() + " already holds a database; restore into an empty directory.");
    }
    const std::string integrity = sqlite_store::integrity_check(dump);
    if (integrity != "ok") throw std::runtime_error("the backup's database does not check out: " + integrity);
  }
  std::uint64_t copy_taken_at = 0;
  if (std::ifstream in(source / taken_at_file); in) in >> copy_taken_at;
  prepare_data_dir(c.data_dir);
  for (const auto& f : key_files) {
    if (!std::filesystem::exists(source / f)) continue;
    std::filesystem::remove(c.data_dir / f);
    copy_private(source / f, c.data_dir / f);
  }
  if (postgres) {
    restore_postgres(c.database_url, dump);
    postgres_store store(c.database_url, 1, 1);  // applies any newer migrations
    record_restore(store, copy_taken_at);
    std::cout << "Restored " << from << " into " << c.database_words() << " (schema " << store.schema_version()
              << ").\n";
  } else {
    copy_private(dump, c.database());
    sqlite_store store(c.database(), 1);  // applies any newer migrations
    record_restore(store, copy_taken_at);
    std::cout << "Restored " << from << " into " << c.data_dir.string() << " (schema " << store.schema_version()
              << ").\n";
  }
  return 0;
}

// The advisory lock the retention purge takes on a shared database.
constexpr std::int64_t purge_lock = 0x5348555454'50;

int purge(int argc, const char* const* argv) {
  unsigned days = 90;
  po::options_description own("Options of purge");
  own.add_options()("retention-days", po::value(&days)->default_value(days), "keep a closed case's letters this many days");
  const auto parsed = parse_command(
      "shuttle-relay purge: remove the letters of cases closed longer than the retention time; keep states and the "
      "audit trail", own, argc, argv, running_installed());
  if (!parsed) return 0;
  const config& c = parsed->c;
  announce("purge", *parsed);
  require_relay(c);
  const auto identity = relay_identity::load_or_create(c.relay_key());
  const auto store = open_store(c, 1);
  // Every relay's timer runs this: on a shared database, one at a time.
  std::optional<postgres_store::exclusive> once;
  if (auto* pg = dynamic_cast<postgres_store*>(store.get())) {
    once.emplace(*pg, purge_lock);
    if (!once->held()) {
      std::cout << "Another relay is purging this database now; nothing to do here.\n";
      return 0;
    }
  }
  event_hub hub;
  relay_service service(*store, identity, hub, unix_now);
  auto purged = service.purge(std::uint64_t{days} * 24 * 3600);
  store->stop();
  if (!purged) throw std::runtime_error(purged.error().message());
  std::cout << "Purged the letters of " << *purged << " closed case(s).\n";
  return 0;
}

// Checks every audit chain of a store and its latest signed checkpoint,
// printing each problem; true when every chain verifies.
bool verify_chains(storage& store, const proto::public_key& relay_key) {
  std::size_t chains = 0, entries = 0, failures = 0;
  store.read([&](reader& r) {
    for (const auto& case_id : r.audit_chains()) {
      const auto chain = r.audit_chain(case_id);
      auto checkpoint = r.latest_checkpoint(case_id);
      if (checkpoint) checkpoint->relay_key = relay_key;  // stored checkpoints are this relay's own
      ++chains;
      entries += chain.size();
      auto ok = proto::verify_audit_chain(case_id, chain);
      if (ok && checkpoint) ok = proto::verify_checkpoint_of(chain, *checkpoint, relay_key);
      if (!ok) {
        ++failures;
        std::cout << "case " << proto::base64url_encode(case_id) << ": " << ok.error().message() << "\n";
        continue;
      }
      const std::uint64_t covered = checkpoint ? checkpoint->seq : 0;
      if (covered < chain.size()) {
        std::cout << "case " << proto::base64url_encode(case_id) << ": entries " << covered + 1 << " to "
                  << chain.size() << " are not under a signed checkpoint yet\n";
      }
    }
  });
  std::cout << chains << " chain(s), " << entries << " entries: "
            << (failures == 0 ? "every chain verifies" : std::to_string(failures) + " chain(s) do NOT verify") << "\n";
  return failures == 0;
}

// Verifies every audit chain of a data directory, offline: each chain links
// and recomputes, and its latest checkpoint is signed by the relay key.
int audit_verify(int argc, const char* const* argv) {
  std::string key_text;
  po::options_description own("Options of audit verify");
  own.add_options()("relay-key", po::value(&key_text),
                    "the relay's public key (base64url), when not the one in the relay's data directory");
  const auto parsed = parse_command("shuttle-relay audit verify: check every audit chain and its signed checkpoint",
                                    own, argc, argv, running_installed());
  if (!parsed) return 0;
  const config& c = parsed->c;
  announce("audit verify", *parsed);
  proto::public_key relay_key{};
  if (key_text.empty()) {
    // The key of the relay whose store this is, never a new one.
    require_relay(c);
    relay_key = relay_identity::load_or_create(c.relay_key()).public_key();
  } else {
    auto raw = proto::base64url_decode(key_text);
    if (!raw || raw->size() != relay_key.size()) throw std::runtime_error("--relay-key is not a public key.");
    std::copy(raw->begin(), raw->end(), relay_key.begin());
    if (c.database_url.empty() && !std::filesystem::exists(c.database())) {
      throw std::runtime_error(c.data_dir.string() + " holds no relay.db to verify.");
    }
  }
  const auto opened = open_store(c, 1);
  const bool verifies = verify_chains(*opened, relay_key);
  opened->stop();
  return verifies ? 0 : 1;
}

// Copies a stopped relay's SQLite database into an empty PostgreSQL one,
// then checks every audit chain there, as `audit verify` does.
// Whether a PostgreSQL address carries a password (in its user part or as a parameter).
bool holds_password(const std::string& url) {
  const auto scheme = url.find("://");
  const auto rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
  const auto at = rest.rfind('@', rest.find('/'));
  return (at != std::string::npos && rest.substr(0, at).find(':') != std::string::npos) ||
         url.find("password=") != std::string::npos;
}

int migrate(int argc, const char* const* argv) {
  std::string to;
  po::options_description own("Options of migrate");
  own.add_options()("to", po::value(&to)->required(), "the PostgreSQL database, postgresql://USER@HOST/DB (empty)");
  const auto parsed = parse_command(
      "shuttle-relay migrate: copy a relay's SQLite database into an empty PostgreSQL database (stop the relay first)",
      own, argc, argv, running_installed());
  if (!parsed) return 0;
  config c = parsed->c;
  announce("migrate", *parsed);
  if (!c.database_url.empty()) {
    throw std::runtime_error("this relay already keeps its data in " + c.database_words() + ": there is no relay.db to "
                             "migrate.");
  }
  require_relay(c);
  if (!postgres_store::names_postgres(to)) throw std::runtime_error("--to takes a postgresql:// address.");
  c.database_url = to;
  const auto done = copy_to_postgres(c.database(), to);
  std::cout << "Copied " << done.rows << " rows of " << done.tables << " tables to " << c.database_words() << ".\n";
  const auto relay_key = relay_identity::load_or_create(c.relay_key()).public_key();
  const auto target = open_store(c, 1);
  const bool verifies = verify_chains(*target, relay_key);
  target->stop();
  if (!verifies) return 1;
  // A line to paste into the configuration; a password is never printed.
  const std::string line = "database = " + (holds_password(to) ? std::string("(the address you gave --to)") : to);
  std::cout << "To start the relay on PostgreSQL, add this line to its configuration"
            << (parsed->file ? " (" + parsed->file->string() + ")" : std::string()) << " and restart it; keep relay.db "
            << "as it is until you are sure:\n"
            << "  " << line << "\n";
  return 0;
}

void usage(std::ostream& out) {
  out << "usage: shuttle-relay serve [options]                  run the relay\n"
         "       shuttle-relay admin invite-facilitator [options] print an invitation for a new facilitator\n"
         "       shuttle-relay purge [options]                  remove letters of long-closed cases\n"
         "       shuttle-relay audit verify [options]           check the audit trail offline\n"
         "       shuttle-relay backup --to DIR [options]        a consistent copy of a running relay's data\n"
         "       shuttle-relay restore --from DIR [options]     a backup into the relay's empty data directory\n"
         "       shuttle-relay migrate --to postgresql://...    copy relay.db into an empty PostgreSQL database\n"
         "       shuttle-relay --version                         the version of the relay and of its protocol\n"
         "Every command reads the relay's configuration: --config FILE, else /etc/shuttle/relay.conf when\n"
         "this is the installed relay, else the defaults; a flag wins over the file. Each command has --help.\n";
}

}  // namespace

int main(int argc, char** argv) {
  // Every file the relay makes (the database, its log and shared memory,
  // backups, keys, port files) is the relay user's alone, whatever the umask.
  ::umask(077);
  spdlog::set_default_logger(spdlog::stderr_color_mt("relay"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  const std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "serve") return serve(argc - 1, argv + 1);
    if (command == "admin" && argc > 2 && std::string(argv[2]) == "invite-facilitator") {
      return invite_facilitator(argc - 2, argv + 2);
    }
    if (command == "purge") return purge(argc - 1, argv + 1);
    if (command == "backup") return backup(argc - 1, argv + 1);
    if (command == "restore") return restore(argc - 1, argv + 1);
    if (command == "migrate") return migrate(argc - 1, argv + 1);
    if (command == "audit" && argc > 2 && std::string(argv[2]) == "verify") return audit_verify(argc - 2, argv + 2);
    if (command == "--version") {
      std::cout << version_words("shuttle-relay") << "\n";
      return 0;
    }
    if (command == "--help" || command == "-h" || command == "help") {
      usage(std::cout);
      return 0;
    }
    usage(std::cerr);
    return 2;
  } catch (const std::exception& e) {
    // The relay's own failure goes to its log; an operator command's is said to the operator.
    if (command == "serve") {
      spdlog::critical("{}", e.what());
    } else {
      std::string words = e.what();
      if (!words.empty() && words.back() != '.' && words.back() != ')') words += '.';
      std::cerr << "shuttle-relay " << command << (command == "admin" || command == "audit" ? std::string(" ") + argv[2] : "")
                << ": " << words << "\n";
    }
    return 1;
  }
}
