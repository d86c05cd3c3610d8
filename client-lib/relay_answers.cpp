#include "client-lib/relay_answers.hpp"

#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/json_fields.hpp"
#include "proto/limits.hpp"
#include "proto/strict_json.hpp"

namespace shuttle::client {

namespace json = boost::json;

namespace {

constexpr std::size_t max_word_chars = 64;        // states, event names
constexpr std::size_t max_token_chars = 256;
constexpr std::size_t max_event_text_bytes = 4096;

// Reads named fields of one object of an answer; the first problem is kept
// as relay_refused naming the field ("messages[3].state"). Fields the reader
// does not ask for are ignored.
class answer_reader {
 public:
  answer_reader(const json::value& v, std::string path) : path_(std::move(path)), object_(v.if_object()) {
    if (!object_) fail(path_.empty() ? "the answer" : path_, "is not an object");
  }

  template <class T>
  answer_reader& operator()(std::string_view name, T& out) {
    if (const auto* v = find(name, true)) read(*v, out, name);
    return *this;
  }
  template <class T>
  answer_reader& operator()(std::string_view name, std::optional<T>& out) {
    out.reset();
    if (const auto* v = find(name, false)) read(*v, out.emplace(), name);
    return *this;
  }

  const json::value* find(std::string_view name, bool required) {
    if (error_ || !object_) return nullptr;
    const auto* v = object_->if_contains(name);
    if (!v && required) fail(path_of(name), "is missing");
    return v;
  }
  std::string path_of(std::string_view name) const { return path_.empty() ? std::string(name) : path_ + "." + std::string(name); }
  void fail(const std::string& where, std::string_view what) {
    if (!error_) error_ = make_error(errc::relay_refused, "the relay's answer was not understood: " + where + " " + std::string(what));
  }
  result<void> finish() const {
    if (error_) return *error_;
    return {};
  }

 private:
  void read(const json::value& v, std::string& out, std::string_view name) {
    const auto* s = v.if_string();
    if (!s || s->size() > max_word_chars) return fail(path_of(name), "is not a short text");
    out.assign(s->data(), s->size());
  }
  template <class T>
  void read(const json::value& v, T& out, std::string_view name) {
    if (auto ok = proto::read_value(v, out, path_of(name)); !ok) fail(path_of(name), "is not valid");
  }

  std::string path_;
  const json::object* object_;
  std::optional<error> error_;
};

template <class S>
result<S> statement(const json::value& v, const std::string& path) {
  auto s = proto::parse_statement<S>(v, path);
  if (!s) return make_error(errc::relay_refused, "the relay's answer holds a statement that is not valid at " + s.error().detail);
  return s;
}

// Each element of the array under `name`, parsed by `each`.
template <class T, class F>
result<std::vector<T>> list_of(answer_reader& r, std::string_view name, F each) {
  const auto* v = r.find(name, true);
  if (auto ok = r.finish(); !ok) return ok.error();
  const auto* a = v->if_array();
  if (!a) return make_error(errc::relay_refused, "the relay's answer was not understood: " + r.path_of(name) + " is not a list");
  std::vector<T> out;
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto item = each((*a)[i], r.path_of(name) + "[" + std::to_string(i) + "]");
    if (!item) return item.error();
    out.push_back(std::move(*item));
  }
  return out;
}

}  // namespace

result<proto::invitation> parse_open_invitation_answer(const json::value& v) {
  answer_reader r(v, "");
  const auto* inv = r.find("invitation", true);
  if (auto ok = r.finish(); !ok) return ok.error();
  return statement<proto::invitation>(*inv, "invitation");
}

result<std::vector<listed_referral_key>> parse_referral_keys_answer(const json::value& v) {
  answer_reader top(v, "");
  return list_of<listed_referral_key>(top, "keys", [](const json::value& item, const std::string& path)
                                                       -> result<listed_referral_key> {
    listed_referral_key k;
    answer_reader r(item, path);
    r("identity", k.identity)("name", k.name);
    const auto* s = r.find("referral_key", true);
    if (auto ok = r.finish(); !ok) return ok.error();
    auto key = statement<proto::referral_key>(*s, path + ".referral_key");
    if (!key) return key.error();
    if (key->header.signer != k.identity || !proto::verify_signature(*key)) {
      return make_error(errc::relay_refused, "the relay's answer holds a referral key not signed by its facilitator at " + path);
    }
    k.key = key->key;
    return k;
  });
}

result<referral_status_answer> parse_referral_status_answer(const json::value& v) {
  referral_status_answer out;
  answer_reader r(v, "");
  std::string state;
  r("state", state)("received_at", out.received_at);
  if (auto ok = r.finish(); !ok) return ok.error();
  if (!proto::parse_enum(state, out.state)) return make_error(errc::relay_refused, "the relay's answer was not understood: state");
  return out;
}

