// The client library's speed and memory (Google Benchmark): sealing and
// opening a 1 MiB letter for three readers, and sealing a 100 MiB attachment
// with streaming, where the process's memory must stay flat.
#include "client-lib/letter.hpp"
#include "client-lib/statements.hpp"
#include "proto/base64.hpp"
#include "tests/bench/rss.hpp"

#include <benchmark/benchmark.h>
#include <sodium.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using namespace shuttle;


struct people {
  client::identity_key sender = client::identity_key::generate();
  client::case_key sender_key = client::case_key::generate();
  client::identity_key f1 = client::identity_key::generate(), f2 = client::identity_key::generate();
  client::case_key k1 = client::case_key::generate(), k2 = client::case_key::generate();
  proto::id case_id = client::new_id();
  std::vector<client::reader_key> facilitators() const {
    return {{f1.public_key(), k1.public_key()}, {f2.public_key(), k2.public_key()}};
  }
  client::letter_draft draft() const {
    client::letter_draft d;
    d.header = client::header_for(case_id);
    d.header.signer = sender.public_key();
    return d;
  }
};

client::document one_mebibyte() {
  client::document d;
  d.body.resize(1024 * 1024);
  randombytes_buf(d.body.data(), d.body.size());
  return d;
}

void SealLetter1MiBForThreeReaders(benchmark::State& state) {
  people p;
  const auto doc = one_mebibyte();
  for (auto _ : state) {
    auto sealed = client::seal_letter(p.sender, p.sender_key, p.draft(), p.facilitators(), doc);
    benchmark::DoNotOptimize(sealed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(doc.body.size()));
}
BENCHMARK(SealLetter1MiBForThreeReaders)->Unit(benchmark::kMillisecond);

void OpenLetter1MiB(benchmark::State& state) {
  people p;
  const auto doc = one_mebibyte();
  auto sealed = *client::seal_letter(p.sender, p.sender_key, p.draft(), p.facilitators(), doc);
  const proto::id id = sealed.envelope.header.statement_id;
  for (auto _ : state) {
    auto key = client::unwrap_for(sealed.envelope.wraps, id, p.f1, p.k1);
    auto opened = client::decrypt_letter(sealed.envelope, sealed.ciphertext, *key);
    if (!opened || opened->body.size() != doc.body.size()) state.SkipWithError("the letter did not open");
    benchmark::DoNotOptimize(opened);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(doc.body.size()));
}
BENCHMARK(OpenLetter1MiB)->Unit(benchmark::kMillisecond);

// Streams a 100 MiB attachment through the builder in 1 MiB pieces; the
// ciphertext goes to a sink that only counts it, as a client streaming to
// the network or a file would. Reports how much the process grew.
void SealAttachment100MiBStreaming(benchmark::State& state) {
  people p;
  constexpr std::size_t total = 100 * 1024 * 1024;
  std::vector<byte> piece(1024 * 1024);
  randombytes_buf(piece.data(), piece.size());
  double growth_mib = 0;
  for (auto _ : state) {
    const std::uint64_t before = bench::rss_kib();
    std::uint64_t peak = before, out = 0;
    client::letter_builder builder(p.sender, p.sender_key, p.draft(), p.facilitators(), total,
                                   [&out](bytes_view chunk) { out += chunk.size(); });
    for (std::size_t sent = 0; sent < total; sent += piece.size()) {
      if (!builder.write(piece)) state.SkipWithError("write failed");
      peak = std::max(peak, bench::rss_kib());
    }
    auto e = builder.finish();
    if (!e) state.SkipWithError("finish failed");
    peak = std::max(peak, bench::rss_kib());
    growth_mib = static_cast<double>(peak - before) / 1024.0;
    benchmark::DoNotOptimize(out);
  }
  state.counters["rss_growth_MiB"] = growth_mib;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(total));
}
BENCHMARK(SealAttachment100MiBStreaming)->Unit(benchmark::kMillisecond)->Iterations(1);

// The text of a letter's ciphertext as the relay decodes it from a request
// body (the bench's letters are 2,200 bytes): the constant-time decoder, and
// the table-driven one the relay uses for ciphertext.
std::string letter_text() {
  bytes letter(2200);
  randombytes_buf(letter.data(), letter.size());
  return proto::base64url_encode(letter);
}

void DecodeLetterTextConstantTime(benchmark::State& state) {
  const std::string text = letter_text();
  for (auto _ : state) benchmark::DoNotOptimize(proto::base64url_decode(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(DecodeLetterTextConstantTime)->Unit(benchmark::kMicrosecond);

void DecodeLetterTextPublic(benchmark::State& state) {
  const std::string text = letter_text();
  for (auto _ : state) benchmark::DoNotOptimize(proto::base64url_decode_public(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(DecodeLetterTextPublic)->Unit(benchmark::kMicrosecond);

// Prints as the console reporter does and keeps each benchmark's bytes per
// second (the median when repeated), for the ceiling below.
class rate_keeper : public benchmark::ConsoleReporter {
 public:
  rate_keeper() : ConsoleReporter(::isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.error_occurred || !(r.aggregate_name.empty() || r.aggregate_name == "median")) continue;
      if (auto c = r.counters.find("bytes_per_second"); c != r.counters.end()) {
        rates[r.run_name.function_name] = c->second.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> rates;
};

// Sealing a whole letter does the streaming seal's work and one copy of the
// ciphertext into its buffer: set against the streaming seal in the same run,
// it may take at most twice as long per byte (1.3-1.4 measured; 5.6 when the
// letter was copied as it grew, docs/PERFORMANCE.md).
constexpr double max_whole_to_streaming = 2.0;

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  benchmark::Initialize(&argc, argv);
  rate_keeper reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const auto whole = reporter.rates.find("SealLetter1MiBForThreeReaders");
  const auto streaming = reporter.rates.find("SealAttachment100MiBStreaming");
  if (whole == reporter.rates.end() || streaming == reporter.rates.end() || whole->second <= 0) return 0;
  const double ratio = streaming->second / whole->second;
  std::printf("sealing a whole 1 MiB letter, per byte, against streaming: %.2f (at most %.1f)\n", ratio,
              max_whole_to_streaming);
  if (ratio > max_whole_to_streaming) {
    std::fprintf(stderr, "shuttle-client-bench: sealing a whole letter takes %.2f times streaming's time per byte, over %.1f\n",
                 ratio, max_whole_to_streaming);
    return 1;
  }
  return 0;
}
