// `shuttle enrol`, `whoami`, `logout`, and moving keys between clients
// (`export-keys`, `import-keys`): getting started.
#include "client-lib/cli/cli.hpp"
#include "proto/fingerprint.hpp"
#include "proto/invitation_code.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace shuttle::cli {
namespace {

// The consent text in the language asked for (or English, or the first),
// shown whole; agreed by typing it on a terminal, or by --agree after reading.
consent_chooser consent_asker(const std::string& language, bool agreed_beforehand) {
  return [language, agreed_beforehand](const std::vector<consent_offer>& offers) -> std::optional<std::size_t> {
    std::size_t chosen = 0;
    for (std::size_t i = 0; i < offers.size(); ++i) {
      if (offers[i].language == (language.empty() ? "en" : language)) chosen = i;
    }
    std::cerr << "Before you join, the service asks you to read what taking part means and agree to it ("
              << offers[chosen].language << "):\n\n" << offers[chosen].text << "\n\n";
    if (agreed_beforehand) return chosen;
    if (!isatty(STDIN_FILENO)) {
      std::cerr << "Once you have read it, run the same command again with --agree.\n";
      return std::nullopt;
    }
    std::cerr << "Type 'I agree' to agree and join, or anything else to stop here: ";
    std::string line;
    std::getline(std::cin, line);
    if (line == "I agree" || line == "i agree") return chosen;
    return std::nullopt;
  };
}

int cmd_enrol(int argc, char** argv) {
  common c;
  std::string code, relay, name, language;
  bool agree = false;
  po::options_description d("shuttle enrol CODE: join with the invitation code your facilitator gave you");
  add_common(d, c);
  d.add_options()("code", po::value(&code)->required(), "the invitation code (shuttle-invite-1....)")
      ("relay", po::value(&relay), "the relay's HOST:PORT, when the code names none")
      ("name", po::value(&name), "a new facilitator account: your name as colleagues and parties will see it")
      ("agree", po::bool_switch(&agree), "you have read the service's consent text (it is shown) and agree to it")
      ("language", po::value(&language), "the language to read the consent text in (en, nb, ...)");
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
                               name.empty() ? std::nullopt : std::optional<std::string>(name),
                               consent_asker(language, agree)));
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

// The keys file (SPEC 11.1) for the browser's console or another computer:
// the keystore still sealed under the passphrase, yours alone (0600).
int cmd_export_keys(int argc, char** argv) {
  common c;
  std::string file;
  po::options_description d("shuttle export-keys FILE: your keys and cases in one file, sealed under your passphrase, "
                            "for the facilitators' console in a browser or another computer");
  add_common(d, c);
  d.add_options()("file", po::value(&file)->required(), "the file to write (it must not exist)");
  po::positional_options_description pos;
  pos.add("file", 1);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const std::string text = need(a.export_profile());
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("Cannot write " + file + " (" + std::strerror(errno) + "). Nothing was saved; give a new file.");
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (::close(fd) != 0 || !written) throw std::runtime_error("Cannot write " + file + ". Please try another place.");
  answer(c, {{"file", file}}, "Saved your keys to " + file + ", sealed under your passphrase. Keep it as safe as the "
                              "passphrase: anyone with both reads what you read.");
  return 0;
}

int cmd_import_keys(int argc, char** argv) {
  common c;
  std::string file, relay, pin_text;
  po::options_description d("shuttle import-keys FILE [--relay HOST:PORT] [--relay-pin PIN]: use the keys saved by "
                            "export-keys or by the facilitators' console, in a new profile");
  add_common(d, c);
  d.add_options()("file", po::value(&file)->required(), "the keys file")
      ("relay", po::value(&relay), "the relay's HOST:PORT, when the file names none or another")
      ("relay-pin", po::value(&pin_text), "the SHA-256 pin of a self-signed relay certificate (base64url)");
  po::positional_options_description pos;
  pos.add("file", 1);
  if (!parse(argc, argv, d, pos)) return 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) cannot_read(file, std::strerror(errno), false);
  std::ostringstream text;
  text << in.rdbuf();
  auto a = need(account::import_profile(profile_dir(c), text.str(), passphrase(c, false),
                                        relay.empty() ? std::nullopt : std::optional<std::string>(relay),
                                        relay_pin(pin_text)));
  const auto cases = need(a.cases());
  answer(c, {{"cases", cases.size()}},
         "Your keys are in this profile, with " + count_of(cases.size(), "case", "cases") + ".");
  return 0;
}

const registered these{
    {"enrol", "Getting started", "join with an invitation code", cmd_enrol},
    {"whoami", "Getting started", "your identity and safety number", cmd_whoami},
    {"logout", "Getting started", "end the session", cmd_logout},
    {"export-keys", "Getting started", "save your keys and cases to a file, for the console or another computer",
     cmd_export_keys},
    {"import-keys", "Getting started", "use keys saved by export-keys or the console", cmd_import_keys},
};

}  // namespace
}  // namespace shuttle::cli
