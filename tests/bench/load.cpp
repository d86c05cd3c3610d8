// shuttle-bench: the relay's speed, scale and memory, measured against
// ceilings taken in the same run (docs/PERFORMANCE.md).
//
// It starts the real relay binary on a loopback port with a temporary data
// directory, enrols real participants with real keys, and drives it over
// TLS with keep-alive connections (Asio coroutines on one thread, so the
// relay keeps the other core):
//   (a) durable signed submits of 2 KiB letters, at full speed and then
//       paced at half the peak rate;
//   (b) whole lifecycles: submit, claim, approve, fetch;
//   (c) idle authenticated WebSocket subscribers, then one event fanned out;
//   (d) the relay's idle RSS, and the time to answer /healthz holding many
//       messages.
// Ceilings: a minimal Beast HTTPS server answering the same POST with no work
// (the network and TLS floor), the Ed25519 verify rate on two threads, and
// SQLite's durable group-commit rate.
//
//   shuttle-bench [--short] [--relay PATH]
// Prints a table, then one JSON line with every figure.
#include "client-lib/letter.hpp"
#include "client-lib/review.hpp"
#include "client-lib/statements.hpp"
#include "client-lib/enrolment.hpp"
#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/invitation_code.hpp"
#include "server/net/tls.hpp"
#include "server/store/sqlite_store.hpp"
#include "tests/integration/https_client.hpp"
#include "tests/bench/rss.hpp"
#include "tests/integration/relay_process.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <sodium.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <iostream>
#include <thread>

namespace {

using namespace shuttle;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;
using asio::awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct settings {
  bool short_mode = false;
  std::size_t clients = 32;
  double seconds = 8;
  std::size_t subscribers = 10'000;
  std::size_t stored_messages = 1'000'000;
  bool postgres = false;  // the relay on PostgreSQL (--postgres)
};

// ------------------------------------------------------------------ measuring


struct latencies {
  std::vector<std::uint32_t> micros;
  void add(clock_type::duration d) {
    micros.push_back(static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
  }
  double percentile_ms(double p) {
    if (micros.empty()) return 0;
    std::sort(micros.begin(), micros.end());
    const auto i = std::min(micros.size() - 1, static_cast<std::size_t>(p * static_cast<double>(micros.size())));
    return micros[i] / 1000.0;
  }
};

struct figures {
  json::object all;
  void set(const std::string& key, double v) { all[key] = v; }
};

std::string two_places(double v) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << v;
  return s.str();
}

void row(const std::string& what, double value, const std::string& unit, const std::string& note = "") {
  std::cout << "  " << std::left << std::setw(44) << what << std::right << std::setw(12) << std::fixed
            << std::setprecision(value < 10 ? 2 : 0) << value << " " << std::left << std::setw(10) << unit << note
            << "\n";
}

// ------------------------------------------------------------------ people and letters

json::value as_json(const auto& s) { return json::parse(proto::to_json(s)); }
template <std::size_t N>
std::string b64(const fixed<N>& v) {
  return proto::base64url_encode(v);
}

// The relays' CPU time (user and system) over the letters they answered in
// one phase, in microseconds: a gain shows as work removed, not as noise in
// a rate. Printed and kept as `<key>_cpu_us_per_letter`.
struct cpu_meter {
  std::vector<std::string> pids;
  double at_start = 0;
  explicit cpu_meter(std::vector<std::string> p) : pids(std::move(p)), at_start(total()) {}
  double total() const {
    double t = 0;
    for (const auto& pid : pids) t += shuttle::bench::cpu_seconds(pid);
    return t;
  }
  void report(std::size_t letters, figures& out, const std::string& key) const {
    if (letters == 0) return;
    const double per = (total() - at_start) * 1e6 / static_cast<double>(letters);
    row("relay CPU per letter", per, "us", "user and system, over " + std::to_string(letters) + " letters");
    out.set(key + "_cpu_us_per_letter", per);
  }
};

void require(const testing::reply& r, const std::string& what) {
  if (r.status != 200) throw std::runtime_error(what + " failed: " + std::to_string(r.status) + " " + r.text);
}

struct person {
  client::identity_key identity = client::identity_key::generate();
  client::case_key case_key = client::case_key::generate();
  std::string token;
};

// Setting up happens over plain one-request connections; the load itself uses the async clients below.
struct setup {
  testing::https_client& http;
  unsigned short port;

  std::string login(person& p) {
    auto ch = http.post("/v1/login/challenge", json::object{{"identity", b64(p.identity.public_key())}});
    require(ch, "login challenge");
    proto::login_challenge challenge{};
    proto::public_key relay_key{};
    auto c = proto::base64url_decode(std::string(ch.body.at("challenge").as_string()));
    auto k = proto::base64url_decode(std::string(ch.body.at("relay_key").as_string()));
    std::copy(c->begin(), c->end(), challenge.begin());
    std::copy(k->begin(), k->end(), relay_key.begin());
    auto r = http.post("/v1/login", json::object{{"identity", b64(p.identity.public_key())},
                                                 {"challenge", b64(challenge)},
                                                 {"signature", b64(client::sign_login(p.identity, challenge, relay_key))}});
    require(r, "login");
    p.token = std::string(r.body.at("token").as_string());
    return p.token;
  }

