// shuttle: the command-line client for facilitators, harmed parties and
// responsible parties. One binary over client-lib's account API; every
// command is `shuttle COMMAND [options]` with --help. docs/CLI.md is the
// command reference.
//
// The passphrase comes from SHUTTLE_PASSPHRASE, from --passphrase-fd N, or
// is asked on the terminal without echo. The profile is --profile DIR,
// SHUTTLE_PROFILE, or ~/.shuttle.
#include "client-lib/account.hpp"
#include "client-lib/process.hpp"
#include "client-lib/release_time.hpp"
#include "client-lib/web_verify.hpp"
#include "proto/base64.hpp"
#include "proto/fingerprint.hpp"
#include "proto/invitation_code.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

namespace {

using namespace shuttle;
using namespace shuttle::client;
namespace po = boost::program_options;
namespace json = boost::json;

template <std::size_t N>
std::string b64(const fixed<N>& v) {
  return proto::base64url_encode(v);
}

// A short form of an id for people; any unique prefix is accepted back.
std::string short_id(const proto::id& id) { return b64(id).substr(0, 8); }

std::atomic<bool> interrupted{false};

// ------------------------------------------------------------------ options shared by every command

struct common {
  std::string profile;
  int passphrase_fd = -1;
  bool as_json = false;
};

// One answer of a command: its JSON value with --json, else its sentence.
void answer(const common& c, const json::object& value, const std::string& words) {
  std::cout << (c.as_json ? json::serialize(value) : words) << "\n";
}

void add_common(po::options_description& d, common& c) {
  d.add_options()
      ("help", "show this help")
      ("profile", po::value(&c.profile), "the profile directory (default: $SHUTTLE_PROFILE or ~/.shuttle)")
      ("passphrase-fd", po::value(&c.passphrase_fd), "read the passphrase from this file descriptor (for scripts)")
      ("json", po::bool_switch(&c.as_json), "print JSON instead of sentences");
}

std::filesystem::path profile_dir(const common& c) {
  if (!c.profile.empty()) return c.profile;
  if (const char* p = std::getenv("SHUTTLE_PROFILE"); p && *p) return p;
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".shuttle";
  return ".shuttle";
}

std::string ask_hidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  const bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return line;
}

std::string passphrase(const common& c, bool new_one) {
  if (c.passphrase_fd >= 0) {
    std::string out;
    char ch = 0;
    while (::read(c.passphrase_fd, &ch, 1) == 1 && ch != '\n') out.push_back(ch);
    return out;
  }
  if (const char* p = std::getenv("SHUTTLE_PASSPHRASE"); p) return p;
  if (!isatty(STDIN_FILENO)) throw std::runtime_error("no passphrase: set SHUTTLE_PASSPHRASE or use --passphrase-fd");
  std::string first = ask_hidden(new_one ? "Choose a passphrase for your keys: " : "Passphrase: ");
  if (new_one) {
    if (first.size() < 8) throw std::runtime_error("please choose a passphrase of at least 8 characters");
    if (ask_hidden("Once more, to be sure: ") != first) throw std::runtime_error("the two passphrases differ");
  }
  return first;
}

// ------------------------------------------------------------------ errors, calmly

// What to tell a person for each error; the code goes in --json output.
std::string explain(const error& e) {
  switch (e.code) {
    case errc::wrong_passphrase: return "That passphrase does not open these keys. Please try again.";
    case errc::relay_unreachable: return "The relay cannot be reached right now (" + e.detail + "). Nothing was sent; please try again later.";
    case errc::tls_failure: return "The relay's identity could not be confirmed (" + e.detail + "). Nothing was sent.";
    case errc::facilitator_mismatch:
      return "The relay presented a different facilitator than your invitation names. Nothing was sent; please "
             "tell your facilitator.";
    case errc::not_attested: return "Not yet: " + e.detail + (e.detail.ends_with('.') ? "" : ".");
    case errc::key_changed:
      return "Someone's keys changed since they were checked. Nothing was sent until a facilitator checks them again.";
    // These details are whole sentences: client-lib's own, or the refusal
    // catalogue's (proto/refusals.json) for what the relay answered.
    case errc::withdrawn: return e.detail;
    case errc::case_closed: return "This case is closed; nothing more can be sent.";
    case errc::not_found: return e.detail;
    case errc::not_logged_in: return e.detail.empty() ? "Please enrol or log in first." : e.detail;
    case errc::invalid_argument: return e.detail.empty() ? "That cannot be used here." : e.detail;
    case errc::relay_refused:
      // An answer the client could not use (relay_answers.hpp) names what was wrong with it.
      if (e.detail.starts_with("the relay")) {
        return "The relay sent an answer this program cannot use (" + e.detail +
               "). Nothing was changed on this device; please try again later, and tell your facilitator if it "
               "happens again.";
      }
      // The catalogue's sentence for the relay's code, without the code word ("claimed: ...").
      if (const auto colon = e.detail.find(": "); colon != std::string::npos && colon + 2 < e.detail.size()) {
        return e.detail.substr(colon + 2);
      }
      return "The relay refused this (" + e.detail + ").";
    case errc::bad_encoding:
    case errc::bad_value:
    case errc::too_large:
      if (e.detail.find("invitation code") != std::string::npos) {
        return "That invitation code is not complete or has a typing mistake. Please copy all of it again, or ask "
               "your facilitator for a new one.";
      }
      return e.message();
    default: return e.message();
  }
}

struct failure : std::runtime_error {
  error e;
  explicit failure(error err) : std::runtime_error(explain(err)), e(std::move(err)) {}
};

template <class T>
T need(result<T> r) {
  if (!r) throw failure(r.error());
  return std::move(*r);
}
inline void need(result<void> r) {
  if (!r) throw failure(r.error());
}

// ------------------------------------------------------------------ printing

// Times are shown in the user's local time zone.
std::string when(std::uint64_t t) { return local_time_words(t); }

