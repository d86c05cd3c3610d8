// `shuttle cases`, `case`, `invite`, `attest`, `withdraw`, `grant`, `rekey`,
// `stage`, `pause` and `resume`: the cases a person takes part in.
#include "client-lib/cli/cli.hpp"
#include "client-lib/release_time.hpp"
#include "proto/fingerprint.hpp"
#include "proto/invitation_code.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <iostream>
#include <sstream>

namespace shuttle::cli {
namespace {

// Where a case is, in the words a person reads, and what comes next.
std::string stage_words(const case_summary& s) {
  if (s.state == "closed") return "closed";
  switch (s.stage) {
    case proto::case_stage::referral: return "getting started";
    case proto::case_stage::preparation: return "preparing";
    case proto::case_stage::exchange: return "exchanging letters";
    case proto::case_stage::agreement: return "agreeing what happens next";
    case proto::case_stage::aftercare: return "follow-up";
  }
  return "?";
}

std::string stage_next(const case_summary& s) {
  if (s.state == "closed") return "The case is closed. Nothing more can be sent in it.";
  switch (s.stage) {
    case proto::case_stage::referral:
      return "The facilitators are getting in touch with each person. Next, they meet you to prepare.";
    case proto::case_stage::preparation:
      return "The facilitators meet each person to prepare. When everyone is ready, letters are exchanged through them.";
    case proto::case_stage::exchange:
      return "Letters go between you through the facilitators, who read each one first. Next, if you both wish, an "
             "agreement about what happens now.";
    case proto::case_stage::agreement:
      return "The facilitators help you agree on what happens now. Afterwards they check in on how it goes.";
    case proto::case_stage::aftercare:
      return "The facilitators check in on how things are going. Then the case closes.";
  }
  return "";
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
                     {"participant_state", s.participant_state}, {"approvals_required", s.approvals_required},
                     {"stage", proto::to_string(s.stage)}, {"paused", s.paused}};
      if (s.label_text) o["label"] = *s.label_text;
      if (s.role == proto::role::facilitator) {
        json::array left, untold;
        for (auto r : s.withdrawn) left.push_back(json::string(proto::to_string(r)));
        for (const auto& m : s.declined_untold) untold.push_back(json::string(b64(m)));
        o["withdrawn"] = std::move(left);
        o["declined_untold"] = std::move(untold);
      }
      out.push_back(std::move(o));
    }
    print_json(out);
    return 0;
  }
  if (list.empty()) std::cout << "You take part in no case yet.\n";
  for (const auto& s : list) {
    std::cout << short_id(s.case_id) << "  " << (s.label_text ? "\"" + *s.label_text + "\", " : std::string())
              << stage_words(s) << (s.paused && s.state == "open" ? " (paused by the person harmed)" : "")
              << ", you are the " << role_words(s.role)
              << (s.participant_state == "withdrawn" ? " (withdrawn)" : "")
              << (s.approvals_required == 2 ? ", two-person review" : "") << "\n";
    // What asks for a facilitator besides the queue.
    for (auto r : s.withdrawn) std::cout << "    the " << role_words(r) << " has left the process\n";
    for (const auto& m : s.declined_untold) {
      std::cout << "    a letter was declined by its reader; its writer does not know yet: shuttle tell-declined "
                << short_id(s.case_id) << " " << short_id(m) << " [--note TEXT]\n";
    }
  }
  return 0;
}