result<std::vector<listed_referral>> parse_referrals_answer(const json::value& v) {
  answer_reader top(v, "");
  return list_of<listed_referral>(top, "referrals", [](const json::value& item, const std::string& path)
                                                        -> result<listed_referral> {
    listed_referral l;
    answer_reader r(item, path);
    std::string state;
    std::optional<proto::sealed_note> ciphertext, wrap;
    r("referral", l.referral)("received_at", l.received_at)("state", state)("ciphertext", ciphertext)("wrap", wrap);
    r("entered_by", l.entered_by)("entered_by_name", l.entered_by_name)("case", l.case_id);
    if (auto ok = r.finish(); !ok) return ok.error();
    if (!proto::parse_enum(state, l.state)) {
      return make_error(errc::relay_refused, "the relay's answer was not understood: " + path + ".state");
    }
    if (ciphertext) l.ciphertext = std::move(ciphertext->box);
    if (wrap) l.wrap = std::move(wrap->box);
    return l;
  });
}

result<std::vector<consent_offer>> parse_consent_offers(const json::value& v) {
  answer_reader top(v, "");
  if (!top.find("consent", false)) return std::vector<consent_offer>{};
  return list_of<consent_offer>(top, "consent", [](const json::value& item, const std::string& path) -> result<consent_offer> {
    consent_offer o;
    answer_reader r(item, path);
    r("language", o.language);
    const auto* text = r.find("text", true);
    if (auto ok = r.finish(); !ok) return ok.error();
    // A text of the service's, up to 32 KiB (the relay's limit for it).
    const auto* s = text->if_string();
    if (o.language.empty() || o.language.size() > 8 || !s || s->empty() || s->size() > 32 * 1024) {
      return make_error(errc::relay_refused, "the relay's answer was not understood: " + path + " is not valid");
    }
    o.text.assign(s->data(), s->size());
    o.text_hash = proto::consent_text_hash(o.language, o.text);
    return o;
  });
}

result<challenge_answer> parse_challenge_answer(const json::value& v) {
  challenge_answer out;
  answer_reader r(v, "");
  r("challenge", out.challenge)("relay_key", out.relay_key);
  if (auto ok = r.finish(); !ok) return ok.error();
  return out;
}

result<login_answer> parse_login_answer(const json::value& v) {
  login_answer out;
  answer_reader r(v, "");
  std::optional<bool> facilitator;
  const auto* token = r.find("token", true);
  r("facilitator", facilitator);
  if (auto ok = r.finish(); !ok) return ok.error();
  const auto* s = token->if_string();
  if (!s || s->empty() || s->size() > max_token_chars || !proto::base64url_decode(std::string_view(s->data(), s->size()))) {
    return make_error(errc::relay_refused, "the relay's answer was not understood: token is not valid");
  }
  out.token.assign(s->data(), s->size());
  out.facilitator = facilitator.value_or(false);
  return out;
}

result<std::vector<case_summary>> parse_case_list(const json::value& v) {
  answer_reader top(v, "");
  return list_of<case_summary>(top, "cases", [](const json::value& item, const std::string& path) -> result<case_summary> {
    case_summary s;
    answer_reader r(item, path);
    r("case", s.case_id)("role", s.role)("state", s.state)("participant_state", s.participant_state)(
        "approvals_required", s.approvals_required)("label", s.label)("stage", s.stage);
    std::optional<bool> paused;
    r("paused", paused);
    s.paused = paused.value_or(false);
    // A facilitator's: who left, and declined letters to pass on (absent for a party).
    auto optional_list = [&](std::string_view name, auto& out) -> result<void> {
      const auto* v = r.find(name, false);
      if (!v) return {};
      auto items = list_of<typename std::decay_t<decltype(out)>::value_type>(
          r, name, [](const json::value& e, const std::string& where) -> result<typename std::decay_t<decltype(out)>::value_type> {
            typename std::decay_t<decltype(out)>::value_type x{};
            if (auto ok = proto::read_value(e, x, where); !ok) {
              return make_error(errc::relay_refused, "the relay's answer was not understood: " + where + " is not valid");
            }
            return x;
          });
      if (!items) return items.error();
      out = std::move(*items);
      return {};
    };
    if (auto ok = optional_list("withdrawn", s.withdrawn); !ok) return ok.error();
    if (auto ok = optional_list("declined_untold", s.declined_untold); !ok) return ok.error();
    if (auto ok = r.finish(); !ok) return ok.error();
    return s;
  });
}