  void enrol(person& p, const std::string& code_text) {
    auto code = *proto::parse_invitation_code(code_text);
    json::object body{{"enrolment", as_json(*client::make_enrolment(p.identity, code))}, {"secret", b64(code.secret)}};
    if (code.case_id != proto::null_case) {
      body["keys"] = as_json(*client::make_key_statement(p.identity, code.case_id, p.case_key));
    }
    require(http.post("/v1/enrol", body), "enrolment");
    login(p);
  }

  std::string invite(person& f, const proto::id& case_id, proto::role role) {
    auto made = client::make_invitation(f.identity, case_id, role, 3600);
    require(http.post("/v1/cases/" + b64(case_id) + "/invitations",
                      json::object{{"invitation", as_json(made->statement)}}, f.token),
            "invitation");
    return proto::encode(made->code);
  }

  proto::id open_case(person& f) {
    proto::case_open open;
    open.header = client::header_for(client::new_id());
    open.header.case_id = open.header.statement_id;
    require(http.post("/v1/cases",
                      json::object{{"case_open", as_json(*client::sign(open, f.identity))},
                                   {"keys", as_json(*client::make_key_statement(f.identity, open.header.case_id, f.case_key))}},
                      f.token),
            "open case");
    return open.header.case_id;
  }

  void attest(person& f, const proto::id& case_id, person& p, proto::role role) {
    auto ks = *client::make_key_statement(p.identity, case_id, p.case_key);
    // The statement the relay holds is the one sent at enrolment; find it.
    auto detail = http.get("/v1/cases/" + b64(case_id), f.token);
    require(detail, "case detail");
    for (const auto& k : detail.body.at("key_statements").as_array()) {
      auto parsed = proto::parse_statement<proto::key_statement>(k);
      if (parsed && parsed->header.signer == p.identity.public_key()) ks = *parsed;
    }
    require(http.post("/v1/cases/" + b64(case_id) + "/attestations",
                      json::object{{"attestation", as_json(*client::make_attestation(f.identity, ks, role))}}, f.token),
            "attestation");
  }
};

// One client's case: the facilitator's session, a harmed and a responsible party.
struct pair_case {
  proto::id case_id{};
  person h, r;
  std::string facilitator_token;
  client::roster roster{proto::id{}, proto::public_key{}};
};

// A sealed letter ready to post, and the approval a facilitator would give it.
struct prepared {
  std::string target;
  std::string submit_body;
  std::string approve_target, approve_body, claim_target, fetch_target;
};

prepared prepare(const pair_case& c, const person& f, bool with_approval) {
  client::letter_draft d;
  d.header = client::header_for(c.case_id);
  d.to = proto::role::responsible;
  std::string text(2048, 'x');
  randombytes_buf(text.data(), 16);
  auto sealed = client::seal_letter(c.h.identity, c.h.case_key, d, c.roster.facilitator_readers(),
                                    client::document::text(text));
  if (!sealed) throw std::runtime_error("sealing failed: " + sealed.error().message());
  prepared p;
  const std::string base = "/v1/cases/" + b64(c.case_id) + "/messages";
  const std::string message = base + "/" + b64(sealed->envelope.header.statement_id);
  p.target = base;
  p.submit_body = json::serialize(
      json::object{{"envelope", as_json(sealed->envelope)}, {"ciphertext", proto::base64url_encode(sealed->ciphertext)}});
  if (with_approval) {
    auto a = client::approve_letter(c.roster, sealed->envelope, f.identity, f.case_key);
    if (!a) throw std::runtime_error("approval failed: " + a.error().message());
    p.approve_target = message + "/approve";
    p.approve_body = json::serialize(json::object{{"approval", as_json(*a)}});
    p.claim_target = message + "/claim";
    p.fetch_target = message;
  }
  return p;
}

// ------------------------------------------------------------------ the async client

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

awaitable<bool> connect(tls_stream& s, unsigned short port) {
  auto [ec] = co_await beast::get_lowest_layer(s).async_connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), tuple_awaitable);
  if (ec) co_return false;
  boost::system::error_code ignored;
  beast::get_lowest_layer(s).socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  auto [hs] = co_await s.async_handshake(asio::ssl::stream_base::client, tuple_awaitable);
  co_return !hs;
}

// One request on a kept-alive connection; its status (0 if the connection failed).
awaitable<unsigned> exchange(tls_stream& s, beast::flat_buffer& buf, http::verb verb, const std::string& target,
                             const std::string& token, const std::string& body) {
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::authorization, "Bearer " + token);
  if (verb == http::verb::post) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.keep_alive(true);
  req.prepare_payload();
  auto [we, wn] = co_await http::async_write(s, req, tuple_awaitable);
  if (we) co_return 0;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  auto [re, rn] = co_await http::async_read(s, buf, parser, tuple_awaitable);
  if (re) co_return 0;
  co_return parser.get().result_int();
}

struct run_state {
  std::atomic<std::size_t> done{0}, errors{0};
  clock_type::time_point until;
};

