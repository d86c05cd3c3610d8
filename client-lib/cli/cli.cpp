// The parts every `shuttle` command shares (cli.hpp).
#include "client-lib/cli/cli.hpp"
#include "client-lib/release_time.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <cstdio>
#include <fcntl.h>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

namespace shuttle::cli {

namespace {

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

}  // namespace

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

// A file the person named that cannot be read: what, why, and what to do.
[[noreturn]] void cannot_read(const std::string& path, const std::string& why, bool sending) {
  throw std::runtime_error("Cannot read " + path + " (" + why + ")." + (sending ? " Nothing was sent." : "") +
                           " Please check the file's name and that you may read it.");
}

// ------------------------------------------------------------------ printing

// Times are shown in the user's local time zone.
std::string when(std::uint64_t t) { return local_time_words(t); }

// "1 letter", "2 letters": counts in words, never "letter(s)".
std::string count_of(std::uint64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
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

proto::public_key relay_key_of(const common& c, const std::string& key_text) {
  if (key_text.empty()) return need(open_account(c).relay_key());
  proto::public_key key{};
  auto raw = proto::base64url_decode(key_text);
  if (!raw || raw->size() != key.size()) throw std::runtime_error("--relay-key is not a public key");
  std::copy(raw->begin(), raw->end(), key.begin());
  return key;
}

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

std::string document_text(const document& d) {
  std::string body(d.body.begin(), d.body.end());
  // A check-in: its question, then the support services it points to (SPEC 5.19).
  if (d.content_type == proto::checkin_content_type) {
    if (auto c = proto::parse_checkin_body(body)) {
      std::string out = c->question;
      if (!c->support.empty()) out += "\n\nSupport you can turn to:";
      for (const auto& s : c->support) out += "\n  " + s;
      return out;
    }
  }
  return body;
}

// ------------------------------------------------------------------ parsing a command's words

namespace {

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

}  // namespace

std::optional<po::variables_map> parse(int argc, char** argv, po::options_description& d,
                                       po::positional_options_description pos) {
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

std::optional<proto::hash> relay_pin(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto raw = proto::base64url_decode(text);
  if (!raw || raw->size() != 32) throw std::runtime_error("--relay-pin is not a certificate's SHA-256");
  proto::hash pin{};
  std::copy(raw->begin(), raw->end(), pin.begin());
  return pin;
}

po::positional_options_description target::add(po::options_description& d, bool with_letter) {
  po::positional_options_description pos;
  d.add_options()("case", po::value(&case_text)->required(), "the case (its id or the start of it)");
  pos.add("case", 1);
  if (with_letter) {
    d.add_options()("letter", po::value(&letter_text)->required(), "the letter (its id or the start of it)");
    pos.add("letter", 1);
  }
  return pos;
}

namespace {

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

}  // namespace

account open_account(const common& c) {
  auto a = need(account::open(profile_dir(c), passphrase(c, false)));
  if (!c.as_json) a.on_progress(show_progress);
  return a;
}

std::string read_letter_text(const std::string& file, const std::string& text, const std::string& again) {
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
  if (!again.empty()) std::ofstream(path, std::ios::binary) << again;  // the letter being changed, to go on with
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

// ------------------------------------------------------------------ an opened letter

namespace {

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

}  // namespace

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

int message_step(int argc, char** argv, const std::string& what) {
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

// ------------------------------------------------------------------ the commands

std::vector<command>& commands() {
  static std::vector<command> all;
  return all;
}

registered::registered(std::initializer_list<command> some) {
  commands().insert(commands().end(), some.begin(), some.end());
}

}  // namespace shuttle::cli
