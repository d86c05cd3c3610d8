// shuttle checkin: aftercare check-ins (proto/SPEC.md 5.19). A facilitator
// schedules a question for one party with the support services they can
// turn to; it reaches them at that time; the party answers it; the case
// stays open until each is answered, unless a facilitator closes it anyway.
#include "client-lib/cli/cli.hpp"
#include "client-lib/release_time.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <iostream>

namespace shuttle::cli {
namespace {

std::string state_words(const checkin_view& c, bool facilitator) {
  if (c.state == "scheduled") return "reaches the " + role_words(c.to) + " " + (c.due_at ? when(*c.due_at) : "soon");
  if (c.state == "answered") return facilitator ? "answered by the " + role_words(c.to) : "you answered it";
  return facilitator ? "with the " + role_words(c.to) + ", not answered yet" : "waiting for your answer";
}

int cmd_checkin(int argc, char** argv) {
  common c;
  target t;
  std::string action, for_text, at_text, question, text;
  std::vector<std::string> support;
  po::options_description d(
      "shuttle checkin schedule CASE --for harmed|responsible --at TIME --question Q [--support S ...] (facilitators)\n"
      "shuttle checkin list CASE | shuttle checkin answer CASE CHECKIN --text T (parties)");
  add_common(d, c);
  d.add_options()("action", po::value(&action)->required(), "schedule, list or answer")
      ("case", po::value(&t.case_text), "the case")
      ("checkin", po::value(&t.letter_text), "answer: the check-in (its id or the start of it)")
      ("for", po::value(&for_text), "schedule: the party it is for")
      ("at", po::value(&at_text), "schedule: when it reaches them (2027-01-15 10:00, +30d, tomorrow 09:00)")
      ("question", po::value(&question), "schedule: what you ask")
      ("support", po::value(&support)->composing(), "schedule: a support service they can turn to (repeat)")
      ("text", po::value(&text), "answer: your answer");
  po::positional_options_description pos;
  pos.add("action", 1).add("case", 1).add("checkin", 1);
  if (!parse(argc, argv, d, pos)) return 0;
  if (t.case_text.empty()) throw std::runtime_error("which case? (shuttle cases lists them)");
  auto a = open_account(c);
  const auto id = t.case_id(a);
  if (action == "schedule") {
    proto::role party{};
    if (!proto::parse_enum(for_text, party) || (party != proto::role::harmed && party != proto::role::responsible)) {
      throw std::runtime_error("say whom it is for: --for harmed or --for responsible");
    }
    if (question.empty()) throw std::runtime_error("say what you ask with --question");
    if (at_text.empty()) throw std::runtime_error("say when it reaches them with --at (e.g. --at \"2027-01-15 10:00\")");
    const auto due = need(client::parse_release_time(at_text, unix_now()));
    const auto message = need(a.schedule_checkin(id, party, due, {question, support}));
    answer(c, {{"message", b64(message)}, {"due_at", due}},
           "The check-in " + short_id(message) + " reaches the " + role_words(party) + " " + when(due) +
               " (later if that falls in the case's quiet hours). The case stays open until it is answered.");
    return 0;
  }
  if (action == "list") {
    const auto list = need(a.checkins(id));
    const bool facilitator = a.is_facilitator();
    if (c.as_json) {
      json::array out;
      for (const auto& x : list) {
        json::object o{{"message", b64(x.message)}, {"to", proto::to_string(x.to)}, {"state", x.state}};
        if (x.due_at) o["due_at"] = *x.due_at;
        if (x.released_at) o["released_at"] = *x.released_at;
        if (x.answer) o["answer"] = b64(*x.answer);
        out.push_back(std::move(o));
      }
      print_json(out);
      return 0;
    }
    if (list.empty()) std::cout << (facilitator ? "No check-in is scheduled in this case.\n" : "No check-in has reached you.\n");
    for (const auto& x : list) std::cout << short_id(x.message) << "  " << state_words(x, facilitator) << "\n";
    return 0;
  }
  if (action == "answer") {
    if (t.letter_text.empty()) throw std::runtime_error("which check-in? (shuttle checkin list CASE)");
    if (text.empty()) throw std::runtime_error("write your answer with --text");
    const auto checkin = need(a.resolve_message(id, t.letter_text));
    const auto message = need(a.answer_checkin(id, checkin, text));
    answer(c, {{"message", b64(message)}}, "Your facilitators have your answer. The other party never sees it.");
    return 0;
  }
  throw std::runtime_error("shuttle checkin: schedule, list or answer");
}

const registered these{
    {"checkin", "Cases", "aftercare check-ins: schedule one for a party, list them, answer one", cmd_checkin},
};

}  // namespace
}  // namespace shuttle::cli