// (a) submits as fast as the relay answers (or paced every `interval`).
awaitable<void> submitter(asio::ssl::context& ctx, unsigned short port, std::string token,
                          std::vector<prepared>& letters, run_state& st, latencies& lat,
                          std::optional<clock_type::duration> interval) {
  tls_stream s(co_await asio::this_coro::executor, ctx);
  if (!co_await connect(s, port)) {
    ++st.errors;
    co_return;
  }
  beast::flat_buffer buf;
  auto next = clock_type::now();
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (auto& l : letters) {
    if (clock_type::now() >= st.until) break;
    if (interval) {
      timer.expires_at(next);
      co_await timer.async_wait(tuple_awaitable);
    }
    const auto start = interval ? next : clock_type::now();  // paced: measured from the planned time
    const unsigned status = co_await exchange(s, buf, http::verb::post, l.target, token, l.submit_body);
    lat.add(clock_type::now() - start);
    if (status == 200) {
      ++st.done;
    } else {
      ++st.errors;
      if (status == 0) co_return;
    }
    if (interval) next += *interval;
  }
}

// (b) whole lifecycles: submit, claim, approve, fetch.
awaitable<void> lifecycler(asio::ssl::context& ctx, unsigned short port, const pair_case& c,
                           std::vector<prepared>& letters, run_state& st, std::array<latencies, 4>& lat) {
  tls_stream s(co_await asio::this_coro::executor, ctx);
  if (!co_await connect(s, port)) {
    ++st.errors;
    co_return;
  }
  beast::flat_buffer buf;
  for (auto& l : letters) {
    if (clock_type::now() >= st.until) break;
    struct step {
      http::verb verb;
      const std::string& target;
      const std::string& token;
      const std::string& body;
    };
    static const std::string empty_object = "{}", none;
    const step steps[] = {{http::verb::post, l.target, c.h.token, l.submit_body},
                          {http::verb::post, l.claim_target, c.facilitator_token, empty_object},
                          {http::verb::post, l.approve_target, c.facilitator_token, l.approve_body},
                          {http::verb::get, l.fetch_target, c.r.token, none}};
    bool ok = true;
    for (std::size_t i = 0; i < 4 && ok; ++i) {
      const auto start = clock_type::now();
      const unsigned status = co_await exchange(s, buf, steps[i].verb, steps[i].target, steps[i].token, steps[i].body);
      lat[i].add(clock_type::now() - start);
      ok = status == 200;
      if (status == 0) {
        ++st.errors;
        co_return;
      }
    }
    ok ? ++st.done : ++st.errors;
  }
}

// ------------------------------------------------------------------ ceilings

// A Beast HTTPS server that answers every request with 200 "{}" and does nothing else.
class floor_server {
 public:
  explicit floor_server(const std::filesystem::path& dir)
      : files_{dir / "floor-cert.pem", dir / "floor-key.pem"} {
    relay::net::ensure_self_signed(files_);
    ctx_.emplace(relay::net::make_server_context(files_));
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(ioc_, accept(), asio::detached);
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~floor_server() {
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }
  unsigned short port() const { return port_; }

 private:
  awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(tuple_awaitable);
      if (ec) co_return;
      asio::co_spawn(strand_for(), serve(std::move(socket)), asio::detached);
    }
  }
  asio::any_io_executor strand_for() { return asio::make_strand(ioc_); }
  awaitable<void> serve(asio::ip::tcp::socket socket) {
    boost::system::error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);  // as the relay does
    tls_stream s(std::move(socket), *ctx_);
    if (auto [hs] = co_await s.async_handshake(asio::ssl::stream_base::server, tuple_awaitable); hs) co_return;
    beast::flat_buffer buf;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(1024 * 1024);
      auto [re, rn] = co_await http::async_read(s, buf, parser, tuple_awaitable);
      if (re) co_return;
      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "application/json");
      res.body() = "{}";
      res.keep_alive(true);
      res.prepare_payload();
      auto [we, wn] = co_await http::async_write(s, res, tuple_awaitable);
      if (we) co_return;
    }
  }

  relay::net::certificate_files files_;
  asio::io_context ioc_;
  std::optional<asio::ssl::context> ctx_;
  asio::ip::tcp::acceptor acceptor_{ioc_};
  unsigned short port_ = 0;
  std::vector<std::thread> threads_;
};

double verify_rate(const prepared& sample) {
  // A statement the size of a 2 KiB letter's envelope, verified on two threads for a second.
  auto v = json::parse(sample.submit_body);
  auto e = *proto::parse_statement<proto::envelope>(v.at("envelope"));
  std::atomic<std::uint64_t> n{0};
  const auto until = clock_type::now() + std::chrono::seconds(1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      std::uint64_t mine = 0;
      while (clock_type::now() < until) {
        if (proto::verify_signature(e)) ++mine;
      }
      n += mine;
    });
  }
  for (auto& t : threads) t.join();
  return static_cast<double>(n.load());
}

