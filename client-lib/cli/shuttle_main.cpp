// shuttle: the command-line client for facilitators, harmed parties and
// responsible parties. One binary over client-lib's account API; every
// command is `shuttle COMMAND [options]` with --help. docs/CLI.md is the
// command reference.
//
// The passphrase comes from SHUTTLE_PASSPHRASE, from --passphrase-fd N, or
// is asked on the terminal without echo. The profile is --profile DIR,
// SHUTTLE_PROFILE, or ~/.shuttle.
//
// The commands live in cli_*.cpp by group and register themselves
// (cli.hpp); this file prints the usage and runs the one named.
#include "client-lib/cli/cli.hpp"
#include "client-lib/process.hpp"

#include <boost/json.hpp>
#include <boost/program_options/errors.hpp>

#include <algorithm>
#include <iostream>

namespace {

using namespace shuttle::cli;

// The groups in the order the usage lists them; a group not named here comes last.
const std::vector<std::string> group_order{"Getting started", "Cases", "Letters", "Review", "Live", "Checks"};

std::vector<command> in_usage_order() {
  std::vector<command> all = commands();
  const auto rank = [](const command& c) {
    return std::find(group_order.begin(), group_order.end(), c.group) - group_order.begin();
  };
  std::stable_sort(all.begin(), all.end(), [&](const command& a, const command& b) { return rank(a) < rank(b); });
  return all;
}

void usage(std::ostream& out) {
  out << "shuttle: letters through your facilitator, end-to-end encrypted.\n\nusage: shuttle COMMAND [options]\n";
  std::string group;
  for (const auto& c : in_usage_order()) {
    if (c.group != group) {
      group = c.group;
      out << "\n" << group << ":\n";
    }
    out << "  " << c.name << std::string(14 - std::min<std::size_t>(c.name.size(), 13), ' ') << c.summary << "\n";
  }
  out << "\nEvery command has --help, --profile DIR, --json and --passphrase-fd N; `shuttle --version` names\n"
         "the version.\n"
         "The passphrase is asked without echo, or read from SHUTTLE_PASSPHRASE.\n";
}

}  // namespace

int main(int argc, char** argv) {
  shuttle::client::harden_process();
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" || std::string(argv[1]) == "help") {
    usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  const std::string name = argv[1];
  if (name == "--version") {
    std::cout << "shuttle " << SHUTTLE_VERSION << " (protocol: Shuttle protocol, version 1)\n";
    return 0;
  }
  bool json_errors = false;
  for (int i = 2; i < argc; ++i) json_errors |= std::string(argv[i]) == "--json";
  for (const auto& c : commands()) {
    if (c.name != name) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const failure& f) {
      if (json_errors) {
        std::cout << json::serialize(json::object{{"error", to_string(f.e.code)}, {"message", f.what()}}) << "\n";
      } else {
        std::cerr << "shuttle " << name << ": " << f.what() << "\n";
      }
      return 1;
    } catch (const po::error& e) {
      std::cerr << "shuttle " << name << ": " << e.what() << " (see shuttle " << name << " --help)\n";
      return 2;
    } catch (const std::exception& e) {
      if (json_errors) {
        std::cout << json::serialize(json::object{{"error", "invalid_argument"}, {"message", e.what()}}) << "\n";
      } else {
        std::cerr << "shuttle " << name << ": " << e.what() << "\n";
      }
      return 1;
    }
  }
  std::cerr << "shuttle: no command '" << name << "'\n";
  usage(std::cerr);
  return 2;
}