// "1 letter", "2 letters": counts in words, never "letter(s)".
std::string count_of(std::uint64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// A file the person named that cannot be read: what, why, and what to do.
[[noreturn]] void cannot_read(const std::string& path, const std::string& why, bool sending = true) {
  throw std::runtime_error("Cannot read " + path + " (" + why + ")." + (sending ? " Nothing was sent." : "") +
                           " Please check the file's name and that you may read it.");
}

std::string role_words(proto::role r) {
  switch (r) {
    case proto::role::facilitator: return "facilitator";
    case proto::role::harmed: return "harmed party";
    case proto::role::responsible: return "responsible party";
    case proto::role::harmed_support: return "supporter of the harmed party";
    case proto::role::responsible_support: return "supporter of the responsible party";
  }
  return "?";
}

void print_json(const json::value& v) { std::cout << json::serialize(v) << "\n"; }

json::object message_json(const message_summary& m) {
  json::object o{{"message", b64(m.message)}, {"case", b64(m.case_id)}, {"kind", proto::to_string(m.kind)},
                 {"sender", b64(m.sender)},    {"to", proto::to_string(m.to)},  {"state", m.state},
                 {"status", status_words(m.state, m.mine)}, {"size", m.size},          {"mine", m.mine}};
  if (m.released_at) o["released_at"] = *m.released_at;
  if (m.submitted_at) o["submitted_at"] = *m.submitted_at;
  if (m.release_at) o["release_at"] = *m.release_at;
  if (m.supersedes) o["revises"] = b64(*m.supersedes);
  if (m.answers) o["answers"] = b64(*m.answers);
  return o;
}

std::string document_text(const document& d) { return std::string(d.body.begin(), d.body.end()); }

// ------------------------------------------------------------------ commands

struct command {
  std::string name;
  std::string group;
  std::string summary;
  std::function<int(int, char**)> run;
};

// Parses a command's options; prints its help and returns nothing for --help.
// An id (22 characters of base64url) may start with "-" or even "--"
// (1 in 64 and 1 in 4,096 ids): such a word is the id a person typed or
// pasted, never an option, unless an option has exactly that name.
std::vector<po::option> ids_are_not_options(const po::options_description& d, std::vector<std::string>& args) {
  std::vector<po::option> out;
  if (args.empty()) return out;
  const std::string& word = args.front();
  constexpr std::size_t id_text_chars = 22;  // base64url of 16 bytes
  const bool id_like = word.size() == id_text_chars && word.starts_with('-') &&
                       std::all_of(word.begin(), word.end(), [](unsigned char ch) {
                         return std::isalnum(ch) || ch == '-' || ch == '_';
                       });
  if (!id_like || d.find_nothrow(word.substr(word.find_first_not_of('-')), false)) return out;
  po::option positional;
  positional.value.push_back(word);
  positional.original_tokens.push_back(word);
  out.push_back(std::move(positional));
  args.erase(args.begin());
  return out;
}

std::optional<po::variables_map> parse(int argc, char** argv, po::options_description& d,
                                       po::positional_options_description pos = {}) {
  po::variables_map vm;
  // No short options: ids are base64url and may start with '-'.
  const auto style = po::command_line_style::unix_style ^ po::command_line_style::allow_short;
  po::store(po::command_line_parser(argc, argv)
                .options(d)
                .positional(pos)
                .style(style)
                .extra_style_parser([&d](std::vector<std::string>& args) { return ids_are_not_options(d, args); })
                .run(),
            vm);
  if (vm.count("help")) {
    std::cout << d << "\n";
    return std::nullopt;
  }
  po::notify(vm);
  return vm;
}

// The CASE (and LETTER) most commands take: ids, or any unique start of one.
struct target {
  std::string case_text, letter_text;

  po::positional_options_description add(po::options_description& d, bool with_letter) {
    po::positional_options_description pos;
    d.add_options()("case", po::value(&case_text)->required(), "the case (its id or the start of it)");
    pos.add("case", 1);
    if (with_letter) {
      d.add_options()("letter", po::value(&letter_text)->required(), "the letter (its id or the start of it)");
      pos.add("letter", 1);
    }
    return pos;
  }
  proto::id case_id(account& a) const { return need(a.resolve_case(case_text)); }
  std::pair<proto::id, proto::id> both(account& a) const {
    const auto id = case_id(a);
    return {id, need(a.resolve_message(id, letter_text))};
  }
};

// A large letter's progress on the terminal: "sending: 40% of 15.2 MiB".
void show_progress(std::string_view what, std::uint64_t done, std::uint64_t total) {
  constexpr std::uint64_t worth_showing = 1024 * 1024;
  if (total < worth_showing) return;
  static std::uint64_t last_tenth = 11;
  const std::uint64_t tenth = done * 10 / total;
  if (done != total && tenth == last_tenth) return;
  last_tenth = done == total ? 11 : tenth;
  char line[96];
  std::snprintf(line, sizeof line, "%.*s: %3u%% of %.1f MiB", static_cast<int>(what.size()), what.data(),
                static_cast<unsigned>(done * 100 / total), static_cast<double>(total) / (1024.0 * 1024.0));
  if (::isatty(STDERR_FILENO)) {
    std::cerr << "\r" << line << (done == total ? "\n" : "") << std::flush;
  } else {
    std::cerr << line << "\n";
  }
}

account open_account(const common& c) {
  auto a = need(account::open(profile_dir(c), passphrase(c, false)));
  if (!c.as_json) a.on_progress(show_progress);
  return a;
}

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

int cmd_cases(int argc, char** argv) {
  common c;
  po::options_description d("shuttle cases: the cases you take part in");
  add_common(d, c);
  if (!parse(argc, argv, d)) return 0;
  auto a = open_account(c);
  auto list = need(a.cases());
  if (c.as_json) {
    json::array out;
    for (const auto& s : list) {
      json::object o{{"case", b64(s.case_id)}, {"state", s.state}, {"role", proto::to_string(s.role)},
                     {"participant_state", s.participant_state}, {"approvals_required", s.approvals_required}};
      if (s.label_text) o["label"] = *s.label_text;
      out.push_back(std::move(o));
    }
    print_json(out);
    return 0;
  }
  if (list.empty()) std::cout << "You take part in no case yet.\n";
  for (const auto& s : list) {
    std::cout << short_id(s.case_id) << "  " << (s.label_text ? "\"" + *s.label_text + "\", " : std::string()) << s.state
              << ", you are the " << role_words(s.role)
              << (s.participant_state == "withdrawn" ? " (withdrawn)" : "")
              << (s.approvals_required == 2 ? ", two-person review" : "") << "\n";
  }
  return 0;
}

int cmd_case(int argc, char** argv) {
  common c;
  std::string action, case_text, label, quiet_from, quiet_until, time_zone;
  bool two_person = false, yes = false, no_quiet = false;
  po::options_description d(
      "shuttle case open [--two-person] [--label L] | shuttle case show CASE | shuttle case label CASE --label L |\n"
      "shuttle case quiet-hours CASE --from 21:00 --until 08:00 [--time-zone Europe/Oslo] | --none |\n"
      "shuttle case close CASE [--yes]");
  add_common(d, c);
  d.add_options()("action", po::value(&action)->required(), "open, show, label, quiet-hours or close")
      ("case", po::value(&case_text), "the case (its id or the start of it)")
      ("two-person", po::bool_switch(&two_person), "open: every letter needs two distinct facilitators' approval")
      ("label", po::value(&label), "open, label: a name for the case only its facilitators can read")
      ("from", po::value(&quiet_from), "quiet-hours: no letter is released from this time (HH:MM)")
      ("until", po::value(&quiet_until), "quiet-hours: ... until this time (HH:MM)")
      ("time-zone", po::value(&time_zone), "quiet-hours: the case's time zone (default: yours, from $TZ or the system)")
      ("none", po::bool_switch(&no_quiet), "quiet-hours: remove them")
      ("yes", po::bool_switch(&yes), "close: do not ask for confirmation");
  po::positional_options_description pos;
  pos.add("action", 1).add("case", 1);
  auto vm = parse(argc, argv, d, pos);
  if (!vm) return 0;
  auto a = open_account(c);
  if (action == "open") {
    const auto id = need(a.open_case(two_person));
    if (!label.empty()) need(a.set_label(id, label));
    if (c.as_json) {
      print_json(json::object{{"case", b64(id)}});
    } else {
      std::cout << "Opened case " << b64(id) << " (" << short_id(id) << ").\n";
    }
    return 0;
  }
  if (case_text.empty()) throw std::runtime_error("which case? (shuttle cases lists them)");
  const auto id = need(a.resolve_case(case_text));
  if (action == "close") {
    if (!yes) {
      if (!isatty(STDIN_FILENO)) throw std::runtime_error("closing a case is final: add --yes to confirm");
      std::cerr << "Closing case " << short_id(id) << " is final: no one can send anything more in it, and after the "
                << "retention time its letters leave the relay (each person keeps theirs on their device).\n"
                << "Type 'close' to confirm: ";
      std::string line;
      std::getline(std::cin, line);
      if (line != "close") throw std::runtime_error("the case was not closed");
    }
    need(a.close_case(id));
    answer(c, {{"state", "closed"}}, "The case is closed.");
    return 0;
  }
  if (action == "label") {
    if (label.empty()) throw std::runtime_error("give the label with --label");
    need(a.set_label(id, label));
    answer(c, {{"label", true}}, "The case is labelled for its facilitators.");
    return 0;
  }
  if (action == "quiet-hours") {
    if (no_quiet) {
      quiet_from = quiet_until = "00:00";
    } else if (quiet_from.empty() || quiet_until.empty()) {
      throw std::runtime_error("give --from and --until (e.g. --from 21:00 --until 08:00), or --none");
    }
    if (time_zone.empty()) time_zone = local_time_zone_name();
    auto pad = [](std::string t) { return t.size() == 4 && t[1] == ':' ? "0" + t : t; };
    need(a.set_quiet_hours(id, time_zone, pad(quiet_from), pad(quiet_until)));
    if (c.as_json) {
      print_json(json::object{{"time_zone", time_zone}, {"start", pad(quiet_from)}, {"end", pad(quiet_until)}});
    } else if (no_quiet) {
      std::cout << "The case has no quiet hours now.\n";
    } else {
      std::cout << "Quiet hours set: no letter is released between " << pad(quiet_from) << " and " << pad(quiet_until)
                << " (" << time_zone << "); one approved in them is released at " << pad(quiet_until) << ".\n";
    }
    return 0;
  }
  if (action != "show") throw std::runtime_error("shuttle case: open, show, label, quiet-hours or close");
  auto v = need(a.show_case(id));
  if (c.as_json) {
    json::array people;
    for (const auto& p : v.people) {
      people.push_back(json::object{{"identity", b64(p.identity)}, {"role", proto::to_string(p.role)},
                                    {"state", p.state}, {"attested", p.attested}, {"key_changed", p.key_changed},
                                    {"me", p.me}, {"reads", p.reads},
                                    {"safety_number", p.safety_number}});
      if (p.name) people.back().as_object()["name"] = *p.name;
    }
    print_json(json::object{{"case", b64(id)}, {"state", v.summary.state},
                            {"approvals_required", v.summary.approvals_required}, {"people", people}});
    return 0;
  }
  std::cout << "Case " << b64(id) << ": " << v.summary.state
            << (v.summary.approvals_required == 2 ? ", two-person review" : "") << "\n";
  if (v.quiet_hours) {
    std::cout << "  quiet hours " << v.quiet_hours->start << " to " << v.quiet_hours->end << " (" << v.quiet_hours->time_zone
              << "): no letter is released in them\n";
  }
  for (const auto& p : v.people) {
    std::cout << "  " << role_words(p.role) << (p.name ? " " + *p.name : std::string()) << (p.me ? " (you)" : "")
              << (party_of(p.role) ? (p.reads ? ", reads their party's letters" : ", not reading letters") : "")
              << ": " << p.state << ", "
              << (p.attested ? "keys checked" : p.key_changed ? "keys CHANGED: compare again" : "keys NOT yet checked")
              << "\n"
              << "    safety number " << p.safety_number << "\n";
  }
  return 0;
}

int cmd_invite(int argc, char** argv) {
  common c;
  target t;
  std::string role_text;
  unsigned days = 7;
  po::options_description d("shuttle invite CASE --role ROLE: an invitation code to hand over in person");
  add_common(d, c);
  d.add_options()("role", po::value(&role_text)->required(),
                  "harmed, responsible, harmed_support, responsible_support or facilitator")
      ("days", po::value(&days)->default_value(days), "how long the code works (at most 30)");
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  proto::role role{};
  if (!proto::parse_enum(role_text, role)) {
    throw std::runtime_error("--role is harmed, responsible, harmed_support, responsible_support or facilitator");
  }
  auto a = open_account(c);
  const auto code = need(a.invite(t.case_id(a), role, std::uint64_t{days} * 24 * 3600));
  if (c.as_json) {
    print_json(json::object{{"code", code}});
  } else {
    std::cout << code << "\n";
    std::cerr << "Hand this code to the " << role_words(role) << " in person or by a channel you trust. It works once, for "
              << days << " days.\n";
  }
  return 0;
}

// Whether a safety number as read aloud or typed (spaces, dashes, line
// breaks anywhere) is this one: only the digits count.
bool same_safety_number(const std::string& listed, const std::string& typed) {
  auto digits = [](const std::string& s) {
    std::string out;
    for (char ch : s) {
      if (ch >= '0' && ch <= '9') out.push_back(ch);
    }
    return out;
  };
  return digits(listed) == digits(typed);
}

int cmd_attest(int argc, char** argv) {
  common c;
  target t;
  std::string safety;
  po::options_description d(
      "shuttle attest CASE --safety-number \"DIGITS\": vouch for a participant's keys after you compared their safety "
      "number with them");
  add_common(d, c);
  d.add_options()("safety-number", po::value(&safety)->required(), "the safety number the participant read to you");
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto id = t.case_id(a);
  auto v = need(a.show_case(id));
  for (const auto& p : v.people) {
    if (!p.me && same_safety_number(p.safety_number, safety)) {
      need(a.attest(id, p.identity));
      answer(c, {{"attested", true}}, "The " + role_words(p.role) + "'s keys are now checked.");
      return 0;
    }
  }
  throw std::runtime_error("no participant of this case has that safety number. Do not attest: compare again.");
}

std::string read_letter_text(const std::string& file, const std::string& text) {
  if (!text.empty()) return text;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) cannot_read(file, std::strerror(errno));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  const char* editor = std::getenv("VISUAL");
  if (!editor || !*editor) editor = std::getenv("EDITOR");
  if (!editor || !*editor || !isatty(STDIN_FILENO)) {
    throw std::runtime_error("give the letter with --file or --text (or set $EDITOR)");
  }
  char path[] = "/tmp/shuttle-letter-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("cannot make a temporary file for the editor");
  ::close(fd);
  const std::string cmd = std::string(editor) + " '" + path + "'";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  // Overwrite before removing: the draft is a letter.
  {
    std::ofstream wipe(path, std::ios::binary | std::ios::trunc);
    wipe << std::string(ss.str().size(), '\0');
  }
  std::filesystem::remove(path);
  if (rc != 0) throw std::runtime_error("the editor did not finish; nothing was sent");
  if (ss.str().find_first_not_of(" \n\t\r") == std::string::npos) throw std::runtime_error("the letter is empty; nothing was sent");
  return ss.str();
}