double group_commit_rate(const std::filesystem::path& dir) {
  SQLite::Database db((dir / "ceiling.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)");
  const std::vector<byte> body(2800, 7);
  std::uint64_t rows = 0;
  const auto start = clock_type::now();
  while (clock_type::now() - start < std::chrono::seconds(2)) {
    SQLite::Transaction t(db);
    SQLite::Statement q(db, "INSERT INTO t (body) VALUES (?)");
    for (int i = 0; i < 64; ++i) {
      q.bind(1, body.data(), static_cast<int>(body.size()));
      q.exec();
      q.reset();
      ++rows;
    }
    t.commit();
  }
  return static_cast<double>(rows) / std::chrono::duration<double>(clock_type::now() - start).count();
}

// ------------------------------------------------------------------ phases

struct load_bench {
  settings cfg;
  std::unique_ptr<testing::relay_process> relay;
  std::unique_ptr<testing::https_client> http;
  person f;
  std::vector<pair_case> cases;
  asio::ssl::context client_ctx{asio::ssl::context::tls_client};
  figures out;

  static std::vector<std::string> relay_flags() {
    return {
        "--address-burst", "1000000", "--address-per-minute", "1000000", "--account-write-burst", "1000000",
        "--account-writes-per-minute", "100000000", "--max-connections", "15000",
        // The load comes from one address and the fan-out from one account:
        // the bench measures capacity, not the caps that keep one client fair.
        "--max-connections-per-address", "15000", "--max-event-streams-per-account", "15000", "--log-level", "error"};
  }

  void start_relay() {
    relay = std::make_unique<testing::relay_process>(relay_flags());
    http = std::make_unique<testing::https_client>(
        relay->port(), testing::certificate_pin((relay->data_dir() / "data" / "tls-certificate.pem").string()));
    client_ctx.set_verify_mode(asio::ssl::verify_none);  // loopback to the relay we started
  }

  void enrol_everyone() {
    setup s{*http, relay->port()};
    s.enrol(f, relay->invite_facilitator());
    for (std::size_t i = 0; i < cfg.clients; ++i) {
      pair_case c;
      c.case_id = s.open_case(f);
      s.enrol(c.h, s.invite(f, c.case_id, proto::role::harmed));
      s.enrol(c.r, s.invite(f, c.case_id, proto::role::responsible));
      s.attest(f, c.case_id, c.h, proto::role::harmed);
      s.attest(f, c.case_id, c.r, proto::role::responsible);
      c.facilitator_token = s.login(f);
      // The roster the parties' clients would build: the pinned facilitator and its attestations.
      c.roster = client::roster(c.case_id, f.identity.public_key());
      auto detail = http->get("/v1/cases/" + b64(c.case_id), f.token);
      (void)c.roster.add_case_open(*proto::parse_statement<proto::case_open>(detail.body.at("case_open")));
      std::vector<proto::key_statement> keys;
      for (const auto& k : detail.body.at("key_statements").as_array()) keys.push_back(*proto::parse_statement<proto::key_statement>(k));
      for (const auto& k : keys) {
        if (k.header.signer == f.identity.public_key()) (void)c.roster.add_facilitator_keys(k);
      }
      for (const auto& a : detail.body.at("attestations").as_array()) {
        auto att = *proto::parse_statement<proto::attestation>(a);
        for (const auto& k : keys) {
          if (k.header.statement_id == att.key_statement_id) (void)c.roster.add_attested(att, k);
        }
      }
      cases.push_back(std::move(c));
    }
  }

  std::vector<std::vector<prepared>> prepare_all(std::size_t per_client, bool approvals) {
    std::vector<std::vector<prepared>> all(cases.size());
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        for (std::size_t i = t; i < cases.size(); i += 2) {
          for (std::size_t k = 0; k < per_client; ++k) all[i].push_back(prepare(cases[i], f, approvals));
        }
      });
    }
    for (auto& th : threads) th.join();
    return all;
  }

  struct load_result {
    double rate = 0;
    std::size_t done = 0;
    std::size_t errors = 0;
    latencies lat;
  };

  load_result submits(unsigned short port, std::vector<std::vector<prepared>>& letters,
                      std::optional<double> paced_rate, double seconds) {
    return submits(std::vector<unsigned short>{port}, letters, paced_rate, seconds);
  }
  // The clients spread over several relays (client i to relay i mod n).
  load_result submits(const std::vector<unsigned short>& ports, std::vector<std::vector<prepared>>& letters,
                      std::optional<double> paced_rate, double seconds) {
    asio::io_context ioc;
    run_state st;
    std::vector<latencies> lat(cases.size());
    st.until = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
    std::optional<clock_type::duration> interval;
    if (paced_rate) {
      interval = std::chrono::duration_cast<clock_type::duration>(
          std::chrono::duration<double>(static_cast<double>(cases.size()) / *paced_rate));
    }
    const auto start = clock_type::now();
    for (std::size_t i = 0; i < cases.size(); ++i) {
      asio::co_spawn(ioc, submitter(client_ctx, ports[i % ports.size()], cases[i].h.token, letters[i], st, lat[i], interval),
                     asio::detached);
    }
    ioc.run();
    load_result r;
    r.rate = static_cast<double>(st.done) / std::chrono::duration<double>(clock_type::now() - start).count();
    r.done = st.done;
    r.errors = st.errors;
    for (auto& l : lat) r.lat.micros.insert(r.lat.micros.end(), l.micros.begin(), l.micros.end());
    return r;
  }
};

void print_latency(const std::string& what, latencies& l, figures& out, const std::string& key) {
  const double p50 = l.percentile_ms(0.50), p99 = l.percentile_ms(0.99), p999 = l.percentile_ms(0.999);
  std::cout << "  " << std::left << std::setw(44) << what << std::fixed << std::setprecision(2) << "p50 " << p50
            << " ms, p99 " << p99 << " ms, p99.9 " << p999 << " ms\n";
  out.set(key + "_p50_ms", p50);
  out.set(key + "_p99_ms", p99);
  out.set(key + "_p999_ms", p999);
}