result<case_detail> parse_case_detail(const json::value& v) {
  case_detail out;
  answer_reader r(v, "");
  r("state", out.state)("approvals_required", out.approvals_required);
  const auto* open = r.find("case_open", true);
  if (auto ok = r.finish(); !ok) return ok.error();
  auto o = statement<proto::case_open>(*open, "case_open");
  if (!o) return o.error();
  out.case_open = std::move(*o);
  auto keys = list_of<proto::key_statement>(r, "key_statements", statement<proto::key_statement>);
  if (!keys) return keys.error();
  out.key_statements = std::move(*keys);
  auto attestations = list_of<proto::attestation>(r, "attestations", statement<proto::attestation>);
  if (!attestations) return attestations.error();
  out.attestations = std::move(*attestations);
  auto people = list_of<listed_participant>(r, "participants", [](const json::value& item, const std::string& path)
                                                                   -> result<listed_participant> {
    listed_participant p;
    answer_reader pr(item, path);
    std::optional<bool> current;
    pr("identity", p.identity)("role", p.role)("state", p.state)("name", p.name)("consent_current", current)(
        "consent_language", p.consent_language);
    if (const auto* k = pr.find("consent", false)) {
      auto s = statement<proto::consent>(*k, path + ".consent");
      if (!s) return s.error();
      p.consent = std::move(*s);
    }
    if (auto ok = pr.finish(); !ok) return ok.error();
    p.consent_current = current.value_or(false);
    return p;
  });
  if (!people) return people.error();
  out.participants = std::move(*people);
  if (r.find("grants", false)) {
    auto grants = list_of<proto::grant>(r, "grants", statement<proto::grant>);
    if (!grants) return grants.error();
    out.grants = std::move(*grants);
  }
  if (const auto* q = r.find("quiet_hours", false)) {
    quiet_hours_setting qh;
    answer_reader qr(*q, "quiet_hours");
    qr("time_zone", qh.time_zone)("start", qh.start)("end", qh.end);
    if (auto ok = qr.finish(); !ok) return ok.error();
    out.quiet_hours = std::move(qh);
  }
  r("label", out.label)("stage", out.stage);
  std::optional<bool> paused;
  r("paused", paused);
  out.paused = paused.value_or(false);
  if (const auto* s = r.find("stage_statement", false)) {
    auto st = statement<proto::stage_statement>(*s, "stage_statement");
    if (!st) return st.error();
    out.stage_statement = std::move(*st);
  }
  if (const auto* aids = r.find("writing_aids", false)) {
    answer_reader ar(*aids, "writing_aids");
    ar("names", out.names)("prompts", out.prompts);
    if (auto ok = ar.finish(); !ok) return ok.error();
  }
  if (const auto* p = r.find("pause_statement", false)) {
    auto ps = statement<proto::pause>(*p, "pause_statement");
    if (!ps) return ps.error();
    out.pause_statement = std::move(*ps);
  }
  if (auto ok = r.finish(); !ok) return ok.error();
  return out;
}

namespace {

result<message_summary> summary_at(const json::value& v, const std::string& path, const proto::public_key& me) {
  message_summary m;
  answer_reader r(v, path);
  std::optional<std::uint64_t> size, approvals, approvals_required, waiting;
  std::optional<bool> reviewed_by_you, case_paused;
  r("message", m.message)("case", m.case_id)("kind", m.kind)("sender", m.sender)("to", m.to)("state", m.state)(
      "size", size)("submitted_at", m.submitted_at)("released_at", m.released_at)("release_at", m.release_at)(
      "supersedes", m.supersedes)("approvals_required", approvals_required)("claimed_by", m.claimed_by)(
      "waiting_seconds", waiting)("reviewed_by_you", reviewed_by_you)("answers", m.answers)(
      "claimed_by_name", m.claimed_by_name)("case_label", m.case_label)("case_paused", case_paused);
  // A facilitator's summary counts approvals; a recipient's fetch lists the
  // approval statements under the same name (read by parse_fetched_message).
  if (const auto* a = r.find("approvals", false); a && !a->is_array()) r("approvals", approvals);
  if (auto ok = r.finish(); !ok) return ok.error();
  m.size = size.value_or(0);
  m.approvals = approvals.value_or(0);
  m.approvals_required = approvals_required.value_or(0);
  m.waiting_seconds = waiting.value_or(0);
  m.reviewed_by_me = reviewed_by_you.value_or(false);
  m.case_paused = case_paused.value_or(false);
  m.mine = m.sender == me;
  return m;
}

}  // namespace

result<message_summary> parse_message_summary(const json::value& v, const proto::public_key& me) {
  return summary_at(v, "", me);
}

result<std::vector<message_summary>> parse_message_list(const json::value& v, std::string_view key,
                                                        const proto::public_key& me) {
  answer_reader top(v, "");
  return list_of<message_summary>(top, key, [&me](const json::value& item, const std::string& path) {
    return summary_at(item, path, me);
  });
}