std::string mib(std::uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1024.0 * 1024.0));
  return buf;
}

// The content type recorded for an attachment, from its file name's
// extension (what a reader's device needs to open it); anything else is
// application/octet-stream.
std::string content_type_of(const std::string& path) {
  static const std::map<std::string, std::string> known{
      {".jpg", "image/jpeg"},      {".jpeg", "image/jpeg"},      {".png", "image/png"},
      {".gif", "image/gif"},       {".webp", "image/webp"},      {".heic", "image/heic"},
      {".pdf", "application/pdf"}, {".txt", "text/plain; charset=utf-8"},
      {".md", "text/markdown; charset=utf-8"},                   {".mp3", "audio/mpeg"},
      {".m4a", "audio/mp4"},       {".ogg", "audio/ogg"},        {".wav", "audio/wav"},
      {".mp4", "video/mp4"},       {".odt", "application/vnd.oasis.opendocument.text"},
      {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
  };
  std::string ext = std::filesystem::path(path).extension().string();
  for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto it = known.find(ext);
  return it == known.end() ? "application/octet-stream" : it->second;
}

int cmd_write(int argc, char** argv) {
  common c;
  target t;
  std::string file, text, revises, reply_to;
  std::vector<std::string> attachments;
  po::options_description d("shuttle write CASE [--file F | --text T] [--reply-to LETTER]: write a letter to the other "
                            "party; a facilitator reads it first");
  add_common(d, c);
  d.add_options()("file", po::value(&file), "the letter's text from this file")
      ("text", po::value(&text), "the letter's text (otherwise $EDITOR opens)")
      ("attach", po::value(&attachments)->composing(), "a file to attach (repeat for more)")
      ("revises", po::value(&revises), "a returned letter of yours that this one revises")
      ("reply-to", po::value(&reply_to), "a letter you received that this one answers");
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto id = t.case_id(a);
  account::draft draft;
  draft.content = document::text(read_letter_text(file, text));
  for (const auto& path : attachments) {
    // Read once, straight into the letter: a large file is never copied.
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!in || ec) cannot_read(path, ec ? ec.message() : std::strerror(errno));
    if (size > proto::relay_ciphertext_bytes) {
      throw std::runtime_error(std::filesystem::path(path).filename().string() + " is " + mib(size) +
                               "; the relay takes letters up to " + mib(proto::relay_ciphertext_bytes) +
                               ", attachments included. Nothing was sent. Please shrink it or leave it out.");
    }
    attachment at{std::filesystem::path(path).filename().string(), content_type_of(path), bytes(size)};
    in.read(reinterpret_cast<char*>(at.data.data()), static_cast<std::streamsize>(size));
    if (static_cast<std::uint64_t>(in.gcount()) != size) cannot_read(path, "it changed while it was read");
    draft.content.attachments.push_back(std::move(at));
  }
  if (!revises.empty()) draft.revises = need(a.resolve_message(id, revises));
  if (!reply_to.empty()) draft.answers = need(a.resolve_message(id, reply_to));
  const auto message = need(a.send(id, draft));
  if (c.as_json) {
    print_json(json::object{{"message", b64(message)}, {"state", "in_review"}});
  } else {
    std::cout << "Your letter " << short_id(message) << " is with your facilitator: in review.\n";
  }
  return 0;
}

