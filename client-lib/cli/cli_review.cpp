// `shuttle queue`, `review`, `claim`, `unclaim`, `approve`, `return`,
// `tell-declined`, `note`, `audit` and `audit-verify`: a facilitator's review
// and the case's record.
#include "client-lib/cli/cli.hpp"
#include "client-lib/release_time.hpp"
#include "proto/fingerprint.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace shuttle::cli {
namespace {

int cmd_queue(int argc, char** argv) {
  common c;
  bool later = false;
  po::options_description d("shuttle queue [--later]: letters waiting for your review, oldest first");
  add_common(d, c);
  d.add_options()("later", po::bool_switch(&later),
                  "the letters approved and waiting for their release time instead, soonest first");
  if (!parse(argc, argv, d)) return 0;
  auto a = open_account(c);
  auto list = need(a.queue(later));
  if (c.as_json) {
    // One shape for both lists: the review facts only where a letter waits for review.
    json::array out;
    for (const auto& m : list) {
      auto o = message_json(m);
      if (m.case_label_text) o["case_label"] = *m.case_label_text;
      if (later) {
        if (m.case_paused) o["case_paused"] = true;
      } else {
        o["waiting_seconds"] = m.waiting_seconds;
        o["approvals"] = m.approvals;
        o["approvals_required"] = m.approvals_required;
        o["reviewed_by_you"] = m.reviewed_by_me;
        if (m.claimed_by) o["claimed_by"] = b64(*m.claimed_by);
        if (m.claimed_by_name) o["claimed_by_name"] = *m.claimed_by_name;
      }
      out.push_back(o);
    }
    print_json(out);
    return 0;
  }
  if (later) {
    if (list.empty()) std::cout << "No approved letter waits for a release time.\n";
    for (const auto& m : list) {
      std::cout << short_id(m.case_id) << " " << short_id(m.message) << "  "
                << (m.case_label_text ? "\"" + *m.case_label_text + "\": " : std::string()) << proto::to_string(m.kind)
                << " to the " << role_words(m.to) << ", "
                << (m.case_paused ? "released when the person harmed resumes the case"
                                  : "released " + (m.release_at ? when(*m.release_at) : std::string("later")))
                << "\n";
    }
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
    if (done.paused) o["paused"] = true;
    print_json(o);
  } else if (done.state == "released") {
    std::cout << "Approved: the letter is now available to its recipient.\n";
  } else if (done.approvals < done.approvals_required) {
    std::cout << "Approved: " << done.approvals << " of " << done.approvals_required
              << " approvals. It is released after the second facilitator approves it"
              << (choice.release_at ? ", and not before " + when(*choice.release_at) : std::string()) << ".\n";
  } else if (done.paused) {
    std::cout << "Approved. The person harmed has paused the case, so it is released when they resume it"
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

int cmd_note(int argc, char** argv) {
  common c;
  target t;
  std::string text, file, to_text;
  po::options_description d(
      "shuttle note CASE --text T [--to harmed|responsible]: a note for this case's facilitators only (an internal "
      "note; a party's or supporter's words to them), or, from a facilitator with --to, a message to one party that "
      "the other party never sees and that needs no review");
  add_common(d, c);
  d.add_options()("text", po::value(&text), "the note")
      ("file", po::value(&file), "the note from a file")
      ("to", po::value(&to_text), "facilitators: harmed or responsible, the party this message is for");
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  std::optional<proto::role> to;
  if (!to_text.empty()) {
    proto::role r{};
    if (!proto::parse_enum(to_text, r) || (r != proto::role::harmed && r != proto::role::responsible)) {
      throw std::runtime_error("--to is harmed or responsible");
    }
    to = r;
  }
  auto a = open_account(c);
  const auto id = t.case_id(a);
  account::draft draft{document::text(read_letter_text(file, text)), proto::message_kind::note, to, {}, {}};
  const auto message = need(a.send(id, draft));
  answer(c, {{"message", b64(message)}},
         to ? "Your message " + short_id(message) + " is with the " + role_words(*to) +
                  " now. The other party never sees it."
            : "Note " + short_id(message) + " is with the facilitators." +
                  (a.is_facilitator() ? "" : " The other party never sees it."));
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
  const proto::public_key key = relay_key_of(c, key_text);
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

const registered these{
    {"queue", "Review", "letters waiting for your review (facilitators)", cmd_queue},
    {"review", "Review", "claim and read a letter for review", cmd_review},
    {"claim", "Review", "claim a letter without reading it yet",
     [](int argc, char** argv) { return message_step(argc, argv, "claim"); }},
    {"unclaim", "Review", "let go of a letter you claimed, so another facilitator can review it",
     [](int argc, char** argv) { return message_step(argc, argv, "unclaim"); }},
    {"approve", "Review", "release a letter to its recipient", cmd_approve},
    {"return", "Review", "send a letter back to its writer with a note", cmd_return},
    {"tell-declined", "Review", "tell a letter's writer that its recipient declined it", cmd_tell_declined},
    {"note", "Review", "a note for the case's facilitators, or a facilitator's message to one party", cmd_note},
    {"audit", "Review", "the case's verified audit trail", cmd_audit},
    {"audit-verify", "Review", "check a saved audit export offline", cmd_audit_verify},
};

}  // namespace
}  // namespace shuttle::cli