result<case_messages> parse_case_messages(const json::value& v, const proto::public_key& me) {
  case_messages out;
  answer_reader top(v, "");
  if (const auto* restored = top.find("restored", false)) {
    answer_reader r(*restored, "restored");
    std::uint64_t at = 0;
    r("at", at)("copy_taken_at", out.copy_taken_at);
    if (auto ok = r.finish(); !ok) return ok.error();
    out.restored_at = at;
  }
  auto list = parse_message_list(v, "messages", me);
  if (!list) return list.error();
  out.messages = std::move(*list);
  return out;
}

result<fetched_message> parse_fetched_message(const json::value& v, const proto::public_key& me) {
  fetched_message out;
  auto summary = summary_at(v, "", me);
  if (!summary) return summary.error();
  out.summary = std::move(*summary);
  answer_reader r(v, "");
  const auto* envelope = r.find("envelope", true);
  const auto* returned = r.find("return", false);
  if (auto ok = r.finish(); !ok) return ok.error();
  auto e = statement<proto::envelope>(*envelope, "envelope");
  if (!e) return e.error();
  out.envelope = std::move(*e);
  if (returned) {
    auto rs = statement<proto::return_statement>(*returned, "return");
    if (!rs) return rs.error();
    out.returned = std::move(*rs);
  }
  r("decline_note", out.decline_note);
  if (auto ok = r.finish(); !ok) return ok.error();
  if (const auto* a = r.find("approvals", false); a && a->is_array()) {
    auto approvals = list_of<proto::approval>(r, "approvals", statement<proto::approval>);
    if (!approvals) return approvals.error();
    out.approvals = std::move(*approvals);
  }
  return out;
}

result<revoke_answer> parse_revoke_answer(const json::value& v) {
  revoke_answer out;
  answer_reader r(v, "");
  r("was_released", out.was_released)("was_opened", out.was_opened);
  if (auto ok = r.finish(); !ok) return ok.error();
  return out;
}

result<std::optional<agreement_state>> parse_agreement_answer(const json::value& v) {
  answer_reader top(v, "");
  const auto* found = top.find("agreement", false);
  if (auto ok = top.finish(); !ok) return ok.error();
  if (!found) return std::optional<agreement_state>{};
  agreement_state out;
  answer_reader r(*found, "agreement");
  r("message", out.message)("submitted_at", out.submitted_at)("bound_at", out.bound_at)("agreement_hash",
                                                                                        out.agreement_hash);
  auto signatures = list_of<proto::agreement_signature>(r, "signatures", statement<proto::agreement_signature>);
  if (!signatures) return signatures.error();
  out.signatures = std::move(*signatures);
  auto marks = list_of<proto::agreement_mark>(r, "marks", statement<proto::agreement_mark>);
  if (!marks) return marks.error();
  out.marks = std::move(*marks);
  if (auto ok = r.finish(); !ok) return ok.error();
  if (out.bound_at.has_value() != out.agreement_hash.has_value()) {
    return make_error(errc::relay_refused, "the relay's answer was not understood: agreement.bound_at without its hash");
  }
  return std::optional<agreement_state>{std::move(out)};
}

result<std::uint64_t> parse_withdraw_answer(const json::value& v) {
  std::uint64_t revoked = 0;
  answer_reader r(v, "");
  r("revoked", revoked);
  if (auto ok = r.finish(); !ok) return ok.error();
  return revoked;
}

result<approve_answer> parse_approve_answer(const json::value& v) {
  approve_answer out;
  answer_reader r(v, "");
  std::optional<bool> quiet, paused;
  r("state", out.state)("approvals", out.approvals)("approvals_required", out.approvals_required)("release_at",
                                                                                                   out.release_at)(
      "quiet_hours", quiet)("paused", paused);
  if (auto ok = r.finish(); !ok) return ok.error();
  out.quiet_hours = quiet.value_or(false);
  out.paused = paused.value_or(false);
  return out;
}

result<void> parse_state_answer(const json::value& v, std::string_view expected) {
  std::string state;
  answer_reader r(v, "");
  r("state", state);
  if (auto ok = r.finish(); !ok) return ok.error();
  if (state != expected) {
    return make_error(errc::relay_refused, "the relay's answer was not understood: state is " + state + ", not " +
                                               std::string(expected));
  }
  return {};
}

result<event> parse_event(std::string_view text) {
  auto v = proto::parse_strict_json(text, max_event_text_bytes, proto::max_body_json_depth);
  if (!v) return make_error(errc::relay_refused, "an event from the relay was not understood: " + v.error().message());
  event e;
  answer_reader r(*v, "event");
  r("seq", e.seq)("event", e.kind)("case", e.case_id)("message", e.message);
  std::optional<std::uint64_t> at;
  r("at", at);
  if (auto ok = r.finish(); !ok) return ok.error();
  e.at = at.value_or(0);
  return e;
}

}  // namespace shuttle::client