int cmd_note(int argc, char** argv) {
  common c;
  target t;
  std::string text, file;
  po::options_description d("shuttle note CASE --text T: a note for this case's facilitators only (facilitators, and "
                            "supporters writing to them)");
  add_common(d, c);
  d.add_options()("text", po::value(&text), "the note")
      ("file", po::value(&file), "the note from a file");
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto id = t.case_id(a);
  const auto message = need(a.send(id, {document::text(read_letter_text(file, text)), proto::message_kind::note, {}, {}}));
  answer(c, {{"message", b64(message)}}, "Note " + short_id(message) + " is with the facilitators.");
  return 0;
}

// The first line of a letter, cut at about eight words.
std::string opening_words(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  std::size_t words = 0, at = 0;
  while (at < line.size() && words < 8) {
    while (at < line.size() && line[at] == ' ') ++at;
    while (at < line.size() && line[at] != ' ') ++at;
    ++words;
  }
  return at < line.size() ? line.substr(0, at) + " ..." : line;
}

int cmd_letters(int argc, char** argv) {
  common c;
  target t;
  po::options_description d("shuttle letters CASE: the letters of a case you may see, and where each one is");
  add_common(d, c);
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto id = t.case_id(a);
  const auto deleted = need(a.sync(id));
  auto list = need(a.messages(id));
  if (c.as_json) {
    json::array out;
    for (const auto& m : list) out.push_back(message_json(m));
    print_json(out);
    return 0;
  }
  if (deleted > 0) {
    std::cout << count_of(deleted, "letter", "letters") << " taken back by " << (deleted == 1 ? "its" : "their")
              << " writer, or declined by you, " << (deleted == 1 ? "was" : "were") << " deleted from this device.\n";
  }
  if (list.empty()) std::cout << "No letters yet.\n";
  // The first words of letters this device holds (written here, or opened):
  // a person finds a letter by what it says, not by its id.
  std::map<proto::id, std::string> first_words;
  if (auto kept = a.kept(id)) {
    for (const auto& k : *kept) first_words[k.message] = opening_words(document_text(k.content));
  }
  for (const auto& m : list) {
    std::cout << short_id(m.message) << "  ";
    const auto date = m.released_at ? m.released_at : m.submitted_at;
    if (date) std::cout << when(*date) << "  ";
    // A facilitator carries letters between the parties: theirs go "to the harmed party", never "to you".
    const std::string direction = m.kind == proto::message_kind::note ? "note"
                                  : m.mine                           ? "from you"
                                  : a.is_facilitator()               ? "to the " + role_words(m.to)
                                                                     : "to you";
    std::cout << direction << ", " << status_words(m.state, m.mine);
    if (m.release_at) std::cout << " (released at " << when(*m.release_at) << ")";
    if (m.supersedes) std::cout << ", revises " << short_id(*m.supersedes);
    if (m.answers) {
      std::cout << ", a reply to " << (m.mine ? "their" : "your") << " letter " << short_id(*m.answers);
      if (auto w = first_words.find(*m.answers); w != first_words.end() && !w->second.empty()) {
        std::cout << " (\"" << w->second << "\")";
      }
    }
    if (auto w = first_words.find(m.message); w != first_words.end() && !w->second.empty()) {
      std::cout << "\n          \"" << w->second << "\"";
    }
    std::cout << "\n";
  }
  return 0;
}

