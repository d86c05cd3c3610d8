// People driving the `shuttle` CLI in tests: each a profile directory,
// each command a subprocess (stdout and stderr read together), and a scene
// with a real relay, a facilitator and a case.
#pragma once

#include "tests/integration/relay_process.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/wait.h>

namespace shuttle::testing {

namespace json = boost::json;

struct ran {
  int status = -1;
  std::string out;  // stdout, or stdout and stderr together
  json::value json() const {
    boost::system::error_code ec;
    auto v = json::parse(out, ec);
    return ec ? json::value() : v;
  }
};

inline std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline constexpr const char* passphrase = "a long test passphrase";

// One command of one person (a profile directory).
struct person {
  std::filesystem::path profile;
  std::string pass = passphrase;

  ran run(const std::string& command, const std::vector<std::string>& args, bool with_stderr = true) const {
    std::string line = "SHUTTLE_PASSPHRASE=" + quoted(pass) + " " + quoted(SHUTTLE_CLI_BINARY) + " " + command +
                       " --profile " + quoted(profile.string());
    for (const auto& a : args) line += " " + quoted(a);
    line += with_stderr ? " 2>&1 </dev/null" : " 2>/dev/null </dev/null";
    return shell(line);
  }
  // One command at a terminal (script(1) gives it one), with `typed` as
  // what the person types; what the terminal showed (lines end in \r\n).
  ran at_terminal(const std::string& command, const std::vector<std::string>& args, const std::string& typed,
                  const std::string& env = {}) const {
    std::string line = env + " SHUTTLE_PASSPHRASE=" + quoted(pass) + " " + quoted(SHUTTLE_CLI_BINARY) + " " + command +
                       " --profile " + quoted(profile.string());
    for (const auto& a : args) line += " " + quoted(a);
    std::filesystem::path input = profile.parent_path() / (profile.filename().string() + ".typed");
    std::filesystem::create_directories(input.parent_path());
    std::FILE* f = std::fopen(input.c_str(), "wb");
    std::fwrite(typed.data(), 1, typed.size(), f);
    std::fclose(f);
    return shell("script -qec " + testing::quoted(line) + " /dev/null < " + testing::quoted(input.string()) + " 2>&1");
  }
  static ran shell(const std::string& line) {
    ran r;
    FILE* p = popen(line.c_str(), "r");
    std::array<char, 4096> buf;
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
    const int status = pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }
  // A --json command that must succeed; its answer.
  json::value ok(const std::string& command, std::vector<std::string> args) const {
    args.push_back("--json");
    auto r = run(command, args, false);
    EXPECT_EQ(r.status, 0) << command << ": " << r.out;
    return r.json();
  }
};

inline std::string text(const json::value& v, std::string_view key) {
  if (const auto* o = v.if_object()) {
    if (const auto* f = o->if_contains(key); f && f->is_string()) return std::string(f->as_string());
  }
  return "";
}

// A relay, a facilitator with a case, and helpers to bring in parties.
struct scene {
  relay_process relay;
  std::filesystem::path root = relay.data_dir() / "people";
  person f{root / "facilitator"};
  std::string case_id;

  // `relay_args`: more of the relay's options (e.g. --consent-dir).
  explicit scene(std::vector<std::string> relay_args = {}) : relay(with_defaults(std::move(relay_args))) {
    auto enrolled = f.run("enrol", {relay.invite_facilitator(), "--name", "Ingrid Berg"});
    EXPECT_EQ(enrolled.status, 0) << enrolled.out;
    case_id = text(f.ok("case", {"open"}), "case");
  }
  // Makes the scene's case a new two-person case with a second facilitator
  // (enrolled by the operator's invitation, joined and attested); returns them.
  person two_person_case() {
    person g{root / "second-facilitator"};
    EXPECT_EQ(g.run("enrol", {relay.invite_facilitator(), "--name", "Tomas Lie"}).status, 0);
    case_id = text(f.ok("case", {"open", "--two-person"}), "case");
    EXPECT_EQ(g.run("enrol", {text(f.ok("invite", {case_id, "--role", "facilitator"}), "code")}).status, 0);
    f.ok("attest", {case_id, "--safety-number", text(g.ok("whoami", {}), "safety_number")});
    return g;
  }
  static std::vector<std::string> with_defaults(std::vector<std::string> more) {
    std::vector<std::string> args{"--address-burst", "100000", "--address-per-minute", "100000"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
  person party(const std::string& name, const std::string& role, bool attest = true) {
    person p{root / name};
    const std::string code = text(f.ok("invite", {case_id, "--role", role}), "code");
    auto r = p.run("enrol", {code});
    EXPECT_EQ(r.status, 0) << r.out;
    if (attest) {
      const std::string safety = text(p.ok("whoami", {}), "safety_number");
      f.ok("attest", {case_id, "--safety-number", safety});
    }
    return p;
  }
};

}  // namespace shuttle::testing