// The relay's own histograms (/metrics) over one phase: where a write's time
// went, stage by stage (server/store/write_stages.hpp), beside the whole
// request. Quantiles interpolate inside a bucket, as Prometheus's
// histogram_quantile does, so a figure is only as fine as the buckets.
class stage_split {
 public:
  explicit stage_split(testing::relay_process& relay) : relay_(relay), before_(read(relay.metrics())) {}

  void report(figures& out, const std::string& key) {
    auto after = read(relay_.metrics());
    std::cout << "  the relay's own time for these requests, by stage (p50, p99, mean in ms; share of writes over 10 ms):\n";
    for (const std::string stage : {"request", "write", "queued", "ahead", "job", "commit", "handover", "resume"}) {
      auto b = before_[stage], a = after[stage];
      histogram d;
      for (const auto& [le, n] : a.buckets) d.buckets[le] = n - b.buckets[le];
      d.count = a.count - b.count;
      d.sum = a.sum - b.sum;
      if (d.count == 0) continue;
      const double p50 = d.quantile(0.5) * 1e3, p99 = d.quantile(0.99) * 1e3, mean = d.sum / d.count * 1e3;
      const double over_10ms = 1 - d.at_most(0.01) / d.count;
      std::cout << "    " << std::left << std::setw(10) << stage << std::right << std::fixed << std::setprecision(2)
                << std::setw(8) << p50 << std::setw(8) << p99 << std::setw(8) << mean << std::setw(8)
                << std::setprecision(1) << over_10ms * 100 << " %\n";
      out.set(key + "_" + stage + "_p99_ms", p99);
      out.set(key + "_" + stage + "_mean_ms", mean);
    }
  }

 private:
  struct histogram {
    std::map<double, double> buckets;  // upper bound (seconds) to the count at or below it
    double count = 0, sum = 0;
    double at_most(double le) const {
      auto it = buckets.find(le);
      return it == buckets.end() ? count : it->second;
    }
    double quantile(double q) const {
      const double rank = q * count;
      double lower = 0, below = 0;
      for (const auto& [le, n] : buckets) {
        if (n >= rank) return n == below ? le : lower + (le - lower) * (rank - below) / (n - below);
        lower = le;
        below = n;
      }
      return lower;  // in the +Inf bucket: the largest finite bound, as Prometheus answers
    }
  };
  // Stage name ("request" for the whole request) to its histogram.
  static std::map<std::string, histogram> read(const std::string& text) {
    std::map<std::string, histogram> out;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      std::string stage;
      std::string_view rest;
      if (line.starts_with("shuttle_request_duration_seconds")) {
        stage = "request";
        rest = std::string_view(line).substr(std::string_view("shuttle_request_duration_seconds").size());
      } else if (line.starts_with("shuttle_write_stage_seconds")) {
        const auto from = line.find("stage=\"") + 7;
        stage = line.substr(from, line.find('"', from) - from);
        rest = std::string_view(line).substr(std::string_view("shuttle_write_stage_seconds").size());
      } else {
        continue;
      }
      const double value = std::stod(line.substr(line.rfind(' ') + 1));
      histogram& h = out[stage];
      if (rest.starts_with("_sum")) {
        h.sum = value;
      } else if (rest.starts_with("_count")) {
        h.count = value;
      } else if (const auto le = rest.find("le=\""); le != std::string_view::npos) {
        const std::string bound(rest.substr(le + 4, rest.find('"', le + 4) - le - 4));
        if (bound != "+Inf") h.buckets[std::stod(bound)] = value;
      }
    }
    return out;
  }
  testing::relay_process& relay_;
  std::map<std::string, histogram> before_;
};

// (c) subscribers: one WebSocket each, all on one account; then one event for all.
struct fanout_result {
  std::size_t connected = 0, received = 0;
  double seconds_to_all = 0;
  std::uint64_t rss_before_kib = 0, rss_after_kib = 0;
};