// Why a facilitator returned a letter, in a sentence.
std::string reason_words(return_reason r) {
  switch (r) {
    case return_reason::identifying_information: return "it holds information that could identify someone";
    case return_reason::retraumatising_wording: return "some of its words could hurt the reader again";
    case return_reason::asks_for_forgiveness_or_contact: return "it asks for forgiveness or for contact";
    case return_reason::threat: return "it could be read as a threat";
    case return_reason::other: return "another reason, in the note below";
  }
  return "another reason";
}

void print_letter(const opened_letter& l) {
  // The facilitator's note prepares the reader: it comes first.
  for (const auto& n : l.content_notes) {
    std::cout << "---- a note from " << n.by_name << ", before you read ----\n"
              << n.text << "\n";
  }
  if (l.content_notes.empty() && l.content_note) {
    std::cout << "---- your facilitator's note, before you read ----\n" << *l.content_note << "\n";
  }
  std::cout << "---- letter " << short_id(l.summary.message) << " (" << status_words(l.summary.state, l.summary.mine) << ") ----\n"
            << document_text(l.content) << (document_text(l.content).ends_with('\n') ? "" : "\n");
  for (const auto& at : l.content.attachments) {
    std::cout << "[attachment: " << at.name << ", " << at.content_type << ", " << at.data.size() << " bytes]\n";
    if (const auto described = description_of(at.content_type)) std::cout << "[described by its writer: " << *described << "]\n";
  }
  if (l.returned) {
    std::cout << "---- your facilitator returned this letter: "
              << reason_words(l.returned->reason.value_or(return_reason::other)) << " ----\n"
              << l.returned->text << "\n";
  }
  if (l.declined_note) std::cout << "---- the other party declined this letter; your facilitator writes ----\n" << *l.declined_note << "\n";
  std::cout << "----\n";
}

json::array attachments_json(const document& content) {
  json::array out;
  for (const auto& at : content.attachments) {
    json::object a{{"name", at.name}, {"content_type", at.content_type}, {"size", at.data.size()}};
    if (const auto described = description_of(at.content_type)) a["description"] = *described;
    out.push_back(std::move(a));
  }
  return out;
}