int cmd_case(int argc, char** argv) {
  common c;
  std::string action, case_text, label, quiet_from, quiet_until, time_zone;
  bool two_person = false, yes = false, no_quiet = false, despite_checkins = false;
  po::options_description d(
      "shuttle case open [--two-person] [--label L] | shuttle case show CASE | shuttle case label CASE --label L |\n"
      "shuttle case quiet-hours CASE --from 21:00 --until 08:00 [--time-zone Europe/Oslo] | --none |\n"
      "shuttle case close CASE [--yes] [--despite-checkins]");
  add_common(d, c);
  d.add_options()("action", po::value(&action)->required(), "open, show, label, quiet-hours or close")
      ("case", po::value(&case_text), "the case (its id or the start of it)")
      ("two-person", po::bool_switch(&two_person), "open: every letter needs two distinct facilitators' approval")
      ("label", po::value(&label), "open, label: a name for the case only its facilitators can read")
      ("from", po::value(&quiet_from), "quiet-hours: no letter is released from this time (HH:MM)")
      ("until", po::value(&quiet_until), "quiet-hours: ... until this time (HH:MM)")
      ("time-zone", po::value(&time_zone), "quiet-hours: the case's time zone (default: yours, from $TZ or the system)")
      ("none", po::bool_switch(&no_quiet), "quiet-hours: remove them")
      ("yes", po::bool_switch(&yes), "close: do not ask for confirmation")
      ("despite-checkins", po::bool_switch(&despite_checkins), "close: even while a check-in is still open");
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
    auto closed = a.close_case(id, despite_checkins);
    if (!closed && closed.error().detail.find("checkins_open") != std::string::npos) {
      throw std::runtime_error("A check-in is still open in this case (shuttle checkin list " + short_id(id) +
                               "): it has not reached its party yet, or they have not answered it. To close the case "
                               "anyway, add --despite-checkins.");
    }
    need(std::move(closed));
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
                                    {"safety_number", p.safety_number}, {"consented", p.consented},
                                    {"consent_current", p.consent_current}});
      if (p.name) people.back().as_object()["name"] = *p.name;
      if (p.consent_language) people.back().as_object()["consent_language"] = *p.consent_language;
    }
    print_json(json::object{{"case", b64(id)}, {"state", v.summary.state},
                            {"approvals_required", v.summary.approvals_required}, {"stage", proto::to_string(v.summary.stage)},
                            {"paused", v.summary.paused}, {"people", people}});
    return 0;
  }
  std::cout << "Case " << b64(id) << ": " << stage_words(v.summary)
            << (v.summary.approvals_required == 2 ? ", two-person review" : "") << "\n"
            << "  " << stage_next(v.summary) << "\n";
  if (v.summary.paused && v.summary.state == "open") {
    std::cout << "  The person harmed has paused the case: no letter is released until they resume it.\n";
  }
  if (v.quiet_hours) {
    std::cout << "  quiet hours " << v.quiet_hours->start << " to " << v.quiet_hours->end << " (" << v.quiet_hours->time_zone
              << "): no letter is released in them\n";
  }
  // Who agreed to which consent text, where the service asks for one.
  const bool consent_asked = std::any_of(v.people.begin(), v.people.end(), [](const person& p) { return p.consented; });
  auto consent_words = [&](const person& p) -> std::string {
    if (!consent_asked || p.role == proto::role::facilitator) return "";
    if (!p.consented) return ", no consent recorded";
    if (!p.consent_current) return ", agreed to an earlier consent text";
    return ", agreed to the consent text" + (p.consent_language ? " (" + *p.consent_language + ")" : std::string());
  };
  for (const auto& p : v.people) {
    std::cout << "  " << role_words(p.role) << (p.name ? " " + *p.name : std::string()) << (p.me ? " (you)" : "")
              << consent_words(p)
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

// The core questions of a restorative process, offered as prompts.
std::string standard_prompts(const std::string& language) {
  if (language == "nb") {
    return "Hva skjedde?\nHvordan opplevde du det, og hvordan har det påvirket deg siden?\nHva trenger du nå?\n"
           "Hva ønsker du skal komme ut av dette?";
  }
  return "What happened?\nHow did you experience it, and how has it affected you since?\nWhat do you need now?\n"
         "What do you wish to come out of this?";
}

// `shuttle names` and `shuttle prompts`: a facilitator seals a writing aid to
// one party; a party reads the prompts offered to it.
int writing_aid(int argc, char** argv, const std::string& purpose) {
  common c;
  target t;
  std::string for_text, text, file, language;
  bool standard = false;
  po::options_description d(
      purpose == "names"
          ? "shuttle names CASE --for harmed|responsible --text \"NAME\\nPLACE\": names and places (one per line) the "
            "party's check for identifying details looks for in their letters, sealed to them (facilitators)"
          : "shuttle prompts CASE --for harmed|responsible (--text \"Q\\nQ\" | --standard [--language en|nb]): questions "
            "offered to the party as optional prompts when writing (facilitators); shuttle prompts CASE: the prompts "
            "offered to you");
  add_common(d, c);
  d.add_options()("for", po::value(&for_text), "harmed or responsible: the party it is sealed to")
      ("text", po::value(&text), "one per line")
      ("file", po::value(&file), "... or from a file");
  if (purpose == "prompts") {
    d.add_options()("standard", po::bool_switch(&standard), "the core questions of a restorative process")
        ("language", po::value(&language)->default_value("en"), "the language of the standard questions (en, nb)");
  }
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto id = t.case_id(a);
  if (for_text.empty()) {
    // A party reading what it was offered.
    const auto aid = need(a.writing_aid(id, purpose));
    if (c.as_json) {
      print_json(json::object{{purpose, aid ? json::value(*aid) : json::value(nullptr)}});
    } else if (!aid) {
      std::cout << (purpose == "prompts" ? "Your facilitators have offered no prompts.\n"
                                         : "Your facilitators have listed no names.\n");
    } else {
      std::cout << (purpose == "prompts" ? "Questions your facilitators offer to help you write (you can use any, "
                                           "or none; the letter is yours):\n"
                                         : "Names and places your letters are checked for before they go to review:\n");
      std::istringstream lines(*aid);
      for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) std::cout << "  - " << line << "\n";
      }
    }
    return 0;
  }
  proto::role party{};
  if (!proto::parse_enum(for_text, party) || (party != proto::role::harmed && party != proto::role::responsible)) {
    throw std::runtime_error("--for is harmed or responsible");
  }
  const std::string body = standard ? standard_prompts(language) : read_letter_text(file, text);
  need(a.set_writing_aid(id, party, purpose, body));
  answer(c, {{purpose, true}},
         purpose == "names" ? "The " + role_words(party) + "'s letters are now checked for these names and places, on "
                                                            "their own device. The relay cannot read the list."
                            : "The " + role_words(party) + " is offered these questions when writing. The relay "
                                                           "cannot read them.");
  return 0;
}
int cmd_names(int argc, char** argv) { return writing_aid(argc, argv, "names"); }
int cmd_prompts(int argc, char** argv) { return writing_aid(argc, argv, "prompts"); }

