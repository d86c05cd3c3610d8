// What the `shuttle` commands share: the options every command takes, the
// passphrase, errors told calmly, printing, the CASE and LETTER arguments,
// and the table of commands. Each command lives in the file of its group
// (cli_*.cpp) and registers itself there, so a new command touches one file;
// shuttle_main.cpp prints the usage and runs the one named.
#pragma once

#include "client-lib/account.hpp"
#include "proto/base64.hpp"

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/variables_map.hpp>

#include <functional>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace shuttle::cli {

using namespace shuttle::client;
namespace po = boost::program_options;
namespace json = boost::json;

template <std::size_t N>
std::string b64(const fixed<N>& v) {
  return proto::base64url_encode(v);
}

// A short form of an id for people; any unique prefix is accepted back.
inline std::string short_id(const proto::id& id) { return b64(id).substr(0, 8); }

// ------------------------------------------------------------------ options shared by every command

struct common {
  std::string profile;
  int passphrase_fd = -1;
  bool as_json = false;
};

void add_common(po::options_description& d, common& c);

// One answer of a command: its JSON value with --json, else its sentence.
void answer(const common& c, const json::object& value, const std::string& words);

std::filesystem::path profile_dir(const common& c);

// The passphrase: --passphrase-fd, SHUTTLE_PASSPHRASE, or asked on the
// terminal without echo (twice, for a new one).
std::string passphrase(const common& c, bool new_one);

// Parses a command's options; prints its help and returns nothing for --help.
std::optional<po::variables_map> parse(int argc, char** argv, po::options_description& d,
                                       po::positional_options_description pos = {});

// ------------------------------------------------------------------ errors, calmly

// What to tell a person for each error; the code goes in --json output.
std::string explain(const error& e);

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

// A file the person named that cannot be read: what, why, and what to do.
[[noreturn]] void cannot_read(const std::string& path, const std::string& why, bool sending = true);

// ------------------------------------------------------------------ the account and its arguments

// The relay's public key for an offline check: --relay-key (base64url), or
// the one the profile pinned.
proto::public_key relay_key_of(const common& c, const std::string& key_text);

// The profile opened with its passphrase; a large letter shows its progress.
account open_account(const common& c);

// The CASE (and LETTER) most commands take: ids, or any unique start of one.
struct target {
  std::string case_text, letter_text;

  po::positional_options_description add(po::options_description& d, bool with_letter);
  proto::id case_id(account& a) const { return need(a.resolve_case(case_text)); }
  std::pair<proto::id, proto::id> both(account& a) const {
    const auto id = case_id(a);
    return {id, need(a.resolve_message(id, letter_text))};
  }
};

// --relay-pin: a self-signed certificate's SHA-256 in base64url, as the
// relay prints it; nothing when not given.
std::optional<proto::hash> relay_pin(const std::string& text);

// A letter's text: from FILE ("-" is standard input) or given on the line.
// `again`: a letter to open the editor on, to change it (the editor alone).
std::string read_letter_text(const std::string& file, const std::string& text, const std::string& again = {});

// ------------------------------------------------------------------ printing

// Times are shown in the user's local time zone.
std::string when(std::uint64_t t);

// "1 letter", "2 letters": counts in words, never "letter(s)".
std::string count_of(std::uint64_t n, const std::string& one, const std::string& many);

std::string role_words(proto::role r);
void print_json(const json::value& v);
json::object message_json(const message_summary& m);
std::string document_text(const document& d);

// An opened letter as sentences, its attachments as JSON, and the
// attachments saved into `dir`, each readable by its owner alone.
void print_letter(const opened_letter& l);
json::array attachments_json(const document& content);
void save_attachments(const document& content, const std::string& dir, bool quiet);

// The commands that take CASE LETTER and nothing else: decline, revoke,
// claim, unclaim.
int message_step(int argc, char** argv, const std::string& what);

// ------------------------------------------------------------------ the commands

struct command {
  std::string name;
  std::string group;
  std::string summary;
  std::function<int(int, char**)> run;
};

// Every command, in the order its file registered it.
std::vector<command>& commands();

// Registers a file's commands: `const registered these{{...}, {...}};`.
struct registered {
  registered(std::initializer_list<command> some);
};

}  // namespace shuttle::cli