// Writes a letter's attachments into `dir`, each yours alone (0600, whatever
// the umask): a letter's attachment is as private as the letter.
void save_attachments(const document& content, const std::string& dir, bool quiet) {
  std::filesystem::create_directories(dir);
  for (const auto& at : content.attachments) {
    const auto path = std::filesystem::path(dir) / std::filesystem::path(at.name).filename();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + path.string());
    ::fchmod(fd, 0600);
    std::size_t done = 0;
    while (done < at.data.size()) {
      const auto n = ::write(fd, at.data.data() + done, at.data.size() - done);
      if (n <= 0) {
        ::close(fd);
        throw std::runtime_error("cannot write " + path.string());
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (!quiet) std::cerr << "Saved " << path.string() << " (" << at.content_type << ").\n";
  }
}

int cmd_read(int argc, char** argv) {
  common c;
  target t;
  std::string save;
  bool receipt = false;
  po::options_description d("shuttle read CASE LETTER: open a letter (yours, one in review, or one waiting for you)");
  add_common(d, c);
  d.add_options()("receipt", po::bool_switch(&receipt), "let the sender know you opened it")
      ("save-attachments", po::value(&save), "write attachments into this directory");
  auto pos = t.add(d, true);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto [id, message] = t.both(a);
  auto l = need(a.read(id, message, receipt));
  if (!save.empty()) save_attachments(l.content, save, c.as_json);
  if (c.as_json) {
    json::object o = message_json(l.summary);
    o["text"] = document_text(l.content);
    o["attachments"] = attachments_json(l.content);
    if (l.content_note) o["facilitator_note"] = *l.content_note;
    if (l.kept_on_this_device) o["kept_on_this_device"] = true;
    if (!l.content_notes.empty()) {
      json::array notes;
      for (const auto& n : l.content_notes) {
        notes.push_back(json::object{{"facilitator", b64(n.by)}, {"safety_number_starts", proto::safety_number(n.by).substr(0, 5)},
                                     {"note", n.text}});
      }
      o["facilitator_notes"] = std::move(notes);
    }
    if (l.returned) {
      o["returned"] = json::object{{"reason", l.returned->reason ? to_string(*l.returned->reason) : "other"},
                                   {"note", l.returned->text}};
    }
    if (l.declined_note) o["declined_note"] = *l.declined_note;
    print_json(o);
    return 0;
  }
  print_letter(l);
  return 0;
}

int cmd_message_step(int argc, char** argv, const std::string& what) {
  common c;
  target t;
  po::options_description d("shuttle " + what + " CASE LETTER");
  add_common(d, c);
  auto pos = t.add(d, true);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto [id, message] = t.both(a);
  if (what == "decline") {
    need(a.decline(id, message));
    answer(c, {{"state", "declined"}}, "You declined this letter. It will not be shown again.");
  } else if (what == "revoke") {
    const auto answer = need(a.revoke(id, message));
    if (c.as_json) {
      print_json(json::object{{"state", "revoked"}, {"was_released", answer.was_released}, {"was_opened", answer.was_opened}});
    } else {
      std::cout << "Revoked: the letter is deleted from the relay.\n"
                << (answer.was_opened     ? "They had told you they opened it, so they have read it.\n"
                    : answer.was_released ? "It had been released to them, so they may have read it.\n"
                                          : "It had not been released: the other party never had it.\n");
    }
  } else if (what == "claim") {
    need(a.claim(id, message));
    answer(c, {{"claimed", true}}, "You are reviewing this letter; others see it is taken.");
  } else if (what == "unclaim") {
    need(a.unclaim(id, message));
    answer(c, {{"claimed", false}}, "You let the letter go; another facilitator can review it now.");
  }
  return 0;
}

int cmd_queue(int argc, char** argv) {
  common c;
  po::options_description d("shuttle queue: letters waiting for your review, oldest first");
  add_common(d, c);
  if (!parse(argc, argv, d)) return 0;
  auto a = open_account(c);
  auto list = need(a.queue());
  if (c.as_json) {
    json::array out;
    for (const auto& m : list) {
      auto o = message_json(m);
      o["waiting_seconds"] = m.waiting_seconds;
      o["approvals"] = m.approvals;
      o["approvals_required"] = m.approvals_required;
      o["reviewed_by_you"] = m.reviewed_by_me;
      if (m.claimed_by) o["claimed_by"] = b64(*m.claimed_by);
      if (m.claimed_by_name) o["claimed_by_name"] = *m.claimed_by_name;
      if (m.case_label_text) o["case_label"] = *m.case_label_text;
      out.push_back(o);
    }
    print_json(out);
    return 0;
  }
  if (list.empty()) std::cout << "Nothing waits for review.\n";
  for (const auto& m : list) {
    std::cout << short_id(m.case_id) << " " << short_id(m.message) << "  "
              << (m.case_label_text ? "\"" + *m.case_label_text + "\": " : std::string()) << proto::to_string(m.kind) << " to the "
              << role_words(m.to) << ", " << m.size << " bytes, waiting " << m.waiting_seconds / 60 << " min";
    if (m.submitted_at) std::cout << " (since " << when(*m.submitted_at) << ")";
    if (m.approvals_required == 2) std::cout << ", " << m.approvals << " of 2 approvals";
    if (m.reviewed_by_me) {
      std::cout << ", you approved; waiting for a second facilitator";
    } else if (m.claimed_by) {
      std::cout << (*m.claimed_by == a.identity()
                        ? ", you are reviewing it"
                        : ", being reviewed by " + (m.claimed_by_name ? *m.claimed_by_name
                                                                       : "facilitator " + proto::safety_number(*m.claimed_by).substr(0, 5)));
    }
    std::cout << "\n";
  }
  return 0;
}

int cmd_review(int argc, char** argv) {
  common c;
  target t;
  std::string save;
  po::options_description d("shuttle review CASE LETTER: claim a letter and read it for review");
  add_common(d, c);
  d.add_options()("save-attachments", po::value(&save), "write its attachments into this directory, to look at them");
  auto pos = t.add(d, true);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto [id, message] = t.both(a);
  need(a.claim(id, message));
  auto l = need(a.read(id, message));
  if (!save.empty()) save_attachments(l.content, save, c.as_json);
  if (c.as_json) {
    auto o = message_json(l.summary);
    o["text"] = document_text(l.content);
    o["attachments"] = attachments_json(l.content);
    print_json(o);
    return 0;
  }
  print_letter(l);
  std::cout << "Approve with: shuttle approve " << short_id(id) << " " << short_id(message)
            << "   or return with: shuttle return " << short_id(id) << " " << short_id(message)
            << " --reason REASON --note TEXT\n";
  return 0;
}

int cmd_approve(int argc, char** argv) {
  common c;
  target t;
  std::string note, release;
  bool yes = false;
  po::options_description d("shuttle approve CASE LETTER [--note T] [--release-at TIME]: release a letter to its recipient");
  add_common(d, c);
  d.add_options()("note", po::value(&note), "a note to the recipient, sealed to them (e.g. to prepare them)")
      ("release-at", po::value(&release), "not before this time, in your time zone: 18:00 (the next one), "
       "tomorrow 09:00, 2026-12-01 14:30, 2026-12-01T14:30+01:00, +2h or +30m")
      ("yes", po::bool_switch(&yes), "do not ask to confirm the release time");
  auto pos = t.add(d, true);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto [id, message] = t.both(a);
  account::approval_choice choice;
  if (!note.empty()) choice.content_note = note;
  if (!release.empty()) {
    choice.release_at = need(parse_release_time(release, unix_now()));
    // Said back in words before anything is sent, and confirmed when a person is at the keyboard.
    if (!c.as_json) std::cerr << "Release time: " << when(*choice.release_at) << ".\n";
    if (!yes && !c.as_json && ::isatty(STDIN_FILENO)) {
      std::cerr << "Approve with this release time? Type 'yes' to confirm: ";
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "yes") {
        std::cerr << "Nothing was approved.\n";
        return 1;
      }
    }
  }
  const auto done = need(a.approve(id, message, choice));
  if (c.as_json) {
    json::object o{{"state", done.state}, {"approvals", done.approvals}, {"approvals_required", done.approvals_required}};
    if (done.release_at) o["release_at"] = *done.release_at;
    if (done.quiet_hours) o["quiet_hours"] = true;
    print_json(o);
  } else if (done.state == "released") {
    std::cout << "Approved: the letter is now available to its recipient.\n";
  } else if (done.approvals < done.approvals_required) {
    std::cout << "Approved: " << done.approvals << " of " << done.approvals_required
              << " approvals. It is released after the second facilitator approves it"
              << (choice.release_at ? ", and not before " + when(*choice.release_at) : std::string()) << ".\n";
  } else if (done.quiet_hours) {
    std::cout << "Approved. It falls in the case's quiet hours, so it will be released when they end, on "
              << when(done.release_at.value_or(0)) << ".\n";
  } else {
    std::cout << "Approved. It will be released on " << when(done.release_at.value_or(0)) << ".\n";
  }
  return 0;
}

int cmd_return(int argc, char** argv) {
  common c;
  target t;
  std::string reason_text, note;
  po::options_description d("shuttle return CASE LETTER --reason R --note T: send a letter back to its writer with a note");
  add_common(d, c);
  d.add_options()("reason", po::value(&reason_text)->required(),
       "identifying_information, retraumatising_wording, asks_for_forgiveness_or_contact, threat or other")
      ("note", po::value(&note)->required(), "what to change, for the writer only");
  auto pos = t.add(d, true);
  if (!parse(argc, argv, d, pos)) return 0;
  return_reason reason{};
  if (!parse_enum(reason_text, reason)) throw std::runtime_error("unknown --reason; see shuttle return --help");
  auto a = open_account(c);
  const auto [id, message] = t.both(a);
  need(a.return_letter(id, message, reason, note));
  answer(c, {{"state", "returned"}}, "Returned to its writer with your note.");
  return 0;
}

