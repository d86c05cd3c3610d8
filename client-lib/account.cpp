#include "client-lib/account.hpp"

#include "client-lib/enrolment.hpp"
#include "client-lib/letter.hpp"
#include "client-lib/statements.hpp"
#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/fingerprint.hpp"
#include "proto/invitation_code.hpp"
#include "proto/json_fields.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <chrono>
#include <thread>

namespace shuttle::client {

namespace json = boost::json;

namespace {

template <std::size_t N>
std::string b64(const fixed<N>& v) {
  return proto::base64url_encode(v);
}

template <class S>
json::value as_json(const S& s) {
  return json::parse(proto::to_json(s));
}

template <std::size_t N>
result<fixed<N>> decode(const json::value& v, std::string_view what) {
  fixed<N> out{};
  if (auto ok = proto::read_value(v, out, std::string(what)); !ok) return ok.error();
  return out;
}

// A field of a relay answer, or an error saying the answer was not understood.
result<const json::value*> field(const json::value& v, std::string_view name) {
  const auto* o = v.if_object();
  const auto* f = o ? o->if_contains(name) : nullptr;
  if (!f) return make_error(errc::relay_refused, "the relay's answer lacks " + std::string(name));
  return f;
}

template <class S>
result<S> statement_at(const json::value& v, std::string_view name) {
  auto f = field(v, name);
  if (!f) return f.error();
  return proto::parse_statement<S>(**f);
}

std::string case_path(const proto::id& case_id, const std::string& rest = "") {
  return "/v1/cases/" + b64(case_id) + rest;
}
std::string message_path(const proto::id& case_id, const proto::id& message, const std::string& rest = "") {
  return case_path(case_id, "/messages/" + b64(message) + rest);
}

std::optional<std::uint64_t> opt_u64(const json::object& o, std::string_view name) {
  if (const auto* v = o.if_contains(name); v && (v->is_uint64() || v->is_int64())) return v->to_number<std::uint64_t>();
  return std::nullopt;
}

result<message_summary> summary_of(const json::value& v, const proto::public_key& me) {
  const auto* o = v.if_object();
  if (!o) return make_error(errc::relay_refused, "a message summary is not an object");
  message_summary m;
  auto get = [&](std::string_view name) -> const json::value& {
    static const json::value none;
    const auto* f = o->if_contains(name);
    return f ? *f : none;
  };
  if (!proto::read_value(get("message"), m.message, "message") || !proto::read_value(get("case"), m.case_id, "case") ||
      !proto::read_value(get("kind"), m.kind, "kind") || !proto::read_value(get("sender"), m.sender, "sender") ||
      !proto::read_value(get("to"), m.to, "to") || !get("state").is_string()) {
    return make_error(errc::relay_refused, "a message summary was not understood");
  }
  m.state = get("state").as_string();
  m.size = opt_u64(*o, "size").value_or(0);
  m.submitted_at = opt_u64(*o, "submitted_at");
  m.released_at = opt_u64(*o, "released_at");
  m.release_at = opt_u64(*o, "release_at");
  m.approvals = opt_u64(*o, "approvals").value_or(0);
  m.approvals_required = opt_u64(*o, "approvals_required").value_or(0);
  m.waiting_seconds = opt_u64(*o, "waiting_seconds").value_or(0);
  if (o->contains("supersedes")) {
    proto::id s{};
    if (proto::read_value(get("supersedes"), s, "supersedes")) m.supersedes = s;
  }
  if (o->contains("claimed_by")) {
    proto::public_key k{};
    if (proto::read_value(get("claimed_by"), k, "claimed_by")) m.claimed_by = k;
  }
  m.mine = m.sender == me;
  return m;
}

// Who a letter goes to: the other party.
result<proto::role> other_party(proto::role mine) {
  if (mine == proto::role::harmed) return proto::role::responsible;
  if (mine == proto::role::responsible) return proto::role::harmed;
  return make_error(errc::invalid_argument, "only the harmed and the responsible party write letters to each other");
}

}  // namespace

std::string_view status_words(std::string_view state) {
  if (state == "in_review") return "in review";
  if (state == "returned") return "returned with a note";
  if (state == "released") return "available";
  if (state == "delivered") return "delivered";
  if (state == "opened") return "opened";
  if (state == "declined") return "declined";
  if (state == "revoked") return "revoked";
  if (state == "withdrawn") return "withdrawn";
  return state;
}

account::account(std::filesystem::path dir, keystore keys, secret_bytes passphrase, mailbox box,
                 relay_connection relay)
    : dir_(std::move(dir)),
      keys_(std::move(keys)),
      passphrase_(std::move(passphrase)),
      box_(std::move(box)),
      relay_(std::move(relay)) {}

account::account(account&&) noexcept = default;
account& account::operator=(account&&) noexcept = default;
account::~account() = default;

std::string account::safety_number() const { return proto::safety_number(identity()); }

result<void> account::save_keys() {
  const std::string_view pass(reinterpret_cast<const char*>(passphrase_.data()), passphrase_.size());
  return keys_.save(keystore_path(dir_), pass);
}

// ------------------------------------------------------------------ profile

result<account> account::enrol(const std::filesystem::path& dir, std::string_view code_text,
                               std::string_view passphrase, const std::optional<std::string>& relay_override) {
  auto code = proto::parse_invitation_code(code_text);
  if (!code) return code.error();
  const std::string relay_text = relay_override.value_or(code->relay);
  if (relay_text.empty()) return make_error(errc::invalid_argument, "the invitation names no relay; give its address");
  auto address = relay_address::parse(relay_text, code->relay_certificate_sha256);
  if (!address) return address.error();

  const bool existing = std::filesystem::exists(keystore_path(dir));
  keystore keys = keystore::create();
  if (existing) {
    auto opened = keystore::load(keystore_path(dir), passphrase);
    if (!opened) return opened.error();
    keys = std::move(*opened);
  }
  relay_connection relay(*address);

  // The relay must present exactly the invitation the code names, signed by the pinned inviter.
  auto presented = relay.post("/v1/invitations/open", json::object{{"invitation", b64(code->invitation_id)},
                                                                     {"secret", b64(code->secret)}});
  if (!presented) return presented.error();
  auto inv = statement_at<proto::invitation>(*presented, "invitation");
  if (!inv) return make_error(errc::facilitator_mismatch, "the relay presented no valid invitation");
  if (auto ok = check_invitation(*code, *inv); !ok) return ok.error();

  const bool account_level = code->case_id == proto::null_case;
  auto enrolment = make_enrolment(keys.identity(), *code);
  if (!enrolment) return enrolment.error();
  json::object body{{"enrolment", as_json(*enrolment)}, {"secret", b64(code->secret)}};
  if (!account_level) {
    auto k = make_key_statement(keys.identity(), code->case_id, keys.case_key_for(code->case_id));
    if (!k) return k.error();
    body["keys"] = as_json(*k);
  }

  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  // The keys are on disk before the relay learns of them, so a crash cannot lose an enrolled account.
  if (auto ok = keys.save(keystore_path(dir), passphrase); !ok) return ok.error();
  auto enrolled = relay.post("/v1/enrol", body);
  if (!enrolled) {
    if (!existing) {
      std::filesystem::remove(keystore_path(dir));
      std::filesystem::remove(mailbox_path(dir));
    }
    return enrolled.error();
  }
  auto box = mailbox::open(mailbox_path(dir), keys.identity());
  if (!box) return box.error();
  if (auto ok = box->set("relay", address->text()); !ok) return ok.error();
  if (address->pin) {
    if (auto ok = box->set("pin", b64(*address->pin)); !ok) return ok.error();
  }
  if (account_level) {
    // The operator's invitation is signed by the relay key: pin it.
    if (auto ok = box->set("relay_key", b64(inv->header.signer)); !ok) return ok.error();
  } else {
    if (auto ok = box->put_case({code->case_id, code->role, inv->header.signer}); !ok) return ok.error();
  }
  account a(dir, std::move(keys), secret_bytes::copy_of({reinterpret_cast<const byte*>(passphrase.data()),
                                                          passphrase.size()}),
            std::move(*box), std::move(relay));
  if (auto ok = a.login(); !ok) return ok.error();
  return a;
}

result<account> account::open(const std::filesystem::path& dir, std::string_view passphrase) {
  if (!std::filesystem::exists(keystore_path(dir))) {
    return make_error(errc::not_logged_in, "there is no Shuttle profile in " + dir.string() + "; enrol first");
  }
  auto keys = keystore::load(keystore_path(dir), passphrase);
  if (!keys) return keys.error();
  auto box = mailbox::open(mailbox_path(dir), keys->identity());
  if (!box) return box.error();
  auto relay_text = box->setting("relay");
  if (!relay_text) return relay_text.error();
  if (!*relay_text) return make_error(errc::not_logged_in, "this profile has no relay; enrol first");
  std::optional<proto::hash> pin;
  if (auto p = box->setting("pin"); p && *p) {
    auto raw = proto::base64url_decode(**p);
    if (!raw || raw->size() != 32) return make_error(errc::keystore_corrupt, "the stored certificate pin is damaged");
    pin.emplace();
    std::copy(raw->begin(), raw->end(), pin->begin());
  }
  auto address = relay_address::parse(**relay_text, pin);
  if (!address) return address.error();
  relay_connection relay(*address);
  if (auto t = box->setting("token"); t && *t) relay.set_token(**t);
  account a(dir, std::move(*keys),
            secret_bytes::copy_of({reinterpret_cast<const byte*>(passphrase.data()), passphrase.size()}),
            std::move(*box), std::move(relay));
  if (auto f = a.box_.setting("facilitator"); f && *f) a.facilitator_ = **f == "1";
  return a;
}

result<void> account::login() {
  auto ch = relay_.post("/v1/login/challenge", json::object{{"identity", b64(identity())}});
  if (!ch) return ch.error();
  auto challenge_field = field(*ch, "challenge");
  auto key_field = field(*ch, "relay_key");
  if (!challenge_field || !key_field) return make_error(errc::relay_refused, "the login challenge was not understood");
  auto challenge = decode<32>(**challenge_field, "challenge");
  auto relay_key = decode<32>(**key_field, "relay_key");
  if (!challenge || !relay_key) return make_error(errc::relay_refused, "the login challenge was not understood");
  // The relay's key is pinned at the first login (or by the operator's invitation).
  auto known = box_.setting("relay_key");
  if (!known) return known.error();
  if (*known && **known != b64(*relay_key)) {
    return make_error(errc::tls_failure, "the relay presents another key than the one this profile knows");
  }
  if (!*known) {
    if (auto ok = box_.set("relay_key", b64(*relay_key)); !ok) return ok.error();
  }
  auto r = relay_.post("/v1/login", json::object{{"identity", b64(identity())},
                                                  {"challenge", b64(*challenge)},
                                                  {"signature", b64(sign_login(keys_.identity(), *challenge, *relay_key))}});
  if (!r) return r.error();
  auto token = field(*r, "token");
  if (!token || !(*token)->is_string()) return make_error(errc::relay_refused, "the login answer was not understood");
  relay_.set_token(std::string((*token)->as_string()));
  facilitator_ = r->as_object().contains("facilitator") && r->as_object().at("facilitator") == true;
  if (auto ok = box_.set("token", relay_.token()); !ok) return ok.error();
  return box_.set("facilitator", facilitator_ ? "1" : "0");
}

result<void> account::logout() {
  if (!relay_.token().empty()) {
    auto r = relay_.post("/v1/logout", json::object{});
    if (!r && r.error().code != errc::not_logged_in) return r.error();
  }
  relay_.set_token("");
  return box_.unset("token");
}

template <class F>
auto account::authenticated(F&& f) -> decltype(f()) {
  if (relay_.token().empty()) {
    if (auto ok = login(); !ok) return ok.error();
  }
  auto r = f();
  if (!r && r.error().code == errc::not_logged_in) {
    if (auto ok = login(); !ok) return ok.error();
    r = f();
  }
  return r;
}

error account::missing(const proto::id& case_id, error e) {
  if (e.code != errc::not_found) return e;
  auto list = cases();
  if (list) {
    for (const auto& c : *list) {
      if (c.case_id == case_id && c.participant_state == "withdrawn") {
        return make_error(errc::withdrawn, "you have withdrawn from this case");
      }
    }
  }
  return e;
}

result<void> account::check_keys(const case_view& v, proto::role role, std::string_view who) {
  for (const auto& p : v.people) {
    if (p.role != role || p.state != "active" || p.me || p.attested) continue;
    if (p.key_changed) {
      return make_error(errc::key_changed, std::string(who) + "'s keys changed since they were checked; compare "
                                                              "safety numbers again and attest");
    }
    return make_error(errc::not_attested, std::string(who) + " has no attested key yet");
  }
  return {};
}

result<case_entry> account::case_of(const proto::id& case_id) {
  auto c = box_.find_case(case_id);
  if (!c) return c.error();
  if (!*c) return make_error(errc::not_found, "this profile does not take part in that case");
  return **c;
}

// ------------------------------------------------------------------ cases

result<std::vector<case_summary>> account::cases() {
  auto r = authenticated([&] { return relay_.get("/v1/cases"); });
  if (!r) return r.error();
  auto list = field(*r, "cases");
  if (!list || !(*list)->is_array()) return make_error(errc::relay_refused, "the list of cases was not understood");
  std::vector<case_summary> out;
  for (const auto& c : (*list)->as_array()) {
    case_summary s;
    const auto& o = c.as_object();
    if (!proto::read_value(o.at("case"), s.case_id, "case") || !proto::read_value(o.at("role"), s.role, "role")) {
      return make_error(errc::relay_refused, "a case was not understood");
    }
    s.state = o.at("state").as_string();
    s.participant_state = o.at("participant_state").as_string();
    s.approvals_required = o.at("approvals_required").to_number<std::uint64_t>();
    out.push_back(s);
  }
  return out;
}

result<account::case_snapshot> account::snapshot(const proto::id& case_id) {
  auto entry = case_of(case_id);
  if (!entry) return entry.error();
  auto detail = authenticated([&] { return relay_.get(case_path(case_id)); });
  if (!detail) return missing(case_id, detail.error());
  auto r = roster_from(case_id, entry->pinned, *detail);
  if (!r) return r.error();
  return case_snapshot{std::move(*detail), std::move(*r)};
}

result<roster> account::roster_of(const proto::id& case_id) {
  auto s = snapshot(case_id);
  if (!s) return s.error();
  return std::move(s->trust);
}

result<roster> account::roster_from(const proto::id& case_id, const proto::public_key& pinned,
                                    const json::value& detail) {
  roster r(case_id, pinned);
  auto open = statement_at<proto::case_open>(detail, "case_open");
  if (!open) return open.error();
  if (auto ok = r.add_case_open(*open); !ok) return ok.error();
  std::vector<proto::key_statement> keys;
  for (const auto& k : detail.at("key_statements").as_array()) {
    auto ks = proto::parse_statement<proto::key_statement>(k);
    if (!ks) return ks.error();
    keys.push_back(std::move(*ks));
  }
  std::vector<proto::attestation> attestations;
  for (const auto& a : detail.at("attestations").as_array()) {
    auto at = proto::parse_statement<proto::attestation>(a);
    if (!at) return at.error();
    attestations.push_back(std::move(*at));
  }
  // Trust grows only from the pinned facilitator, step by step.
  for (std::size_t round = 0; round <= proto::max_facilitators_per_case; ++round) {
    for (const auto& k : keys) {
      if (r.is_facilitator(k.header.signer)) (void)r.add_facilitator_keys(k);
    }
    for (const auto& a : attestations) {
      for (const auto& k : keys) {
        if (k.header.statement_id == a.key_statement_id) (void)r.add_attested(a, k);
      }
    }
  }
  return r;
}

result<case_view> account::show_case(const proto::id& case_id) {
  auto s = snapshot(case_id);
  if (!s) return s.error();
  return view_of(case_id, *s);
}

result<case_view> account::view_of(const proto::id& case_id, const case_snapshot& snap) {
  const json::value* detail = &snap.detail;
  const roster* r = &snap.trust;
  case_view v;
  v.summary.case_id = case_id;
  v.summary.state = detail->at("state").as_string();
  v.summary.approvals_required = detail->at("approvals_required").to_number<std::uint64_t>();
  // Each participant's newest key statement is its current key.
  std::map<proto::public_key, proto::public_key> current;
  for (const auto& k : detail->at("key_statements").as_array()) {
    auto ks = proto::parse_statement<proto::key_statement>(k);
    if (ks) current[ks->header.signer] = ks->case_key;
  }
  for (const auto& p : detail->at("participants").as_array()) {
    person who;
    if (!proto::read_value(p.at("identity"), who.identity, "identity") || !proto::read_value(p.at("role"), who.role, "role")) {
      return make_error(errc::relay_refused, "a participant was not understood");
    }
    who.state = p.at("state").as_string();
    who.me = who.identity == identity();
    const auto key = current.find(who.identity);
    who.attested = key != current.end() && r->check_current_key(who.identity, key->second).has_value();
    who.key_changed = !who.attested && key != current.end() && r->find(who.identity).has_value();
    who.safety_number = proto::safety_number(who.identity);
    if (who.me) {
      v.summary.role = who.role;
      v.summary.participant_state = who.state;
    }
    v.people.push_back(who);
  }
  return v;
}

result<proto::id> account::open_case(bool two_person) {
  if (!facilitator_) return make_error(errc::relay_refused, "forbidden: only facilitators open cases");
  proto::case_open open;
  open.header = header_for(new_id());
  open.header.case_id = open.header.statement_id;
  open.approvals_required = two_person ? 2 : 1;
  auto signed_open = sign(open, keys_.identity());
  if (!signed_open) return signed_open.error();
  auto k = make_key_statement(keys_.identity(), open.header.case_id, keys_.case_key_for(open.header.case_id));
  if (!k) return k.error();
  if (auto ok = save_keys(); !ok) return ok.error();
  auto r = authenticated(
      [&] { return relay_.post("/v1/cases", json::object{{"case_open", as_json(*signed_open)}, {"keys", as_json(*k)}}); });
  if (!r) return r.error();
  if (auto ok = box_.put_case({open.header.case_id, proto::role::facilitator, identity()}); !ok) return ok.error();
  return open.header.case_id;
}

result<std::string> account::invite(const proto::id& case_id, proto::role role, std::uint64_t lifetime_seconds) {
  proto::invitation_code code;
  code.invitation_id = new_id();
  code.case_id = case_id;
  code.role = role;
  randombytes_buf(code.secret.data(), code.secret.size());
  code.inviter_fingerprint = proto::fingerprint(identity());
  code.relay = relay_.address().text();
  code.relay_certificate_sha256 = relay_.address().pin;
  proto::invitation inv;
  inv.header = header_for(case_id);
  inv.header.statement_id = code.invitation_id;
  inv.role = role;
  inv.secret_hash = proto::invitation_secret_hash(code.secret);
  inv.expires_at = inv.header.created_at + lifetime_seconds;
  auto s = sign(inv, keys_.identity());
  if (!s) return s.error();
  auto r = authenticated([&] { return relay_.post(case_path(case_id, "/invitations"), json::object{{"invitation", as_json(*s)}}); });
  if (!r) return r.error();
  return proto::encode(code);
}

result<void> account::attest(const proto::id& case_id, const proto::public_key& participant) {
  auto detail = authenticated([&] { return relay_.get(case_path(case_id)); });
  if (!detail) return detail.error();
  std::optional<proto::key_statement> newest;
  for (const auto& k : detail->at("key_statements").as_array()) {
    auto ks = proto::parse_statement<proto::key_statement>(k);
    if (ks && ks->header.signer == participant) newest = *ks;  // listed oldest first
  }
  std::optional<proto::role> role;
  for (const auto& p : detail->at("participants").as_array()) {
    proto::public_key who{};
    proto::role r{};
    if (proto::read_value(p.at("identity"), who, "identity") && who == participant && p.at("state") == "active" &&
        proto::read_value(p.at("role"), r, "role")) {
      role = r;
    }
  }
  if (!newest || !role) return make_error(errc::not_found, "that person is not an active participant with keys here");
  auto a = make_attestation(keys_.identity(), *newest, *role);
  if (!a) return a.error();
  auto r = authenticated([&] { return relay_.post(case_path(case_id, "/attestations"), json::object{{"attestation", as_json(*a)}}); });
  if (!r) return r.error();
  return {};
}

result<void> account::close_case(const proto::id& case_id) {
  proto::close c;
  c.header = header_for(case_id);
  auto s = sign(c, keys_.identity());
  if (!s) return s.error();
  auto r = authenticated([&] { return relay_.post(case_path(case_id, "/close"), json::object{{"close", as_json(*s)}}); });
  if (!r) return r.error();
  return {};
}

result<void> account::rekey(const proto::id& case_id) {
  if (!keys_.find_case_key(case_id)) return make_error(errc::withdrawn, "this profile no longer holds a key for that case");
  keys_.forget_case(case_id);
  auto k = make_key_statement(keys_.identity(), case_id, keys_.case_key_for(case_id));
  if (!k) return k.error();
  if (auto ok = save_keys(); !ok) return ok.error();
  auto r = authenticated([&] { return relay_.post(case_path(case_id, "/keys"), json::object{{"key_statement", as_json(*k)}}); });
  if (!r) return missing(case_id, r.error());
  return {};
}

result<std::uint64_t> account::withdraw(const proto::id& case_id, bool revoke_released) {
  proto::withdraw w;
  w.header = header_for(case_id);
  w.revoke_released = revoke_released;
  auto s = sign(w, keys_.identity());
  if (!s) return s.error();
  auto r = authenticated([&] { return relay_.post(case_path(case_id, "/withdraw"), json::object{{"withdraw", as_json(*s)}}); });
  if (!r) {
    if (r.error().code == errc::not_found) return make_error(errc::withdrawn, "you have already left this case");
    return r.error();
  }
  // The relay ended every session of the account; the case key is no longer needed.
  relay_.set_token("");
  (void)box_.unset("token");
  keys_.forget_case(case_id);
  if (auto ok = save_keys(); !ok) return ok.error();
  return r->at("revoked").to_number<std::uint64_t>();
}

// ------------------------------------------------------------------ letters

result<proto::id> account::send(const proto::id& case_id, const draft& d) {
  auto entry = case_of(case_id);
  if (!entry) return entry.error();
  auto snap = snapshot(case_id);
  if (!snap) return snap.error();
  const roster* r = &snap->trust;
  const bool note = d.kind == proto::message_kind::note;
  if (note != (entry->role == proto::role::facilitator)) {
    return make_error(errc::invalid_argument,
                      note ? "only facilitators keep internal notes" : "facilitators write internal notes, not letters");
  }
  if (!note && !r->is_facilitator(identity())) {
    if (auto me = r->find(identity()); !me) {
      return make_error(errc::not_attested,
                        "your keys have not been attested yet: your facilitator compares safety numbers with you first");
    }
  }
  // Every active facilitator must be known with its attested, current key.
  auto view = view_of(case_id, *snap);
  if (!view) return view.error();
  if (auto ok = check_keys(*view, proto::role::facilitator, "a facilitator of this case"); !ok) return ok.error();
  letter_draft ld;
  ld.header = header_for(case_id);
  ld.kind = d.kind;
  if (note) {
    ld.to = proto::role::facilitator;
  } else {
    auto to = other_party(entry->role);
    if (!to) return to.error();
    ld.to = *to;
    bool someone = false;
    for (const auto& p : view->people) someone |= p.role == *to && p.state == "active";
    for (const auto& p : view->people) {
      if (p.role == *to && p.state == "withdrawn" && !someone) {
        return make_error(errc::withdrawn, "the other party has left the process; nothing more can be sent");
      }
    }
  }
  ld.supersedes = d.revises;
  const auto* mine = keys_.find_case_key(case_id);
  if (!mine) return make_error(errc::withdrawn, "this profile no longer holds a key for that case");
  auto sealed = seal_letter(keys_.identity(), *mine, ld, r->facilitator_readers(), d.content);
  if (!sealed) return sealed.error();
  auto answer = authenticated([&] {
    return relay_.post(case_path(case_id, "/messages"),
                       json::object{{"envelope", as_json(sealed->envelope)},
                                    {"ciphertext", proto::base64url_encode(sealed->ciphertext)}});
  });
  if (!answer) return answer.error();
  return sealed->envelope.header.statement_id;
}

namespace {

// The message summaries under `key` of a relay answer.
result<std::vector<message_summary>> summaries(const json::value& answer, std::string_view key,
                                               const proto::public_key& me) {
  auto list = field(answer, key);
  if (!list || !(*list)->is_array()) return make_error(errc::relay_refused, "the list of messages was not understood");
  std::vector<message_summary> out;
  for (const auto& m : (*list)->as_array()) {
    auto s = summary_of(m, me);
    if (!s) return s.error();
    out.push_back(*s);
  }
  return out;
}

}  // namespace

result<std::vector<message_summary>> account::messages(const proto::id& case_id) {
  auto r = authenticated([&] { return relay_.get(case_path(case_id, "/messages")); });
  if (!r) return missing(case_id, r.error());
  return summaries(*r, "messages", identity());
}

result<json::value> account::fetch(const proto::id& case_id, const proto::id& message) {
  auto r = authenticated([&] { return relay_.get(message_path(case_id, message)); });
  if (!r && r.error().code == errc::relay_refused && relay_.last_refusal() && relay_.last_refusal()->status == 410) {
    return make_error(errc::not_found, relay_.last_refusal()->message);
  }
  return r;
}

result<opened_letter> account::read(const proto::id& case_id, const proto::id& message, bool receipt) {
  auto entry = case_of(case_id);
  if (!entry) return entry.error();
  auto got = fetch(case_id, message);
  if (!got) return got.error();
  auto r = roster_of(case_id);
  if (!r) return r.error();
  auto summary = summary_of(*got, identity());
  if (!summary) return summary.error();
  auto e = statement_at<proto::envelope>(*got, "envelope");
  if (!e) return e.error();
  auto text = field(*got, "ciphertext");
  if (!text || !(*text)->is_string()) return make_error(errc::relay_refused, "the letter's ciphertext is missing");
  auto ciphertext = proto::base64url_decode(std::string((*text)->as_string()));
  if (!ciphertext) return make_error(errc::relay_refused, "the letter's ciphertext is not base64url");
  const auto* mine = keys_.find_case_key(case_id);
  if (!mine) return make_error(errc::withdrawn, "this profile no longer holds a key for that case");

  opened_letter out;
  out.summary = *summary;
  if (entry->role == proto::role::facilitator) {
    auto doc = open_for_review(*r, *e, *ciphertext, keys_.identity(), *mine);
    if (!doc) return doc.error();
    out.content = std::move(*doc);
    return out;
  }
  if (e->header.signer == identity()) {
    auto key = unwrap_for(e->wraps, message, keys_.identity(), *mine);
    if (!key) return key.error();
    auto doc = decrypt_letter(*e, *ciphertext, *key);
    if (!doc) return doc.error();
    out.content = std::move(*doc);
    if (const auto* ret = got->as_object().if_contains("return")) {
      auto rs = proto::parse_statement<proto::return_statement>(*ret);
      if (!rs) return rs.error();
      auto n = open_return(*r, *e, *rs, *mine);
      if (!n) return n.error();
      out.returned = std::move(*n);
    }
    return out;
  }
  std::vector<proto::approval> approvals;
  for (const auto& a : got->at("approvals").as_array()) {
    auto ap = proto::parse_statement<proto::approval>(a);
    if (!ap) return ap.error();
    approvals.push_back(std::move(*ap));
  }
  auto delivered = open_delivered(*r, *e, approvals, *ciphertext, keys_.identity(), *mine, unix_now());
  if (!delivered) return delivered.error();
  out.content = std::move(delivered->content);
  out.content_note = delivered->content_note;
  if (auto ok = box_.keep({message, case_id, e->header.signer, unix_now(), out.content_note, out.content}); !ok) {
    return ok.error();
  }
  if (receipt) {
    auto ok = authenticated([&] { return relay_.post(message_path(case_id, message, "/receipt"), json::object{}); });
    if (!ok) return ok.error();
    out.summary.state = "opened";
  }
  return out;
}

result<void> account::decline(const proto::id& case_id, const proto::id& message) {
  auto r = authenticated([&] { return relay_.post(message_path(case_id, message, "/decline"), json::object{}); });
  if (!r) return r.error();
  (void)box_.forget(message);
  return {};
}

result<bool> account::revoke(const proto::id& case_id, const proto::id& message) {
  proto::revoke rv;
  rv.header = header_for(case_id);
  rv.message_id = message;
  auto s = sign(rv, keys_.identity());
  if (!s) return s.error();
  auto r = authenticated([&] { return relay_.post(message_path(case_id, message, "/revoke"), json::object{{"revoke", as_json(*s)}}); });
  if (!r) return r.error();
  return r->at("was_delivered") == true;
}

result<std::size_t> account::sync(const proto::id& case_id) {
  auto list = messages(case_id);
  if (!list) return list.error();
  std::size_t deleted = 0;
  for (const auto& m : *list) {
    if (m.state != "revoked") continue;
    auto gone = box_.forget(m.message);
    if (!gone) return gone.error();
    deleted += *gone ? 1 : 0;
  }
  return deleted;
}

result<std::vector<kept_letter>> account::kept(const proto::id& case_id) { return box_.letters(case_id); }

// ------------------------------------------------------------------ review

result<std::vector<message_summary>> account::queue() {
  auto r = authenticated([&] { return relay_.get("/v1/queue"); });
  if (!r) return r.error();
  return summaries(*r, "queue", identity());
}

result<void> account::claim(const proto::id& case_id, const proto::id& message) {
  auto r = authenticated([&] { return relay_.post(message_path(case_id, message, "/claim"), json::object{}); });
  if (!r) return r.error();
  return {};
}

result<account::under_review> account::review_of(const proto::id& case_id, const proto::id& message) {
  auto got = fetch(case_id, message);
  if (!got) return got.error();
  auto e = statement_at<proto::envelope>(*got, "envelope");
  if (!e) return e.error();
  auto snap = snapshot(case_id);
  if (!snap) return snap.error();
  return under_review{std::move(*e), std::move(*snap)};
}

result<std::string> account::approve(const proto::id& case_id, const proto::id& message, const approval_choice& choice) {
  auto review = review_of(case_id, message);
  if (!review) return review.error();
  const auto* e = &review->envelope;
  const auto* r = &review->current.trust;
  const auto* mine = keys_.find_case_key(case_id);
  if (!mine) return make_error(errc::withdrawn, "this profile no longer holds a key for that case");
  auto view = view_of(case_id, review->current);
  if (!view) return view.error();
  if (auto ok = check_keys(*view, e->to, "the recipient"); !ok) return ok.error();
  if (r->in_role(e->to).empty()) {
    return make_error(errc::not_attested, "no recipient of this letter has been attested yet");
  }
  approval_options options;
  options.content_note = choice.content_note;
  options.release_at = choice.release_at;
  auto a = approve_letter(*r, *e, keys_.identity(), *mine, options);
  if (!a) return a.error();
  auto answer = authenticated([&] { return relay_.post(message_path(case_id, message, "/approve"), json::object{{"approval", as_json(*a)}}); });
  if (!answer) return answer.error();
  return std::string(answer->at("state").as_string());
}

result<void> account::return_letter(const proto::id& case_id, const proto::id& message, return_reason reason,
                                    std::string_view note_text) {
  auto review = review_of(case_id, message);
  if (!review) return review.error();
  auto s = client::return_letter(review->current.trust, review->envelope, keys_.identity(), reason, note_text);
  if (!s) return s.error();
  auto answer = authenticated([&] { return relay_.post(message_path(case_id, message, "/return"), json::object{{"return", as_json(*s)}}); });
  if (!answer) return answer.error();
  return {};
}

result<proto::public_key> account::relay_key() {
  auto k = box_.setting("relay_key");
  if (!k) return k.error();
  if (!*k) {
    if (auto ok = login(); !ok) return ok.error();
    k = box_.setting("relay_key");
    if (!k) return k.error();
  }
  auto raw = proto::base64url_decode(**k);
  if (!raw || raw->size() != 32) return make_error(errc::keystore_corrupt, "the stored relay key is damaged");
  proto::public_key out{};
  std::copy(raw->begin(), raw->end(), out.begin());
  return out;
}

result<proto::audit_export> account::audit(const proto::id& case_id) {
  auto r = authenticated([&] { return relay_.get(case_path(case_id, "/audit")); });
  if (!r) return r.error();
  auto x = proto::parse_audit_export(json::serialize(*r));
  if (!x) return x.error();
  auto key = relay_key();
  if (!key) return key.error();
  if (auto ok = proto::verify_audit_export(*x, *key); !ok) return ok.error();
  return x;
}

// ------------------------------------------------------------------ events

result<void> account::watch(const std::function<void(const event&)>& on_event, const std::function<bool()>& keep_going) {
  auto last_text = box_.setting("last_event");
  if (!last_text) return last_text.error();
  std::uint64_t last = *last_text ? std::stoull(**last_text) : 0;
  auto pause = std::chrono::seconds(1);
  while (keep_going()) {
    if (relay_.token().empty()) {
      if (auto ok = login(); !ok) return ok.error();
    }
    auto streamed = relay_.stream_events(last, [&](std::string_view text) {
      auto v = json::parse(text);
      event e;
      const auto& o = v.as_object();
      e.seq = o.at("seq").to_number<std::uint64_t>();
      e.kind = o.at("event").as_string();
      (void)proto::read_value(o.at("case"), e.case_id, "case");
      if (o.contains("message")) {
        proto::id m{};
        if (proto::read_value(o.at("message"), m, "message")) e.message = m;
      }
      e.at = opt_u64(o, "at").value_or(0);
      last = e.seq;
      (void)box_.set("last_event", std::to_string(last));
      if (e.kind == "revoked" && e.message) (void)box_.forget(*e.message);
      on_event(e);
      pause = std::chrono::seconds(1);
    }, keep_going);
    if (!streamed) {
      if (streamed.error().code == errc::tls_failure) return streamed.error();
      if (streamed.error().code == errc::not_logged_in) {
        if (auto ok = login(); !ok) return ok.error();
        continue;
      }
    }
    // The stream ended (the relay restarted, the network dropped): catch up after a pause.
    for (auto waited = std::chrono::milliseconds(0); waited < pause && keep_going(); waited += std::chrono::milliseconds(100)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    pause = std::min(pause * 2, std::chrono::seconds(30));
  }
  return {};
}

// ------------------------------------------------------------------ ids people type

namespace {

template <class Ids>
result<proto::id> by_prefix(std::string_view text, const Ids& ids, std::string_view what) {
  if (auto raw = proto::base64url_decode(text); raw && raw->size() == proto::id_bytes) {
    proto::id out{};
    std::copy(raw->begin(), raw->end(), out.begin());
    return out;
  }
  std::optional<proto::id> found;
  for (const auto& id : ids) {
    if (!text.empty() && b64(id).starts_with(text)) {
      if (found) return make_error(errc::invalid_argument, "more than one " + std::string(what) + " starts with " + std::string(text));
      found = id;
    }
  }
  if (!found) return make_error(errc::not_found, "no " + std::string(what) + " starts with " + std::string(text));
  return *found;
}

}  // namespace

result<proto::id> account::resolve_case(std::string_view text) {
  auto known = box_.cases();
  if (!known) return known.error();
  std::vector<proto::id> ids;
  for (const auto& c : *known) ids.push_back(c.case_id);
  return by_prefix(text, ids, "case");
}

result<proto::id> account::resolve_message(const proto::id& case_id, std::string_view text) {
  if (auto raw = proto::base64url_decode(text); raw && raw->size() == proto::id_bytes) return by_prefix(text, std::vector<proto::id>{}, "message");
  auto list = messages(case_id);
  if (!list) return list.error();
  std::vector<proto::id> ids;
  for (const auto& m : *list) ids.push_back(m.message);
  return by_prefix(text, ids, "message");
}

}  // namespace shuttle::client