fanout_result fanout(load_bench& b, std::size_t n) {
  namespace websocket = beast::websocket;
  using ws_stream = websocket::stream<tls_stream>;
  asio::io_context ioc;
  std::vector<std::unique_ptr<ws_stream>> streams;
  std::vector<std::unique_ptr<beast::flat_buffer>> buffers;
  std::atomic<std::size_t> connected{0}, received{0}, failed{0};
  clock_type::time_point last_received{};
  const auto port = b.relay->port();
  const std::string token = b.cases[0].r.token;
  fanout_result r;
  r.rss_before_kib = shuttle::bench::rss_kib(std::to_string(b.relay->pid()));

  auto subscriber = [&](ws_stream& ws, beast::flat_buffer& buf) -> awaitable<void> {
    if (!co_await connect(ws.next_layer(), port)) {
      ++failed;
      co_return;
    }
    ws.set_option(websocket::stream_base::decorator(
        [&token](websocket::request_type& req) { req.set(http::field::authorization, "Bearer " + token); }));
    if (auto [ec] = co_await ws.async_handshake("localhost", "/v1/events", tuple_awaitable); ec) {
      ++failed;
      co_return;
    }
    ++connected;
    auto [ec, bytes] = co_await ws.async_read(buf, tuple_awaitable);
    if (!ec) {
      ++received;
      last_received = clock_type::now();
    }
  };
  for (std::size_t i = 0; i < n; ++i) {
    streams.push_back(std::make_unique<ws_stream>(ioc, b.client_ctx));
    buffers.push_back(std::make_unique<beast::flat_buffer>());
  }
  // Connect in waves, so the handshakes do not all time out together.
  std::size_t next = 0;
  std::thread runner([&] {
    auto guard = asio::make_work_guard(ioc);
    ioc.run();
  });
  while (next < n) {
    const std::size_t wave = std::min<std::size_t>(n - next, 200);
    for (std::size_t i = 0; i < wave; ++i, ++next) {
      asio::co_spawn(ioc, subscriber(*streams[next], *buffers[next]), asio::detached);
    }
    while (connected + failed < next) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.connected = connected;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  r.rss_after_kib = shuttle::bench::rss_kib(std::to_string(b.relay->pid()));

  // One letter released to the account: one event to every subscriber.
  auto letter = prepare(b.cases[0], b.f, true);
  testing::https_client& http = *b.http;
  require(http.post_text(letter.target, letter.submit_body, b.cases[0].h.token), "fan-out submit");
  const auto approved_at = clock_type::now();
  require(http.post_text(letter.approve_target, letter.approve_body, b.cases[0].facilitator_token), "fan-out approve");
  const auto deadline = clock_type::now() + std::chrono::seconds(10);
  while (received < r.connected && clock_type::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  r.received = received;
  r.seconds_to_all = std::chrono::duration<double>(last_received - approved_at).count();
  ioc.stop();
  runner.join();
  return r;
}

// A relay started on a database holding `messages` letters in review: the
// time until it answers /healthz, and its CPU at rest for the seconds after
// (a share of one core). Nothing else runs, so what it spends is what it
// does on its own with that many letters waiting.
struct big_database {
  double seconds_to_healthz = 0;
  double idle_cpu_share = 0;
};
big_database start_with(std::size_t messages, double rest_seconds, figures& out) {
  testing::relay_process relay({"--log-level", "error"});
  const auto data = relay.data_dir() / "data";
  relay.stop();
  {
    SQLite::Database db((data / "relay.db").string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA synchronous = OFF");
    SQLite::Transaction t(db);
    const std::vector<byte> account(16, 1), case_id(16, 2), key(32, 3), hash(32, 4), blob(64, 5);
    SQLite::Statement a(db, "INSERT INTO accounts (id, identity_key, is_facilitator, created_at) VALUES (?, ?, 1, 0)");
    a.bind(1, account.data(), 16);
    a.bind(2, key.data(), 32);
    a.exec();
    SQLite::Statement c(db, "INSERT INTO cases (id, state, approvals_required, opened_by, open_statement, created_at) "
                            "VALUES (?, 'open', 1, ?, '{}', 0)");
    c.bind(1, case_id.data(), 16);
    c.bind(2, account.data(), 16);
    c.exec();
    SQLite::Statement m(db, "INSERT INTO messages (id, case_id, sender_account, kind, to_role, state, envelope, "
                            "ciphertext_size, ciphertext_hash, submitted_at) VALUES (?, ?, ?, 'letter', 'responsible', "
                            "'in_review', '{}', 64, ?, ?)");
    SQLite::Statement x(db, "INSERT INTO ciphertexts (message_id, bytes) VALUES (?, ?)");
    std::array<byte, 16> id{};
    for (std::size_t i = 0; i < messages; ++i) {
      std::memcpy(id.data(), &i, sizeof i);
      m.bind(1, id.data(), 16);
      m.bind(2, case_id.data(), 16);
      m.bind(3, account.data(), 16);
      m.bind(4, hash.data(), 32);
      m.bind(5, static_cast<std::int64_t>(i));
      m.exec();
      m.reset();
      x.bind(1, id.data(), 16);
      x.bind(2, blob.data(), 64);
      x.exec();
      x.reset();
    }
    t.commit();
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  const auto start = clock_type::now();
  relay.restart();  // returns once the relay listens
  testing::https_client http(relay.port(), testing::certificate_pin((data / "tls-certificate.pem").string()));
  while (http.get("/healthz").status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  big_database got;
  got.seconds_to_healthz = std::chrono::duration<double>(clock_type::now() - start).count();
  const std::string pid = std::to_string(relay.pid());
  const double cpu_before = shuttle::bench::cpu_seconds(pid);
  std::this_thread::sleep_for(std::chrono::duration<double>(rest_seconds));
  got.idle_cpu_share = (shuttle::bench::cpu_seconds(pid) - cpu_before) / rest_seconds;
  out.set("stored_messages", static_cast<double>(messages));
  return got;
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  settings cfg;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--short") {
      cfg.short_mode = true;
      cfg.clients = 8;
      cfg.seconds = 1.5;
      cfg.subscribers = 300;
      cfg.stored_messages = 20'000;
    } else if (a == "--seconds" && i + 1 < argc) {
      cfg.seconds = std::stod(argv[++i]);
    } else if (a == "--clients" && i + 1 < argc) {
      cfg.clients = std::stoul(argv[++i]);
    } else if (a == "--subscribers" && i + 1 < argc) {
      cfg.subscribers = std::stoul(argv[++i]);
    } else if (a == "--postgres") {
      // Every relay the bench starts keeps its data in a fresh PostgreSQL
      // database (relay_process), on the server pg_virtualenv started.
      cfg.postgres = true;
      ::setenv("SHUTTLE_TEST_POSTGRES", "1", 1);
    } else if (a == "--help") {
      std::cout << "shuttle-bench [--short] [--postgres] [--seconds S] [--clients N] [--subscribers N]: measures the "
                   "relay against ceilings taken in the same run (--postgres: with its data in PostgreSQL, under "
                   "pg_virtualenv)\n";
      return 0;
    }
  }
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < cfg.subscribers + 1000) cfg.subscribers = files.rlim_cur > 2000 ? files.rlim_cur - 1000 : 500;

  try {
    load_bench b;
    b.cfg = cfg;
    figures& out = b.out;
    std::cout << "Shuttle relay benchmark (" << (cfg.short_mode ? "short" : "full") << " mode, "
              << (cfg.postgres ? "PostgreSQL" : "SQLite") << "): " << cfg.clients
              << " clients, " << cfg.seconds << " s per phase, " << std::thread::hardware_concurrency() << " cores\n\n";

    b.start_relay();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const double idle_rss = static_cast<double>(shuttle::bench::rss_kib(std::to_string(b.relay->pid()))) / 1024.0;
    b.enrol_everyone();

    // Ceilings.
    std::cout << "Ceilings (this machine, this run)\n";
    const auto scratch = b.relay->data_dir();
    auto sample = prepare(b.cases[0], b.f, false);
    const double verify = verify_rate(sample);
    row("Ed25519 verify, 2 threads", verify, "/s");
    const double group = group_commit_rate(scratch);
    row("SQLite durable group commit (64 rows)", group, "rows/s");
    const std::size_t per_client = static_cast<std::size_t>(12000.0 * cfg.seconds / static_cast<double>(cfg.clients)) + 50;
    auto letters = b.prepare_all(per_client, false);
    double tls_floor = 0;
    {
      floor_server floor(scratch);
      auto copy = letters;
      auto r = b.submits(floor.port(), copy, std::nullopt, cfg.seconds);
      tls_floor = r.rate;
      row("TLS floor: same POSTs, no work", tls_floor, "/s");
    }
    out.set("ceiling_verify_per_s", verify);
    out.set("ceiling_group_commit_rows_per_s", group);
    out.set("ceiling_tls_floor_per_s", tls_floor);
    const double slower = std::min(tls_floor, verify);

    // (a) durable signed submits.
    std::cout << "\n(a) durable signed submits of 2 KiB letters" << std::endl;
    const double rss_before = static_cast<double>(shuttle::bench::rss_kib(std::to_string(b.relay->pid()))) / 1024.0;
    const std::string relay_pid = std::to_string(b.relay->pid());
    cpu_meter peak_cpu({relay_pid});
    auto peak = b.submits(b.relay->port(), letters, std::nullopt, cfg.seconds);
    row("throughput", peak.rate, "/s", "ratio to the slower ceiling " + two_places(peak.rate / slower));
    peak_cpu.report(peak.done, out, "submit");
    row("errors", static_cast<double>(peak.errors), "");
    print_latency("latency at full speed", peak.lat, out, "submit_peak");
    out.set("submit_per_s", peak.rate);
    out.set("submit_ratio_to_ceiling", peak.rate / slower);
    out.set("submit_errors", static_cast<double>(peak.errors));
    auto more = b.prepare_all(per_client / 2 + 50, false);
    stage_split half_stages(*b.relay);
    auto half = b.submits(b.relay->port(), more, peak.rate / 2, cfg.seconds);
    print_latency("latency paced at half the peak rate", half.lat, out, "submit_half");
    row("paced rate achieved", half.rate, "/s");
    half_stages.report(out, "submit_half_relay");
    out.set("submit_half_errors", static_cast<double>(half.errors));
    const double rss_after = static_cast<double>(shuttle::bench::rss_kib(std::to_string(b.relay->pid()))) / 1024.0;
    row("relay RSS before, after", rss_before, "MiB", two_places(rss_after) + " MiB after");
    if (!cfg.postgres) {
      // SQLite's log file keeps the largest size it reached (it starts
      // again from its beginning without shrinking): the checkpointer wakes
      // at 16 MiB (a quarter of the 64 MiB reserve), and the log should
      // pass that only by what is written during one copy.
      std::error_code ec;
      const auto log_bytes = std::filesystem::file_size(b.relay->data_dir() / "data" / "relay.db-wal", ec);
      const double log_mib = ec ? 0 : static_cast<double>(log_bytes) / (1024.0 * 1024.0);
      row("largest log (WAL) in (a)", log_mib, "MiB", "the checkpointer wakes at 16 MiB");
      out.set("submit_largest_log_mib", log_mib);
    }

    // (b) whole lifecycles.
    std::cout << "\n(b) whole lifecycles: submit, claim, approve, fetch\n";
    {
      auto cycle = b.prepare_all(static_cast<std::size_t>(4000.0 * cfg.seconds / static_cast<double>(cfg.clients)) + 20, true);
      asio::io_context ioc;
      run_state st;
      std::vector<std::array<latencies, 4>> lat(b.cases.size());
      st.until = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(cfg.seconds));
      cpu_meter cycle_cpu({relay_pid});
      const auto start = clock_type::now();
      for (std::size_t i = 0; i < b.cases.size(); ++i) {
        asio::co_spawn(ioc, lifecycler(b.client_ctx, b.relay->port(), b.cases[i], cycle[i], st, lat[i]), asio::detached);
      }
      ioc.run();
      const double rate = static_cast<double>(st.done) / std::chrono::duration<double>(clock_type::now() - start).count();
      // Four requests each, so four times the rate meets the same ceilings.
      row("lifecycles", rate, "/s", "4 requests each: ratio to the slower ceiling " + two_places(4 * rate / slower));
      cycle_cpu.report(st.done, out, "lifecycle");
      row("errors", static_cast<double>(st.errors), "");
      out.set("lifecycle_per_s", rate);
      out.set("lifecycle_ratio_to_ceiling", 4 * rate / slower);
      out.set("lifecycle_errors", static_cast<double>(st.errors));
      const char* names[] = {"submit", "claim", "approve", "fetch"};
      for (std::size_t s = 0; s < 4; ++s) {
        latencies all;
        for (auto& l : lat) all.micros.insert(all.micros.end(), l[s].micros.begin(), l[s].micros.end());
        print_latency(std::string("  ") + names[s], all, out, std::string("lifecycle_") + names[s]);
      }
    }

    // (b2) with PostgreSQL: the same submits through two relays on its database.
    if (cfg.postgres) {
      std::cout << "\n(b2) durable signed submits through two relays on one PostgreSQL database\n";
      auto flags = load_bench::relay_flags();
      flags.insert(flags.end(), {"--database", b.relay->database_url()});
      const auto key_of_a = b.relay->data_dir() / "data" / "relay-identity.key";
      testing::relay_process second(flags, [&key_of_a](const std::filesystem::path& dir) {
        std::filesystem::create_directories(dir / "data");
        std::filesystem::copy_file(key_of_a, dir / "data" / "relay-identity.key");
      });
      auto spread = b.prepare_all(per_client, false);
      cpu_meter both_cpu({relay_pid, std::to_string(second.pid())});
      auto both = b.submits({b.relay->port(), second.port()}, spread, std::nullopt, cfg.seconds);
      row("throughput", both.rate, "/s", "ratio to the slower ceiling " + two_places(both.rate / slower) +
                                             ", to one relay " + two_places(both.rate / peak.rate));
      both_cpu.report(both.done, out, "two_relays");
      row("errors", static_cast<double>(both.errors), "");
      print_latency("latency at full speed", both.lat, out, "two_relays_submit");
      out.set("two_relays_submit_per_s", both.rate);
      out.set("two_relays_ratio_to_ceiling", both.rate / slower);
      out.set("two_relays_errors", static_cast<double>(both.errors));
    }

    // (c) subscribers and fan-out.
    std::cout << "\n(c) " << cfg.subscribers << " idle WebSocket subscribers, then one event for all\n";
    auto fan = fanout(b, cfg.subscribers);
    const double per_subscriber_kib =
        fan.connected ? static_cast<double>(fan.rss_after_kib - std::min(fan.rss_after_kib, fan.rss_before_kib)) /
                            static_cast<double>(fan.connected)
                      : 0;
    row("connected", static_cast<double>(fan.connected), "");
    row("relay RSS growth per subscriber", per_subscriber_kib, "KiB");
    row("received the event", static_cast<double>(fan.received), "");
    // Events written per second during the fan-out, against the TLS floor's answers per second.
    const double events_per_s = fan.seconds_to_all > 0 ? static_cast<double>(fan.received) / fan.seconds_to_all : 0;
    row("fan-out to the last subscriber", fan.seconds_to_all * 1000, "ms",
        two_places(events_per_s / 1000) + "k events/s, ratio to the TLS floor " + two_places(events_per_s / tls_floor));
    out.set("fanout_events_per_s", events_per_s);
    out.set("fanout_ratio_to_tls_floor", events_per_s / tls_floor);
    out.set("subscribers", static_cast<double>(fan.connected));
    out.set("subscriber_rss_kib", per_subscriber_kib);
    out.set("fanout_received", static_cast<double>(fan.received));
    out.set("fanout_ms", fan.seconds_to_all * 1000);

    // (d) memory at rest, and a big database at start.
    std::cout << "\n(d) at rest\n";
    row("relay idle RSS", idle_rss, "MiB");
    out.set("idle_rss_mib", idle_rss);
    b.relay.reset();
    out.set("postgres", cfg.postgres ? 1 : 0);
    if (!cfg.postgres) {  // a relay.db filled in place: the SQLite store's start
      const auto big = start_with(cfg.stored_messages, cfg.short_mode ? 2.0 : 4.0, out);
      row("/healthz after start, " + std::to_string(cfg.stored_messages) + " messages", big.seconds_to_healthz * 1000,
          "ms");
      out.set("healthz_after_start_ms", big.seconds_to_healthz * 1000);
      row("relay CPU at rest, all of them in review", big.idle_cpu_share * 100, "%", "of one core");
      out.set("idle_cpu_percent_with_stored", big.idle_cpu_share * 100);
    }

    std::cout << "\n" << json::serialize(out.all) << "\n";
    const bool clean = peak.errors == 0 && half.errors == 0 && out.all.at("lifecycle_errors").as_double() == 0 &&
                       (!cfg.postgres || out.all.at("two_relays_errors").as_double() == 0) &&
                       fan.received == fan.connected && fan.connected == cfg.subscribers;
    return clean ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "shuttle-bench: " << e.what() << "\n";
    return 1;
  }
}