int cmd_tell_declined(int argc, char** argv) {
  common c;
  target t;
  std::string note;
  po::options_description d(
      "shuttle tell-declined CASE LETTER [--note T]: tell a letter's writer that its recipient declined it. Until you "
      "do, the writer sees the letter as available to the other party; choose when and how they learn it");
  add_common(d, c);
  d.add_options()("note", po::value(&note), "a few words for the writer, sealed to them");
  auto pos = t.add(d, true);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto [id, message] = t.both(a);
  need(a.tell_declined(id, message, note));
  answer(c, {{"state", "declined"}}, "The writer now sees that the letter was declined.");
  return 0;
}

int cmd_withdraw(int argc, char** argv) {
  common c;
  target t;
  bool revoke_released = false, yes = false;
  po::options_description d("shuttle withdraw CASE: leave the process. Letters not yet released are taken back.");
  add_common(d, c);
  d.add_options()("revoke-released", po::bool_switch(&revoke_released), "also take back letters already released")
      ("yes", po::bool_switch(&yes), "do not ask for confirmation");
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto id = t.case_id(a);
  if (!yes) {
    if (!isatty(STDIN_FILENO)) throw std::runtime_error("withdrawing is final: add --yes to confirm");
    std::cerr << "Withdrawing is final: nothing more can be sent by you or to you in this case.\n"
              << "Letters you wrote that were not released yet are taken back. Letters already released stay\n"
              << "with the other party" << (revoke_released ? " - except that you asked to take them back too" : "")
              << ".\nThe letters you received and wrote stay readable on this device.\n"
              << "Type 'withdraw' to confirm: ";
    std::string line;
    std::getline(std::cin, line);
    if (line != "withdraw") throw std::runtime_error("not withdrawn");
  }
  const auto revoked = need(a.withdraw(id, revoke_released));
  if (c.as_json) {
    print_json(json::object{{"participant_state", "withdrawn"}, {"revoked", revoked}});
  } else {
    std::cout << "You have withdrawn from this case. " << count_of(revoked, "letter was", "letters were")
              << " taken back. "
              << "Your facilitator has been told. The letters you received and wrote stay readable on this device "
              << "(shuttle read). Take care of yourself.\n";
  }
  return 0;
}

int cmd_audit(int argc, char** argv) {
  common c;
  target t;
  std::string out;
  po::options_description d("shuttle audit CASE [--out FILE]: the case's audit trail, verified with the relay's key");
  add_common(d, c);
  d.add_options()("out", po::value(&out), "also save the export here");
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto x = need(a.audit(t.case_id(a)));
  if (!out.empty()) std::ofstream(out) << proto::to_json(x);
  if (c.as_json) {
    std::cout << proto::to_json(x) << "\n";
    return 0;
  }
  std::cout << "The audit trail verifies: " << x.entries.size() << " entries, signed by the relay at entry "
            << x.checkpoint.seq << ".\n";
  for (const auto& e : x.entries) std::cout << "  " << e.seq << "  " << when(e.at) << "  " << proto::to_string(e.event) << "\n";
  return 0;
}

// The release key `verify-web` trusts without --release-key: the one the
// package this program came from was signed with (scripts/package).
constexpr const char* packaged_release_key = "/usr/share/shuttle/web-release-key";

int cmd_verify_web(int argc, char** argv) {
  common c;
  std::string url, key_text, pin_text;
  po::options_description d(
      "shuttle verify-web URL [--release-key KEY] [--relay-pin PIN]: check that a relay serves the browser client "
      "exactly as the release signed it");
  add_common(d, c);
  d.add_options()("url", po::value(&url)->required(), "the relay's address, https://HOST:PORT/ (a link's #... is ignored)")
      ("release-key", po::value(&key_text),
       "the release's public key (base64url); otherwise the one in /usr/share/shuttle/web-release-key")
      ("relay-pin", po::value(&pin_text),
       "the SHA-256 pin of a self-signed relay certificate (base64url, as the relay prints it); otherwise the "
       "system's certificate authorities check it");
  po::positional_options_description pos;
  pos.add("url", 1);
  if (!parse(argc, argv, d, pos)) return 0;

  std::string address = url.substr(0, url.find('#'));  // the fragment (a joining code) is never used or sent
  if (address.starts_with("https://")) address = address.substr(8);
  else if (address.find("://") != std::string::npos) throw std::runtime_error("the relay is reached over https:// only");
  address = address.substr(0, address.find('/'));
  if (address.find(':') == std::string::npos || address.back() == ']') address += ":443";

  if (key_text.empty()) {
    std::ifstream in(packaged_release_key);
    if (!in) throw std::runtime_error("which release key? Pass --release-key (this system has none at " +
                                      std::string(packaged_release_key) + ")");
    std::getline(in, key_text);
  }
  proto::public_key key{};
  auto raw_key = proto::base64url_decode(key_text);
  if (!raw_key || raw_key->size() != key.size()) throw std::runtime_error("the release key is not a public key");
  std::copy(raw_key->begin(), raw_key->end(), key.begin());

  std::optional<proto::hash> pin;
  if (!pin_text.empty()) {
    auto raw_pin = proto::base64url_decode(pin_text);
    if (!raw_pin || raw_pin->size() != 32) throw std::runtime_error("--relay-pin is not a certificate's SHA-256");
    pin.emplace();
    std::copy(raw_pin->begin(), raw_pin->end(), pin->begin());
  }
  relay_connection relay(need(relay_address::parse(address, pin)));
  const auto done = verify_web(relay, key);
  if (!done) {
    if (c.as_json) {
      print_json(json::object{{"verified", false}, {"error", to_string(done.error().code)}, {"message", done.error().detail}});
    } else {
      std::cerr << "The relay at " << address << " does NOT serve the signed release: " << done.error().detail
                << ".\nDo not use its web page; use the shuttle program and tell the service that runs the relay.\n";
    }
    return 1;
  }
  if (c.as_json) {
    print_json(json::object{{"verified", true}, {"version", done->version}, {"checked", done->checked}});
  } else {
    std::cout << "The relay at " << address << " serves the web client of release " << done->version
              << " exactly as it was signed (" << done->checked << " answers checked).\n";
  }
  return 0;
}

