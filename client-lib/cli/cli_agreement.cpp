// shuttle agreement: the outcome agreement (proto/SPEC.md 5.17, 5.18, 6.6,
// 10). Facilitators draft it as items and mark them once it binds; each
// party reads it whole, asks for changes or signs it; a facilitator exports
// it, and anyone checks an export offline.
#include "client-lib/cli/cli.hpp"
#include "proto/fingerprint.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace shuttle::cli {
namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
}

// "what | who | by when | how it is checked": one item.
proto::agreement_item item_of(const std::string& line) {
  std::vector<std::string> parts;
  std::string_view rest(line);
  for (std::size_t bar; (bar = rest.find('|')) != std::string_view::npos; rest.remove_prefix(bar + 1)) {
    parts.push_back(trim(rest.substr(0, bar)));
  }
  parts.push_back(trim(rest));
  if (parts.size() != 4 || std::any_of(parts.begin(), parts.end(), [](const auto& p) { return p.empty(); })) {
    throw std::runtime_error("each item is four parts separated by |: what | who | by when | how it is checked (\"" +
                             line + "\")");
  }
  return {parts[0], parts[1], parts[2], parts[3]};
}

std::string who_words(const person& p) {
  if (p.me) return "you";
  if (p.role == proto::role::facilitator) return "facilitator " + p.name.value_or("(no name)");
  return "the " + role_words(p.role);
}

json::object agreement_json(const agreement_view& v) {
  json::array items, signatures, marks, waiting;
  for (const auto& i : v.document.items) items.push_back({{"what", i.what}, {"who", i.who}, {"by", i.by}, {"check", i.check}});
  for (const auto& s : v.signatures) {
    signatures.push_back({{"identity", b64(s.who.identity)}, {"role", proto::to_string(s.who.role)},
                          {"same_text", s.same_text}, {"me", s.who.me}});
  }
  for (const auto& m : v.marks) marks.push_back({{"item", m.item}, {"done", m.done}, {"by", b64(m.by.identity)}});
  for (const auto& p : v.waiting_for) waiting.push_back(json::string(proto::to_string(p.role)));
  json::object o{{"message", b64(v.message)}, {"agreement_hash", b64(v.hash)}, {"items", std::move(items)},
                 {"signatures", std::move(signatures)}, {"waiting_for", std::move(waiting)},
                 {"marks", std::move(marks)}, {"bound", v.bound}, {"signed_by_me", v.signed_by_me}};
  if (v.bound_at) o["bound_at"] = *v.bound_at;
  return o;
}

void print_items(const proto::agreement_document& d, const std::vector<agreement_view::mark>& marks) {
  for (std::size_t i = 0; i < d.items.size(); ++i) {
    const auto& item = d.items[i];
    std::cout << "  " << i + 1 << ". " << item.what << "\n"
              << "     who: " << item.who << "\n"
              << "     by when: " << item.by << "\n"
              << "     how it is checked: " << item.check << "\n";
    for (const auto& m : marks) {
      if (m.item == i + 1) std::cout << "     " << (m.done ? "done" : "not done") << ", says " << who_words(m.by) << "\n";
    }
  }
}

void print_agreement(const agreement_view& v) {
  std::cout << "The agreement (" << short_id(v.message) << ", written " << when(v.submitted_at) << "):\n";
  print_items(v.document, v.marks);
  for (const auto& s : v.signatures) {
    std::cout << (s.same_text ? "Signed by " : "Signed, but over another text, by ") << who_words(s.who) << ".\n";
  }
  if (v.bound) {
    std::cout << "It binds: both parties and the facilitators signed this text (" << when(*v.bound_at) << ").\n";
  } else {
    std::string waiting;
    for (const auto& p : v.waiting_for) waiting += (waiting.empty() ? "" : ", ") + who_words(p);
    if (!waiting.empty()) std::cout << "Not signed yet by: " << waiting << ".\n";
  }
  if (v.ignored_marks) std::cout << count_of(v.ignored_marks, "mark names", "marks name") << " an item the agreement does not have; left out.\n";
}

