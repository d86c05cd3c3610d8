// `shuttle write`, `letters`, `read`, `decline`, `revoke` and `resend`: a party's letters.
#include "client-lib/cli/cli.hpp"
#include "client-lib/identifying.hpp"
#include "client-lib/release_time.hpp"
#include "proto/fingerprint.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <fstream>
#include <iostream>

namespace shuttle::cli {
namespace {

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

// Each finding in its sentence, the finding in brackets.
void say_findings(std::ostream& out, const std::string& letter, const std::vector<finding>& findings,
                  const char* indent) {
  for (const auto& f : findings) {
    const auto at = context_of(letter, f);
    out << indent << words_for(f.kind) << ": \"" << at.before << "[" << at.match << "]" << at.after << "\"\n";
  }
}

// A letter written in the editor and not sent, in a file of its writer's alone.
std::string keep_unsent(const std::string& letter) {
  char path[] = "/tmp/shuttle-unsent-letter-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("cannot keep the letter in a file: " + std::string(std::strerror(errno)));
  ::close(fd);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << letter;
  if (!out.flush()) throw std::runtime_error(std::string("cannot write the letter into ") + path);
  return path;
}

// The check for identifying details (docs/IDENTIFYING.md), before a letter
// goes into review: each finding in its sentence, and the writer's choice.
// Returns the letter to send (changed in the editor, perhaps), or nothing
// when the writer chose to change it outside this command. At a terminal the
// question waits, and changing it is what Enter does; elsewhere (a script)
// the findings are said and the letter goes as it is, as the script chose.
std::optional<std::string> checked_letter(std::string letter, const std::vector<std::string>& listed,
                                          bool from_editor) {
  for (;;) {
    const auto findings = find_identifying(letter, listed);
    if (findings.empty()) return letter;
    std::cerr << "Before it goes to your facilitator: your letter mentions details that could let someone find or "
                 "recognise a person. Your facilitator reads every letter first; still, is this what you want the "
                 "other person to know? Nothing about this check leaves your device.\n\n";
    say_findings(std::cerr, letter, findings, "  ");
    if (!isatty(STDIN_FILENO)) {
      std::cerr << "\nNo one is here to ask, so it goes as it is (--check-only looks without sending).\n";
      return letter;
    }
    std::cerr << "\nSend it as it is? Type send to send it; press Enter to change it first: " << std::flush;
    std::string said;
    const bool answered = static_cast<bool>(std::getline(std::cin, said));
    if (answered && said == "send") return letter;
    if (answered && from_editor) {
      letter = read_letter_text({}, {}, letter);  // changed where it was written, then looked at again
      continue;
    }
    std::cerr << "\nNothing was sent. ";
    if (from_editor) {
      // Written in the editor and not sent: kept, so nothing typed is lost.
      std::cerr << "Your letter is kept in " << keep_unsent(letter)
                << " (yours alone to read); change it there and send it with --file, then delete it.\n";
    } else {
      std::cerr << "Change the letter, then write it again.\n";
    }
    return std::nullopt;
  }
}

// The names and places the facilitators listed for this writer (SPEC 7, `names`).
std::vector<std::string> listed_names(account& a, const proto::id& case_id) {
  std::vector<std::string> out;
  std::istringstream lines(need(a.writing_aid(case_id, "names")).value_or(""));
  for (std::string line; std::getline(lines, line);) out.push_back(line);
  return out;
}

int cmd_write(int argc, char** argv) {
  common c;
  target t;
  std::string file, text, revises, reply_to;
  bool check_only = false, as_it_is = false;
  std::vector<std::string> attachments;
  po::options_description d("shuttle write CASE [--file F | --text T] [--reply-to LETTER]: write a letter to the other "
                            "party; a facilitator reads it first");
  add_common(d, c);
  d.add_options()("file", po::value(&file), "the letter's text from this file")
      ("text", po::value(&text), "the letter's text (otherwise $EDITOR opens)")
      ("attach", po::value(&attachments)->composing(), "a file to attach (repeat for more)")
      ("revises", po::value(&revises), "a returned letter of yours that this one revises")
      ("reply-to", po::value(&reply_to), "a letter you received that this one answers")
      ("check-only", po::bool_switch(&check_only), "look for identifying details, and send nothing")
      ("send-as-is", po::bool_switch(&as_it_is), "send without asking about identifying details");
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto id = t.case_id(a);
  std::string letter = read_letter_text(file, text);
  const auto listed = listed_names(a, id);
  if (check_only) {
    const auto findings = find_identifying(letter, listed);
    if (c.as_json) {
      json::array out;
      for (const auto& f : findings) {
        const auto at = context_of(letter, f);
        out.push_back(json::object{{"kind", name_of(f.kind)}, {"text", f.text}, {"before", at.before},
                                   {"after", at.after}});
      }
      print_json(json::object{{"findings", out}});
    } else if (findings.empty()) {
      std::cout << "Nothing in it looks like an address, a number or a name your facilitators listed.\n";
    } else {
      say_findings(std::cout, letter, findings, "");
    }
    return 0;
  }
  if (!as_it_is) {
    auto checked = checked_letter(std::move(letter), listed, file.empty() && text.empty());
    if (!checked) return 1;
    letter = std::move(*checked);
  }
  account::draft draft;
  draft.content = document::text(letter);
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
    const bool note = m.kind == proto::message_kind::note;
    const std::string direction = note && !a.is_facilitator()       ? (m.mine ? "your note to the facilitators"
                                                                              : "a note from your facilitator")
                                  : note && m.to != proto::role::facilitator ? "note to the " + role_words(m.to)
                                  : note                             ? "note"
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
    if (m.state == "lost_in_restore" || m.state == "lost") {
      std::cout << "\n          "
                << (m.state == "lost_in_restore"
                        ? "The service was restored from an earlier copy; this letter did not reach it."
                        : "The service does not have this letter; it did not reach the other side.")
                << "\n          It is still on this device. To send it again: shuttle resend " << t.case_text << " "
                << short_id(m.message);
    }
    std::cout << "\n";
  }
  return 0;
}

int cmd_resend(int argc, char** argv) {
  common c;
  target t;
  po::options_description d(
      "shuttle resend CASE LETTER: send again a letter of yours that did not reach the service (shuttle letters says "
      "which); it goes to review as a new letter");
  add_common(d, c);
  auto pos = t.add(d, true);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto [id, message] = t.both(a);
  const auto sent = need(a.resend(id, message));
  answer(c, {{"message", b64(sent)}, {"state", "in_review"}, {"replaces", b64(message)}},
         "Sent again as letter " + short_id(sent) + ". It waits for your facilitator's review, like any letter.");
  return 0;
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

const registered these{
    {"write", "Letters", "write a letter to the other party", cmd_write},
    {"letters", "Letters", "the letters of a case and where each one is", cmd_letters},
    {"read", "Letters", "open a letter", cmd_read},
    {"decline", "Letters", "decline a letter waiting for you",
     [](int argc, char** argv) { return message_step(argc, argv, "decline"); }},
    {"revoke", "Letters", "take one of your letters back",
     [](int argc, char** argv) { return message_step(argc, argv, "revoke"); }},
    {"resend", "Letters", "send again a letter of yours that did not reach the service", cmd_resend},
};

}  // namespace
}  // namespace shuttle::cli