int cmd_audit_verify(int argc, char** argv) {
  common c;
  std::string file, key_text;
  po::options_description d("shuttle audit-verify FILE [--relay-key KEY]: check a saved audit export offline");
  add_common(d, c);
  d.add_options()("file", po::value(&file)->required(), "an export saved with shuttle audit --out")
      ("relay-key", po::value(&key_text), "the relay's public key (base64url); otherwise the one this profile pinned");
  po::positional_options_description pos;
  pos.add("file", 1);
  if (!parse(argc, argv, d, pos)) return 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) cannot_read(file, std::strerror(errno), false);
  std::stringstream ss;
  ss << in.rdbuf();
  proto::public_key key{};
  if (key_text.empty()) {
    key = need(open_account(c).relay_key());
  } else {
    auto raw = proto::base64url_decode(key_text);
    if (!raw || raw->size() != key.size()) throw std::runtime_error("--relay-key is not a public key");
    std::copy(raw->begin(), raw->end(), key.begin());
  }
  const auto x = need(proto::parse_audit_export(ss.str()));
  need(proto::verify_audit_export(x, key));
  if (c.as_json) {
    print_json(json::object{{"verifies", true}, {"entries", x.entries.size()}});
  } else {
    std::cout << "The export verifies: " << x.entries.size() << " entries of case " << b64(x.case_id)
              << ", unchanged since the relay signed them.\n";
  }
  return 0;
}

int cmd_watch(int argc, char** argv) {
  common c;
  po::options_description d("shuttle watch: print events as they happen (Ctrl-C stops)");
  add_common(d, c);
  if (!parse(argc, argv, d)) return 0;
  auto a = open_account(c);
  std::signal(SIGINT, [](int) { interrupted = true; });
  std::signal(SIGTERM, [](int) { interrupted = true; });
  if (!c.as_json) std::cerr << "Watching for events; Ctrl-C stops.\n";
  need(a.watch(
      [&](const event& e) {
        if (c.as_json) {
          json::object o{{"seq", e.seq}, {"event", e.kind}, {"case", b64(e.case_id)}, {"at", e.at}};
          if (e.message) o["message"] = b64(*e.message);
          print_json(o);
        } else {
          std::cout << when(e.at) << "  case " << short_id(e.case_id) << "  " << e.kind
                    << (e.message ? " " + short_id(*e.message) : "") << "\n";
        }
        std::cout.flush();
      },
      [] { return !interrupted.load(); }));
  return 0;
}

int cmd_rekey(int argc, char** argv) {
  common c;
  target t;
  bool yes = false;
  po::options_description d("shuttle rekey CASE --yes: a new key for this case (a new device, a key you fear was seen). "
                            "Letters you received under the old key no longer open; a facilitator checks your safety "
                            "number again before anything reaches you.");
  add_common(d, c);
  d.add_options()("yes", po::bool_switch(&yes), "confirm");
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  if (!yes) throw std::runtime_error("a new key replaces the old one for good: add --yes to confirm");
  auto a = open_account(c);
  need(a.rekey(t.case_id(a)));
  answer(c, {{"rekeyed", true}}, "Your new key is published. Ask your facilitator to check your safety number again.");
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

int cmd_grant(int argc, char** argv) {
  common c;
  target t;
  std::string safety;
  bool stop = false;
  po::options_description d(
      "shuttle grant CASE --safety-number \"DIGITS\" [--stop]: let your supporter read the letters you send and "
      "receive from now on (or, with --stop, no longer)");
  add_common(d, c);
  d.add_options()("safety-number", po::value(&safety)->required(), "your supporter's safety number (shuttle case show)")
      ("stop", po::bool_switch(&stop), "end the grant: letters from now on are not shared with them");
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto id = t.case_id(a);
  auto v = need(a.show_case(id));
  for (const auto& p : v.people) {
    if (p.me || !party_of(p.role) || !same_safety_number(p.safety_number, safety)) continue;
    need(a.grant(id, p.identity, !stop));
    if (c.as_json) {
      print_json(json::object{{"reads", !stop}});
    } else if (stop) {
      std::cout << "Your supporter no longer receives your letters. What they already read stays with them.\n";
    } else {
      std::cout << "Your supporter can now read the letters you send and receive from now on. You can stop this at "
                   "any time with --stop.\n";
    }
    return 0;
  }
  throw std::runtime_error("no supporter of this case has that safety number (shuttle case show lists them)");
}

const std::vector<command>& commands() {
  static const std::vector<command> all{
      {"enrol", "Getting started", "join with an invitation code", cmd_enrol},
      {"whoami", "Getting started", "your identity and safety number", cmd_whoami},
      {"logout", "Getting started", "end the session", cmd_logout},
      {"cases", "Cases", "the cases you take part in", cmd_cases},
      {"case", "Cases", "open, show or close a case (facilitators open and close)", cmd_case},
      {"invite", "Cases", "an invitation code for a party (facilitators)", cmd_invite},
      {"attest", "Cases", "vouch for a participant's keys after comparing safety numbers (facilitators)", cmd_attest},
      {"withdraw", "Cases", "leave the process (parties and supporters)", cmd_withdraw},
      {"grant", "Cases", "let your supporter read your letters, or stop that (parties)", cmd_grant},
      {"rekey", "Cases", "publish a new key for a case", cmd_rekey},
      {"write", "Letters", "write a letter to the other party", cmd_write},
      {"letters", "Letters", "the letters of a case and where each one is", cmd_letters},
      {"read", "Letters", "open a letter", cmd_read},
      {"decline", "Letters", "decline a letter waiting for you",
       [](int argc, char** argv) { return cmd_message_step(argc, argv, "decline"); }},
      {"revoke", "Letters", "take one of your letters back",
       [](int argc, char** argv) { return cmd_message_step(argc, argv, "revoke"); }},
      {"queue", "Review", "letters waiting for your review (facilitators)", cmd_queue},
      {"review", "Review", "claim and read a letter for review", cmd_review},
      {"claim", "Review", "claim a letter without reading it yet",
       [](int argc, char** argv) { return cmd_message_step(argc, argv, "claim"); }},
      {"unclaim", "Review", "let go of a letter you claimed, so another facilitator can review it",
       [](int argc, char** argv) { return cmd_message_step(argc, argv, "unclaim"); }},
      {"approve", "Review", "release a letter to its recipient", cmd_approve},
      {"return", "Review", "send a letter back to its writer with a note", cmd_return},
      {"tell-declined", "Review", "tell a letter's writer that its recipient declined it", cmd_tell_declined},
      {"note", "Review", "a note for the case's facilitators (facilitators and supporters)", cmd_note},
      {"audit", "Review", "the case's verified audit trail", cmd_audit},
      {"audit-verify", "Review", "check a saved audit export offline", cmd_audit_verify},
      {"watch", "Live", "print events as they happen", cmd_watch},
      {"verify-web", "Checks", "check that a relay serves the browser client as the release signed it", cmd_verify_web},
  };
  return all;
}

void usage(std::ostream& out) {
  out << "shuttle: letters through your facilitator, end-to-end encrypted.\n\nusage: shuttle COMMAND [options]\n";
  std::string group;
  for (const auto& c : commands()) {
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
