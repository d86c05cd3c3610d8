// How much memory a client needs for the largest letter a relay takes,
// against a real relay: the peak resident growth of writing, reviewing and
// reading a letter with a 15.5 MiB attachment (16 MiB once sealed), each
// step measured from the moment before it (the keystore's Argon2id, which
// needs 256 MiB by design, happens before and is not counted). Each growth
// is set against the ceiling of 32 MiB (issue 13: a large attachment is
// sealed, sent, fetched and opened in bounded memory); over it, the run fails.
//
// The people are set up with the `shuttle` CLI, as a person would; the
// measured steps run the same client library in this process.
//
//   shuttle-memory-bench    (scripts/bench runs it, --short too)
#include "client-lib/account.hpp"
#include "tests/bench/rss.hpp"
#include "tests/integration/relay_process.hpp"

#include <boost/json.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace json = boost::json;
using namespace shuttle;
using shuttle::testing::relay_process;

constexpr std::uint64_t ceiling_kib = 32 * 1024;
constexpr std::size_t attachment_bytes = 15 * 1024 * 1024 + 512 * 1024;
constexpr const char* passphrase = "a long benchmark passphrase";

// Runs `shuttle ... --json` as one person and answers its JSON.
json::value cli(const std::filesystem::path& profile, std::vector<std::string> args) {
  std::string line = "SHUTTLE_PASSPHRASE='" + std::string(passphrase) + "' " SHUTTLE_CLI_BINARY;
  for (auto& a : args) line += " '" + a + "'";
  line += " --json --profile '" + profile.string() + "' 2>/dev/null </dev/null";
  FILE* p = ::popen(line.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  if (::pclose(p) != 0) throw std::runtime_error("shuttle " + args.front() + " failed: " + out);
  return json::parse(out);
}

std::string field(const json::value& v, const char* key) { return std::string(v.as_object().at(key).as_string()); }

template <class T>
T must(result<T> r) {
  if (!r) throw std::runtime_error(r.error().message());
  return std::move(*r);
}
void must(result<void> r) {
  if (!r) throw std::runtime_error(r.error().message());
}

// The peak growth of one step, in KiB, from the moment before it.
std::uint64_t growth_of(const std::function<void()>& step) {
  // Memory the allocator kept from an earlier step would hide this one's.
  ::malloc_trim(0);
  if (!bench::reset_peak()) throw std::runtime_error("cannot reset the peak (/proc/self/clear_refs)");
  const std::uint64_t before = bench::rss_kib();
  step();
  const std::uint64_t peak = bench::peak_kib();
  return peak > before ? peak - before : 0;
}

}  // namespace

int main() try {
  relay_process relay({"--address-burst", "100000", "--address-per-minute", "100000", "--account-write-burst",
                       "100000"});
  const auto people = relay.data_dir() / "people";
  const auto f = people / "facilitator", h = people / "harmed", r = people / "responsible";
  cli(f, {"enrol", relay.invite_facilitator(), "--name", "Bench Facilitator"});
  const std::string case_text = field(cli(f, {"case", "open"}), "case");
  for (const auto& [who, role] : {std::pair{h, "harmed"}, std::pair{r, "responsible"}}) {
    cli(who, {"enrol", field(cli(f, {"invite", case_text, "--role", role}), "code")});
    cli(f, {"attest", case_text, "--safety-number", field(cli(who, {"whoami"}), "safety_number")});
  }
  const auto photo = people / "photo.jpg";
  {
    std::ofstream out(photo, std::ios::binary);
    std::string block(1024 * 1024, '\0');
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>((i * 2654435761u) >> 24);
    for (std::size_t written = 0; written < attachment_bytes; written += block.size()) {
      out.write(block.data(), static_cast<std::streamsize>(std::min(block.size(), attachment_bytes - written)));
    }
  }

  auto writer = must(client::account::open(h, passphrase));
  auto facilitator = must(client::account::open(f, passphrase));
  auto reader = must(client::account::open(r, passphrase));
  const proto::id case_id = must(writer.resolve_case(case_text));

  struct step {
    const char* what;
    std::uint64_t small_kib, large_kib;
  };
  std::vector<step> steps;
  proto::id small{}, large{};
  auto write = [&](bool with_photo, proto::id& out) {
    return growth_of([&] {
      client::account::draft d;
      d.content = client::document::text(with_photo ? "With a photo." : "One line.");
      if (with_photo) {
        client::attachment a{"photo.jpg", "image/jpeg", bytes(attachment_bytes)};
        std::ifstream in(photo, std::ios::binary);
        in.read(reinterpret_cast<char*>(a.data.data()), static_cast<std::streamsize>(a.data.size()));
        d.content.attachments.push_back(std::move(a));
      }
      out = must(writer.send(case_id, d));
    });
  };
  const auto write_small = write(false, small);
  const auto write_large = write(true, large);
  steps.push_back({"read the file, seal, send", write_small, write_large});
  auto review = [&](const proto::id& m) {
    return growth_of([&] {
      must(facilitator.claim(case_id, m));
      (void)must(facilitator.read(case_id, m));
    });
  };
  const auto review_small = review(small);
  const auto review_large = review(large);
  steps.push_back({"fetch and open for review", review_small, review_large});
  must(facilitator.approve(case_id, small));
  must(facilitator.approve(case_id, large));
  std::uint64_t received = 0;
  auto read = [&](const proto::id& m) {
    return growth_of([&] {
      auto l = must(reader.read(case_id, m));
      for (const auto& a : l.content.attachments) received = a.data.size();
    });
  };
  const auto read_small = read(small);
  const auto read_large = read(large);
  steps.push_back({"fetch, open and keep (read)", read_small, read_large});
  if (received != attachment_bytes) throw std::runtime_error("the attachment did not arrive whole");

  bool over = false;
  std::printf("Peak memory growth of a client for a %.1f MiB attachment (the largest letter: 16 MiB sealed)\n",
              static_cast<double>(attachment_bytes) / (1024.0 * 1024.0));
  std::printf("%-30s %12s %12s %9s\n", "step", "one line", "large", "/ceiling");
  for (const auto& s : steps) {
    const double ratio = static_cast<double>(s.large_kib) / static_cast<double>(ceiling_kib);
    over |= s.large_kib >= ceiling_kib;
    std::printf("%-30s %8.1f MiB %8.1f MiB %9.2f\n", s.what, s.small_kib / 1024.0, s.large_kib / 1024.0, ratio);
  }
  std::printf("ceiling: %.0f MiB of growth per step (the letter itself is 15.5 MiB)\n", ceiling_kib / 1024.0);
  if (over) {
    std::fprintf(stderr, "shuttle-memory-bench: a step grew past its ceiling\n");
    return 1;
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "shuttle-memory-bench: %s\n", e.what());
  return 1;
}