int cmd_consent(int argc, char** argv) {
  common c;
  target t;
  std::string language;
  bool agree = false;
  po::options_description d(
      "shuttle consent CASE [--agree]: read again the consent text you agreed to, and whether it is still the "
      "service's; with --agree, agree to the service's current text");
  add_common(d, c);
  d.add_options()("agree", po::bool_switch(&agree), "agree to the service's current text (it is shown first)")
      ("language", po::value(&language), "the language of the text (en, nb, ...)");
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  const auto id = t.case_id(a);
  const auto kept = need(a.agreed(id));
  const auto offers = need(a.consent_texts());
  if (offers.empty() && !kept) {
    answer(c, {{"consent", nullptr}}, "This service asks for no consent in Shuttle.");
    return 0;
  }
  const std::string wanted = !language.empty() ? language : kept ? kept->language : "en";
  const consent_offer* current = offers.empty() ? nullptr : &offers.front();
  for (const auto& o : offers) {
    if (o.language == wanted) current = &o;
  }
  const bool still = kept && std::any_of(offers.begin(), offers.end(),
                                         [&](const consent_offer& o) { return o.text_hash == kept->text_hash; });
  if (agree) {
    if (!current) throw std::runtime_error("the service has no consent text now");
    std::cerr << current->text << "\n\n";
    need(a.consent_again(id, *current));
    answer(c, {{"agreed", true}, {"language", current->language}},
           "You have agreed to the service's current text. You can read it again at any time with shuttle consent.");
    return 0;
  }
  if (c.as_json) {
    json::object o{{"current", still}};
    if (kept) o["agreed"] = json::object{{"language", kept->language}, {"text", kept->text}, {"at", kept->at}};
    print_json(o);
    return 0;
  }
  if (kept) {
    std::cout << "You agreed to this on " << when(kept->at) << ":\n\n" << kept->text << "\n\n";
  } else {
    std::cout << "This device keeps no consent text for this case.\n";
  }
  std::cout << (still ? "It is still the service's text.\n"
                      : "The service's text has changed since. Read it and agree again with: shuttle consent " +
                            t.case_text + " --agree\n")
            << "To withdraw your consent, leave the process: shuttle withdraw " << t.case_text << "\n";
  return 0;
}