// The agreement in force, or a calm word that there is none.
agreement_view current(account& a, const proto::id& case_id) {
  auto v = need(a.agreement(case_id));
  if (!v) throw std::runtime_error("There is no agreement in this case yet. The facilitators write it when the case "
                                   "is ready for it.");
  return std::move(*v);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) cannot_read(path, std::strerror(errno), false);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int cmd_agreement(int argc, char** argv) {
  common c;
  target t;
  std::string action, text, file, out, key_text, item_text, state_text;
  std::vector<std::string> items;
  bool yes = false;
  po::options_description d(
      "shuttle agreement draft CASE --item \"what | who | by when | how it is checked\" ... [--file F] (facilitators)\n"
      "shuttle agreement show CASE | sign CASE [--yes] | ask CASE --text T (parties: ask for changes)\n"
      "shuttle agreement mark CASE ITEM done|not-done (facilitators) | export CASE --out FILE (facilitators)\n"
      "shuttle agreement verify FILE [--relay-key KEY]: check an exported agreement offline");
  add_common(d, c);
  d.add_options()("action", po::value(&action)->required(), "draft, show, sign, ask, mark, export or verify")
      ("case", po::value(&t.case_text), "the case (or, for verify, the export file)")
      ("item-number", po::value(&item_text), "mark: the item's number")
      ("state", po::value(&state_text), "mark: done or not-done")
      ("item", po::value(&items)->composing(), "draft: one item, its four parts separated by |")
      ("file", po::value(&file), "draft: the items from a file, one per line")
      ("text", po::value(&text), "ask: the changes you would like")
      ("out", po::value(&out), "export: where to save it")
      ("relay-key", po::value(&key_text), "verify: the relay's public key (base64url); otherwise your profile's")
      ("yes", po::bool_switch(&yes), "sign: do not ask for confirmation");
  po::positional_options_description pos;
  pos.add("action", 1).add("case", 1).add("item-number", 1).add("state", 1);
  if (!parse(argc, argv, d, pos)) return 0;

  if (action == "verify") {
    if (t.case_text.empty()) throw std::runtime_error("which file? shuttle agreement verify FILE");
    const auto x = need(proto::parse_agreement_export(read_file(t.case_text)));
    const auto v = need(proto::verify_agreement_export(x, relay_key_of(c, key_text)));
    if (c.as_json) {
      json::array signers;
      for (const auto& s : v.signers) {
        signers.push_back({{"identity", b64(s.person.identity)}, {"role", proto::to_string(s.person.person_role)},
                           {"safety_number", proto::safety_number(s.person.identity)}, {"at", s.at}});
      }
      print_json(json::object{{"verifies", true}, {"items", v.document.items.size()}, {"signers", std::move(signers)},
                              {"marks", v.marks.size()}, {"bound_at", v.bound_at}});
      return 0;
    }
    std::vector<agreement_view::mark> marks;
    for (const auto& m : v.marks) {
      person by;
      by.role = m.by.person_role;
      by.name = m.by.name;
      marks.push_back({m.item, m.done, by});
    }
    std::cout << "The agreement of case " << b64(x.case_id) << " verifies with the relay's key.\n";
    print_items(v.document, marks);
    std::cout << "It bound on " << when(v.bound_at) << ". Signed by:\n";
    for (const auto& s : v.signers) {
      std::cout << "  the " << role_words(s.person.person_role) << (s.person.name ? " " + *s.person.name : "")
                << ", on " << when(s.at) << ", safety number " << proto::safety_number(s.person.identity) << "\n";
    }
    std::cout << "Compare each safety number with the one you know for that person: the roles and names are the "
                 "exporter's.\n";
    return 0;
  }

  if (t.case_text.empty()) throw std::runtime_error("which case? (shuttle cases lists them)");
  auto a = open_account(c);
  const auto id = t.case_id(a);
  if (action == "draft") {
    proto::agreement_document doc;
    if (!file.empty()) {
      std::istringstream lines(read_file(file));
      for (std::string line; std::getline(lines, line);) {
        if (!trim(line).empty()) items.push_back(line);
      }
    }
    if (items.empty()) throw std::runtime_error("give the items with --item \"what | who | by when | how it is checked\"");
    for (const auto& line : items) doc.items.push_back(item_of(line));
    const auto message = need(a.draft_agreement(id, doc));
    answer(c, {{"message", b64(message)}, {"items", doc.items.size()}},
           "The agreement (" + count_of(doc.items.size(), "item", "items") + ") is with both parties to read and "
           "sign; it replaces any earlier draft.");
    return 0;
  }
  if (action == "show") {
    const auto v = current(a, id);
    if (c.as_json) {
      print_json(agreement_json(v));
    } else {
      print_agreement(v);
    }
    return 0;
  }
  if (action == "sign") {
    const auto v = current(a, id);
    if (!yes) {
      if (!isatty(STDIN_FILENO)) throw std::runtime_error("signing is a commitment: read it with shuttle agreement show, then add --yes");
      print_agreement(v);
      std::cerr << "Signing says you agree to this text as it is. Type 'sign' to sign it: ";
      std::string line;
      std::getline(std::cin, line);
      if (line != "sign") throw std::runtime_error("nothing was signed");
    }
    const bool bound = need(a.sign_agreement(id));
    answer(c, {{"message", b64(v.message)}, {"bound", bound}},
           bound ? "You signed. Everyone has now signed: the agreement binds."
                 : "You signed. It binds once both parties and the facilitators have signed.");
    return 0;
  }
  if (action == "ask") {
    if (text.empty()) throw std::runtime_error("say what you would like changed with --text");
    const auto v = current(a, id);
    account::draft ask{document::text("About the agreement " + short_id(v.message) + ": " + text),
                       proto::message_kind::note, {}, {}, {}};
    const auto message = need(a.send(id, ask));
    answer(c, {{"message", b64(message)}},
           "Your facilitators have your words. They may write a new version; nothing is signed until you sign.");
    return 0;
  }
  if (action == "mark") {
    if (item_text.empty() || (state_text != "done" && state_text != "not-done")) {
      throw std::runtime_error("shuttle agreement mark CASE ITEM done|not-done");
    }
    std::uint64_t item = 0;
    try {
      item = std::stoull(item_text);
    } catch (const std::exception&) {
      throw std::runtime_error("the item is its number in the agreement (1, 2, ...)");
    }
    need(a.mark_agreement_item(id, item, state_text == "done"));
    answer(c, {{"item", item}, {"done", state_text == "done"}},
           "Item " + std::to_string(item) + " is marked " + (state_text == "done" ? "done" : "not done") +
               ". Both parties see it.");
    return 0;
  }
  if (action == "export") {
    if (out.empty()) throw std::runtime_error("say where to save it with --out FILE");
    const auto text_out = need(a.export_agreement(id));
    std::ofstream(out, std::ios::binary) << text_out;
    answer(c, {{"file", out}},
           "Saved to " + out + ". Anyone can check it with shuttle agreement verify " + out +
               " --relay-key KEY, comparing the safety numbers it prints with the people's.");
    return 0;
  }
  throw std::runtime_error("shuttle agreement: draft, show, sign, ask, mark, export or verify");
}

const registered these{
    {"agreement", "Cases", "the outcome agreement: draft, read, sign, mark, export, verify", cmd_agreement},
};

}  // namespace
}  // namespace shuttle::cli
