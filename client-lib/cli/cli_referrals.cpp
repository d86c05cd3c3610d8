// `shuttle refer` and `referral-status`: a person with no account asks the
// service to contact them, and later sees where their request is.
// `shuttle referrals` and `referral`: the facilitators read them, enter one
// on someone's behalf, say they made contact, open a case from one, close one.
#include "client-lib/cli/cli.hpp"
#include "client-lib/referral.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <iostream>

namespace shuttle::cli {
namespace {

// What a person reads about where their request is.
std::string state_words(proto::referral_state s) {
  switch (s) {
    case proto::referral_state::received:
      return "Your request has been received. A facilitator will contact you the way you asked.";
    case proto::referral_state::contacted:
      return "A facilitator has been in touch with you about your request.";
    case proto::referral_state::closed:
      return "Your request is closed. If you still want help, you can ask again, or contact the service another way.";
  }
  return "";
}

// The request as the person wrote it, from the options.
proto::referral_document document_of(const std::string& file, const std::string& text, const std::string& contact,
                                     const std::string& about, const std::string& referrer,
                                     const std::string& language) {
  proto::referral_document d;
  d.what_happened = read_letter_text(file, text);
  d.contact = contact;
  d.language = language;
  if (!about.empty()) {
    proto::role who{};
    if (!proto::parse_enum(about, who) || (who != proto::role::harmed && who != proto::role::responsible)) {
      throw std::runtime_error("--about is harmed (you were harmed) or responsible (you caused the harm)");
    }
    d.about = who;
  }
  if (!referrer.empty()) d.referrer = referrer;
  if (contact.empty()) throw std::runtime_error("how can the service reach you? Add --contact (a phone number, an e-mail address, a time to call)");
  if (auto ok = proto::parse_referral_body(proto::referral_body(d)); !ok) {
    throw std::runtime_error("The request is at most 8000 bytes, how to reach you at most 500, and --language en or nb (" +
                             ok.error().detail + "). Nothing was sent.");
  }
  return d;
}

void add_request_options(po::options_description& d, std::string& file, std::string& text, std::string& contact,
                         std::string& about, std::string& referrer, std::string& language) {
  d.add_options()("text", po::value(&text), "what happened, in your words (otherwise --file, or $EDITOR opens)")
      ("file", po::value(&file), "... from a file")
      ("contact", po::value(&contact), "how the service can reach you (and when)")
      ("about", po::value(&about), "harmed (you were harmed) or responsible (you caused the harm), if you want to say")
      ("referrer", po::value(&referrer), "asking for someone else: who you are, and how you know them")
      ("language", po::value(&language)->default_value("en"), "the language to answer you in: en or nb");
}

int cmd_refer(int argc, char** argv) {
  common c;
  std::string address, pin_text, file, text, contact, about, referrer, language;
  po::options_description d(
      "shuttle refer HOST:PORT --contact HOW [--text T | --file F] [--about harmed|responsible] [--referrer WHO]: "
      "ask a restorative justice service to contact you, with no account; sealed so that only its facilitators read it");
  add_common(d, c);
  d.add_options()("relay", po::value(&address)->required(), "the service's address, host:port")
      ("relay-pin", po::value(&pin_text), "the SHA-256 pin of a self-signed relay certificate, as the service gave it");
  add_request_options(d, file, text, contact, about, referrer, language);
  po::positional_options_description pos;
  pos.add("relay", 1);
  if (!parse(argc, argv, d, pos)) return 0;
  const auto request = document_of(file, text, contact, about, referrer, language);
  relay_connection relay(need(relay_address::parse(address, relay_pin(pin_text))));
  const auto code = need(client::refer(relay, request));
  const std::string receipt = proto::encode(code);
  answer(c, {{"receipt_code", receipt}, {"state", "received"}},
         "Your request is with the service, sealed so that only its facilitators can read it. A facilitator will "
         "contact you the way you asked.\nKeep this receipt code to see where your request is (shuttle "
         "referral-status CODE --relay " + address + "):\n  " + receipt);
  return 0;
}

int cmd_referral_status(int argc, char** argv) {
  common c;
  std::string code_text, address, pin_text;
  po::options_description d("shuttle referral-status CODE --relay HOST:PORT: where your request to the service is");
  add_common(d, c);
  d.add_options()("code", po::value(&code_text)->required(), "the receipt code you were given")
      ("relay", po::value(&address)->required(), "the service's address, host:port")
      ("relay-pin", po::value(&pin_text), "the SHA-256 pin of a self-signed relay certificate");
  po::positional_options_description pos;
  pos.add("code", 1);
  if (!parse(argc, argv, d, pos)) return 0;
  const auto code = need(proto::parse_referral_code(code_text));
  relay_connection relay(need(relay_address::parse(address, relay_pin(pin_text))));
  auto found = client::referral_status(relay, code);
  if (!found && found.error().code == errc::not_found) {
    throw std::runtime_error("This receipt code is not known here. Please check it (a code copied from an e-mail "
                             "may have lost its end), or contact the service another way.");
  }
  const auto status = need(std::move(found));
  answer(c, {{"state", proto::to_string(status.state)}, {"received_at", status.received_at}},
         "Received " + when(status.received_at) + ". " + state_words(status.state));
  return 0;
}

// A referral by its id or the start of it, among the open ones.
const referral_entry& find_referral(const std::vector<referral_entry>& open, const std::string& text) {
  const referral_entry* found = nullptr;
  for (const auto& r : open) {
    if (!b64(r.referral).starts_with(text)) continue;
    if (found) throw std::runtime_error("more than one referral starts with " + text + "; give more of it");
    found = &r;
  }
  if (!found || text.empty()) throw std::runtime_error("no open referral starts with " + text + " (shuttle referrals lists them)");
  return *found;
}

json::object as_json(const referral_entry& r) {
  json::object o{{"referral", b64(r.referral)}, {"received_at", r.received_at}, {"state", proto::to_string(r.state)},
                 {"entered", r.entered}, {"readable", r.document.has_value()}};
  if (r.entered_by_name) o["entered_by_name"] = *r.entered_by_name;
  if (r.case_id) o["case"] = b64(*r.case_id);
  if (r.document) {
    o["language"] = r.document->language;
    o["what_happened"] = r.document->what_happened;
    o["contact"] = r.document->contact;
    if (r.document->about) o["about"] = proto::to_string(*r.document->about);
    if (r.document->referrer) o["referrer"] = *r.document->referrer;
  }
  return o;
}

int cmd_referrals(int argc, char** argv) {
  common c;
  po::options_description d("shuttle referrals: the requests people sent to the service, not yet closed (facilitators)");
  add_common(d, c);
  if (!parse(argc, argv, d, {})) return 0;
  auto a = open_account(c);
  const auto open = need(a.referrals());
  if (c.as_json) {
    json::array out;
    for (const auto& r : open) out.push_back(as_json(r));
    print_json(out);
    return 0;
  }
  if (open.empty()) std::cout << "No requests are waiting.\n";
  for (const auto& r : open) {
    std::cout << short_id(r.referral) << "  received " << when(r.received_at) << ", "
              << (r.state == proto::referral_state::received ? "no one has made contact yet" : "contacted")
              << (r.case_id ? ", case " + short_id(*r.case_id) : std::string())
              << (r.entered ? ", entered by " + r.entered_by_name.value_or("a facilitator") : std::string()) << "\n";
    if (!r.document) {
      std::cout << "    It was sealed before your device could read requests; a colleague who was set up then can.\n";
      continue;
    }
    const auto& doc = *r.document;
    if (doc.referrer) std::cout << "    Asked for someone else by: " << *doc.referrer << "\n";
    if (doc.about) {
      std::cout << "    They say they " << (*doc.about == proto::role::harmed ? "were harmed" : "caused the harm") << ".\n";
    }
    std::cout << "    How to reach them: " << doc.contact << "\n    Language: " << doc.language << "\n";
    std::istringstream lines(doc.what_happened);
    for (std::string line; std::getline(lines, line);) std::cout << "    | " << line << "\n";
  }
  return 0;
}

int cmd_referral(int argc, char** argv) {
  common c;
  std::string action, ref_text, file, text, contact, about, referrer, language;
  bool two_person = false;
  po::options_description d(
      "shuttle referral contacted REF | open-case REF [--two-person] | close REF (facilitators)\n"
      "shuttle referral enter --contact HOW [--text T | --file F] [--about harmed|responsible] [--referrer WHO]: "
      "enter a request on someone's behalf (facilitators)");
  add_common(d, c);
  d.add_options()("action", po::value(&action)->required(), "contacted, open-case, close or enter")
      ("referral", po::value(&ref_text), "the referral (its id or the start of it)")
      ("two-person", po::bool_switch(&two_person), "open-case: every letter needs two facilitators' approval");
  add_request_options(d, file, text, contact, about, referrer, language);
  po::positional_options_description pos;
  pos.add("action", 1).add("referral", 1);
  if (!parse(argc, argv, d, pos)) return 0;
  auto a = open_account(c);
  if (action == "enter") {
    const auto code = need(a.enter_referral(document_of(file, text, contact, about, referrer, language)));
    const std::string receipt = proto::encode(code);
    answer(c, {{"referral", b64(code.referral)}, {"receipt_code", receipt}},
           "Entered as referral " + short_id(code.referral) + ", sealed to every facilitator. If the person wants "
           "to see where it is, give them this receipt code:\n  " + receipt);
    return 0;
  }
  if (action != "contacted" && action != "open-case" && action != "close") {
    throw std::runtime_error("unknown action '" + action + "': contacted, open-case, close or enter");
  }
  const auto open = need(a.referrals());
  const auto& r = find_referral(open, ref_text);
  if (action == "contacted") {
    need(a.set_referral_state(r.referral, proto::referral_state::contacted));
    answer(c, {{"referral", b64(r.referral)}, {"state", "contacted"}},
           "Referral " + short_id(r.referral) + " is marked as contacted; with the receipt code, they see that a "
           "facilitator has been in touch.");
  } else if (action == "open-case") {
    const auto case_id = need(a.open_case(two_person));
    need(a.set_referral_state(r.referral, proto::referral_state::contacted, case_id));
    answer(c, {{"referral", b64(r.referral)}, {"case", b64(case_id)}},
           "Opened case " + b64(case_id) + " (" + short_id(case_id) + ") from referral " + short_id(r.referral) +
               ". Invite the person with shuttle invite " + short_id(case_id) + " --role " +
               (r.document && r.document->about ? std::string(proto::to_string(*r.document->about)) : "harmed") +
               "; when the case no longer needs the request, close it: shuttle referral close " +
               short_id(r.referral));
  } else {
    need(a.set_referral_state(r.referral, proto::referral_state::closed));
    answer(c, {{"referral", b64(r.referral)}, {"state", "closed"}},
           "Referral " + short_id(r.referral) + " is closed: what the person wrote is deleted from the relay. With "
           "the receipt code, they see that it is closed.");
  }
  return 0;
}

const registered these{
    {"refer", "Getting started", "ask a service to contact you, with no account", cmd_refer},
    {"referral-status", "Getting started", "where your request to the service is, by its receipt code",
     cmd_referral_status},
    {"referrals", "Cases", "the requests people sent to the service (facilitators)", cmd_referrals},
    {"referral", "Cases", "a request: contacted, open a case from it, close it, or enter one for someone",
     cmd_referral},
};

}  // namespace
}  // namespace shuttle::cli