int cmd_stage(int argc, char** argv) {
  common c;
  target t;
  std::string stage_text;
  po::options_description d(
      "shuttle stage CASE STAGE: move the case to a stage of the process (facilitators). STAGE is referral, "
      "preparation, exchange, agreement or aftercare; closing is shuttle case close");
  add_common(d, c);
  d.add_options()("stage", po::value(&stage_text)->required(), "referral, preparation, exchange, agreement or aftercare");
  auto pos = t.add(d, false);
  pos.add("stage", 1);
  if (!parse(argc, argv, d, pos)) return 0;
  proto::case_stage stage{};
  if (!proto::parse_enum(stage_text, stage)) {
    throw std::runtime_error("the stage is referral, preparation, exchange, agreement or aftercare (closing is "
                             "shuttle case close)");
  }
  auto a = open_account(c);
  const auto id = t.case_id(a);
  need(a.set_stage(id, stage));
  case_summary now;
  now.stage = stage;
  now.state = "open";
  answer(c, {{"stage", proto::to_string(stage)}},
         "The case is now at \"" + stage_words(now) + "\". Everyone in it sees this.");
  return 0;
}

int pause_or_resume(int argc, char** argv, bool paused) {
  common c;
  target t;
  po::options_description d(paused ? "shuttle pause CASE: pause the case (the person harmed). Nothing is released to "
                                     "anyone until you resume it; the facilitators are told."
                                   : "shuttle resume CASE: let letters be released again after a pause (the person "
                                     "harmed).");
  add_common(d, c);
  auto pos = t.add(d, false);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  need(a.pause(t.case_id(a), paused));
  answer(c, {{"paused", paused}},
         paused ? "The case is paused. No letter is released to anyone until you resume it (shuttle resume). The "
                  "facilitators have been told; you do not need to give a reason."
                : "The case goes on. Letters the facilitators approved while it was paused are released now.");
  return 0;
}
int cmd_pause(int argc, char** argv) { return pause_or_resume(argc, argv, true); }
int cmd_resume(int argc, char** argv) { return pause_or_resume(argc, argv, false); }

const registered these{
    {"cases", "Cases", "the cases you take part in", cmd_cases},
    {"case", "Cases", "open, show or close a case (facilitators open and close)", cmd_case},
    {"invite", "Cases", "an invitation code for a party (facilitators)", cmd_invite},
    {"attest", "Cases", "vouch for a participant's keys after comparing safety numbers (facilitators)", cmd_attest},
    {"withdraw", "Cases", "leave the process (parties and supporters)", cmd_withdraw},
    {"grant", "Cases", "let your supporter read your letters, or stop that (parties)", cmd_grant},
    {"rekey", "Cases", "publish a new key for a case", cmd_rekey},
    {"stage", "Cases", "move a case to a stage of the process (facilitators)", cmd_stage},
    {"consent", "Cases", "read again the consent text you agreed to, or agree to a new one", cmd_consent},
    {"names", "Cases", "names and places a party's letters are checked for (facilitators)", cmd_names},
    {"prompts", "Cases", "questions offered to a party when writing (facilitators); the prompts offered to you", cmd_prompts},
    {"pause", "Cases", "pause a case: nothing is released until you resume it (the person harmed)", cmd_pause},
    {"resume", "Cases", "resume a paused case (the person harmed)", cmd_resume},
};

}  // namespace
}  // namespace shuttle::cli
