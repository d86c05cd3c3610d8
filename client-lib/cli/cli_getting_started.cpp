// `shuttle enrol`, `whoami` and `logout`: getting started.
#include "client-lib/cli/cli.hpp"
#include "proto/fingerprint.hpp"
#include "proto/invitation_code.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <iostream>

namespace shuttle::cli {
namespace {

int cmd_enrol(int argc, char** argv) {
  common c;
  std::string code, relay, name;
  po::options_description d("shuttle enrol CODE: join with the invitation code your facilitator gave you");
  add_common(d, c);
  d.add_options()("code", po::value(&code)->required(), "the invitation code (shuttle-invite-1....)")
      ("relay", po::value(&relay), "the relay's HOST:PORT, when the code names none")
      ("name", po::value(&name), "a new facilitator account: your name as colleagues and parties will see it");
  po::positional_options_description pos;
  pos.add("code", 1);
  auto vm = parse(argc, argv, d, pos);
  if (!vm) return 0;
  const auto dir = profile_dir(c);
  const bool existing = std::filesystem::exists(keystore_path(dir));
  // Only the operator's code makes a facilitator account, which has a name.
  if (name.empty() && !existing && isatty(STDIN_FILENO) && !c.as_json) {
    if (auto parsed = proto::parse_invitation_code(code); parsed && parsed->case_id == proto::null_case) {
      std::cerr << "Your name, as your colleagues and the parties will see it: ";
      std::getline(std::cin, name);
    }
  }
  auto a = need(account::enrol(dir, code, passphrase(c, !existing),
                               relay.empty() ? std::nullopt : std::optional<std::string>(relay),
                               name.empty() ? std::nullopt : std::optional<std::string>(name)));
  if (c.as_json) {
    print_json(json::object{{"identity", b64(a.identity())}, {"safety_number", a.safety_number()},
                            {"facilitator", a.is_facilitator()}});
    return 0;
  }
  std::cout << "You are enrolled. Your keys are in " << dir.string() << ".\n"
            << "Your safety number (read it to your facilitator when you meet):\n  " << a.safety_number() << "\n";
  return 0;
}

int cmd_whoami(int argc, char** argv) {
  common c;
  po::options_description d("shuttle whoami: your identity, safety number and relay");
  add_common(d, c);
  if (!parse(argc, argv, d)) return 0;
  auto a = open_account(c);
  if (c.as_json) {
    print_json(json::object{{"identity", b64(a.identity())}, {"safety_number", a.safety_number()},
                            {"relay", a.relay().text()}, {"facilitator", a.is_facilitator()}});
    return 0;
  }
  std::cout << "Identity:      " << b64(a.identity()) << "\n"
            << "Safety number: " << a.safety_number() << "\n"
            << "Relay:         " << a.relay().text() << "\n"
            << "Facilitator:   " << (a.is_facilitator() ? "yes" : "no") << "\n";
  return 0;
}

int cmd_logout(int argc, char** argv) {
  common c;
  po::options_description d("shuttle logout: end this profile's session on the relay");
  add_common(d, c);
  if (!parse(argc, argv, d)) return 0;
  auto a = open_account(c);
  need(a.logout());
  answer(c, {}, "Logged out.");
  return 0;
}

const registered these{
    {"enrol", "Getting started", "join with an invitation code", cmd_enrol},
    {"whoami", "Getting started", "your identity and safety number", cmd_whoami},
    {"logout", "Getting started", "end the session", cmd_logout},
};

}  // namespace
}  // namespace shuttle::cli
