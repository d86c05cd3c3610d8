#include "client-lib/account.hpp"
#include "client-lib/refusals.hpp"

#include "client-lib/enrolment.hpp"
#include "client-lib/letter.hpp"
#include "client-lib/statements.hpp"
#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/fingerprint.hpp"
#include "proto/invitation_code.hpp"
#include "proto/json_fields.hpp"
#include "proto/letter_format.hpp"
#include "proto/limits.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <charconv>
#include <cstdio>
#include <chrono>
#include <map>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

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

std::string case_path(const proto::id& case_id, const std::string& rest = "") {
  return "/v1/cases/" + b64(case_id) + rest;
}
std::string message_path(const proto::id& case_id, const proto::id& message, const std::string& rest = "") {
  return case_path(case_id, "/messages/" + b64(message) + rest);
}

// Who a letter goes to: the other party.
result<proto::role> other_party(proto::role mine) {
  if (mine == proto::role::harmed) return proto::role::responsible;
  if (mine == proto::role::responsible) return proto::role::harmed;
  return make_error(errc::invalid_argument, "only the harmed and the responsible party write letters to each other");
}

}  // namespace

std::string_view status_words(std::string_view state, bool mine) {
  if (state == "in_review") return "in review";
  if (state == "returned") return "returned with a note";
  if (state == "released") return mine ? "available to them" : "available";
  if (state == "delivered") return "delivered";
  if (state == "opened") return "opened";
  if (state == "declined") return "declined";
  if (state == "revoked") return "revoked";
  if (state == "withdrawn") return "withdrawn";
  if (state == "kept") return "kept on this device";
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
                               std::string_view passphrase, const std::optional<std::string>& relay_override,
                               const std::optional<std::string>& display_name) {
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
  auto inv = parse_open_invitation_answer(*presented);
  if (!inv) return make_error(errc::facilitator_mismatch, "the relay presented no valid invitation");
  if (auto ok = check_invitation(*code, *inv); !ok) return ok.error();

  const bool account_level = code->case_id == proto::null_case;
  std::optional<proto::display_name> name;
  if (account_level) {
    // Colleagues see a facilitator by name in the queue and beside their notes.
    if (!display_name || !proto::is_display_name(*display_name)) {
      return make_error(errc::invalid_argument,
                        "A facilitator account needs a name your colleagues will recognise (1 to 64 characters).");
    }
    name = proto::display_name{*display_name};
  }
  auto enrolment = make_enrolment(keys.identity(), *code, name);
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
    return make_error(errc::not_logged_in, "There is no Shuttle profile in " + dir.string() + ". Please enrol first.");
  }
  auto keys = keystore::load(keystore_path(dir), passphrase);
  if (!keys) return keys.error();
  auto box = mailbox::open(mailbox_path(dir), keys->identity());
  if (!box) return box.error();
  auto relay_text = box->setting("relay");
  if (!relay_text) return relay_text.error();
  if (!*relay_text) return make_error(errc::not_logged_in, "This profile has no relay. Please enrol first.");
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
  auto answer = relay_.post("/v1/login/challenge", json::object{{"identity", b64(identity())}});
  if (!answer) return answer.error();
  auto ch = parse_challenge_answer(*answer);
  if (!ch) return ch.error();
  const auto* challenge = &ch->challenge;
  const auto* relay_key = &ch->relay_key;
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
  auto session = parse_login_answer(*r);
  if (!session) return session.error();
  relay_.set_token(session->token);
  facilitator_ = session->facilitator;
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
        return make_error(errc::withdrawn, "You have withdrawn from this case.");
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
  if (!*c) return make_error(errc::not_found, "This profile does not take part in that case.");
  return **c;
}

// ------------------------------------------------------------------ cases

result<std::vector<case_summary>> account::cases() {
  auto r = authenticated([&] { return relay_.get("/v1/cases"); });
  if (!r) return r.error();
  auto list = parse_case_list(*r);
  if (!list) return list.error();
  for (auto& c : *list) {
    if (c.label) c.label_text = open_label(c.case_id, *c.label);
  }
  return list;
}

std::optional<std::string> account::open_label(const proto::id& case_id, const proto::sealed_note& box) const {
  const auto* mine = keys_.find_case_key(case_id);
  if (!mine) return std::nullopt;
  auto n = open_note(box, case_id, "label", *mine);
  if (!n) return std::nullopt;
  return n->text;
}

result<void> account::set_label(const proto::id& case_id, std::string_view text) {
  if (text.empty() || text.size() > proto::max_label_text_bytes) {
    return make_error(errc::invalid_argument, "A case label is 1 to 200 characters.");
  }
  auto r = roster_of(case_id);
  if (!r) return r.error();
  json::array copies;
  // Sealed to every facilitator this client trusts, itself included; the relay never reads it.
  for (const auto& f : r->facilitator_readers()) {
    auto sealed = seal_note({"label", std::nullopt, std::string(text)}, case_id, f.case_key);
    if (!sealed) return sealed.error();
    copies.push_back(json::object{{"reader", b64(f.identity)}, {"box", proto::base64url_encode(sealed->box)}});
  }
  auto answer = authenticated([&] { return relay_.post(case_path(case_id, "/label"), json::object{{"label", copies}}); });
  if (!answer) return answer.error();
  return {};
}

result<void> account::set_quiet_hours(const proto::id& case_id, std::string_view time_zone, std::string_view start,
                                      std::string_view end) {
  auto answer = authenticated([&] {
    return relay_.post(case_path(case_id, "/quiet-hours"),
                       json::object{{"time_zone", time_zone}, {"start", start}, {"end", end}});
  });
  if (!answer) return answer.error();
  return {};
}

result<void> account::grant(const proto::id& case_id, const proto::public_key& supporter, bool reads) {
  auto entry = case_of(case_id);
  if (!entry) return entry.error();
  if (entry->role != proto::role::harmed && entry->role != proto::role::responsible) {
    return make_error(errc::invalid_argument, "Only the harmed or the responsible party lets a supporter read.");
  }
  auto r = roster_of(case_id);
  if (!r) return r.error();
  auto who = r->find(supporter);
  if (!who || party_of(who->role) != entry->role) {
    return make_error(errc::not_attested,
                      "That person is not an attested supporter on your side of this case. Your facilitator compares "
                      "their safety number first.");
  }
  proto::grant g;
  g.header = header_for(case_id);
  g.subject = supporter;
  g.reads = reads;
  auto signed_grant = sign(std::move(g), keys_.identity());
  if (!signed_grant) return signed_grant.error();
  auto answer = authenticated(
      [&] { return relay_.post(case_path(case_id, "/grants"), json::object{{"grant", as_json(*signed_grant)}}); });
  if (!answer) return answer.error();
  return {};
}

result<case_detail> account::detail_of(const proto::id& case_id) {
  auto r = authenticated([&] { return relay_.get(case_path(case_id)); });
  if (!r) return missing(case_id, r.error());
  return parse_case_detail(*r);
}

result<account::case_snapshot> account::snapshot(const proto::id& case_id) {
  auto entry = case_of(case_id);
  if (!entry) return entry.error();
  auto detail = detail_of(case_id);
  if (!detail) return detail.error();
  auto r = roster_from(case_id, entry->pinned, *detail);
  if (!r) return r.error();
  return case_snapshot{std::move(*detail), std::move(*r)};
}

result<roster> account::roster_of(const proto::id& case_id) {
  auto s = snapshot(case_id);
  if (!s) return s.error();
  return std::move(s->trust);
}

result<roster> account::roster_from(const proto::id& case_id, const proto::public_key& pinned, const case_detail& detail) {
  roster r(case_id, pinned);
  if (auto ok = r.add_case_open(detail.case_open); !ok) return ok.error();
  const auto& keys = detail.key_statements;
  const auto& attestations = detail.attestations;
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
  // Grants count only between attested people (review.hpp, roster::add_grant).
  for (const auto& g : detail.grants) (void)r.add_grant(g);
  return r;
}

result<case_view> account::show_case(const proto::id& case_id) {
  auto s = snapshot(case_id);
  if (!s) return s.error();
  return view_of(case_id, *s);
}

result<case_view> account::view_of(const proto::id& case_id, const case_snapshot& snap) {
  const case_detail& detail = snap.detail;
  const roster& r = snap.trust;
  case_view v;
  v.summary.case_id = case_id;
  v.summary.state = detail.state;
  v.summary.approvals_required = detail.approvals_required;
  v.quiet_hours = detail.quiet_hours;
  // Each participant's newest key statement is its current key.
  std::map<proto::public_key, proto::public_key> current;
  for (const auto& k : detail.key_statements) current[k.header.signer] = k.case_key;
  for (const auto& p : detail.participants) {
    person who;
    who.identity = p.identity;
    who.role = p.role;
    who.state = p.state;
    who.me = who.identity == identity();
    const auto key = current.find(who.identity);
    who.attested = key != current.end() && r.check_current_key(who.identity, key->second).has_value();
    who.key_changed = !who.attested && key != current.end() && r.find(who.identity).has_value();
    who.safety_number = proto::safety_number(who.identity);
    who.name = p.name;
    if (const auto party = party_of(who.role)) {
      // Whether the party this supporter stands beside lets them read.
      for (const auto& g : detail.grants) {
        if (g.subject == who.identity && r.find(g.header.signer) && r.find(g.header.signer)->role == *party) {
          who.reads = g.reads;
        }
      }
    }
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
  auto detail = detail_of(case_id);
  if (!detail) return detail.error();
  std::optional<proto::key_statement> newest;
  for (const auto& k : detail->key_statements) {
    if (k.header.signer == participant) newest = k;  // listed oldest first
  }
  std::optional<proto::role> role;
  for (const auto& p : detail->participants) {
    if (p.identity == participant && p.state == "active") role = p.role;
  }
  if (!newest || !role) return make_error(errc::not_found, "That person is not an active participant with keys in this case.");
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
  if (!keys_.find_case_key(case_id)) return make_error(errc::withdrawn, "This profile no longer holds a key for that case.");
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
    if (r.error().code == errc::not_found) return make_error(errc::withdrawn, "You have already left this case.");
    return r.error();
  }
  // The relay ended every session of the account; the case key is no longer needed.
  relay_.set_token("");
  (void)box_.unset("token");
  keys_.forget_case(case_id);
  if (auto ok = save_keys(); !ok) return ok.error();
  return parse_withdraw_answer(*r);
}

// ------------------------------------------------------------------ letters

result<proto::id> account::send(const proto::id& case_id, const draft& d) {
  // Too large for the relay: said at once, before anything is sent.
  const std::uint64_t sealed_size = proto::ciphertext_size_for(padded_size(serialized_size(d.content)));
  if (sealed_size > proto::relay_ciphertext_bytes) {
    auto mib = [](std::uint64_t n) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1024.0 * 1024.0));
      return std::string(buf);
    };
    return make_error(errc::invalid_argument,
                      "This letter with its attachments comes to " + mib(sealed_size) + " once sealed; the relay takes " +
                          "letters up to " + mib(proto::relay_ciphertext_bytes) +
                          ". Nothing was sent. Please leave out or shrink an attachment.");
  }
  auto entry = case_of(case_id);
  if (!entry) return entry.error();
  auto snap = snapshot(case_id);
  if (!snap) return snap.error();
  const roster* r = &snap->trust;
  const bool note = d.kind == proto::message_kind::note;
  const bool supporter = party_of(entry->role).has_value();
  if (note && entry->role != proto::role::facilitator && !supporter) {
    return make_error(errc::invalid_argument, "A party writes letters; internal notes are the facilitators'.");
  }
  if (!note && entry->role == proto::role::facilitator) {
    return make_error(errc::invalid_argument, "Facilitators write internal notes, not letters.");
  }
  if (!note && supporter) {
    return make_error(errc::invalid_argument,
                      "A supporter writes to the facilitators (--to facilitators), not to the other party.");
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
        return make_error(errc::withdrawn, "The other party has left the process. Nothing more can be sent.");
      }
    }
  }
  if (d.answers) {
    ld.kind = proto::message_kind::reply;
    ld.answers = d.answers;
  }
  const auto* mine = keys_.find_case_key(case_id);
  if (!mine) return make_error(errc::withdrawn, "This profile no longer holds a key for that case.");
  // The facilitators read every letter; the supporters this writer lets read, its letters.
  auto readers = r->facilitator_readers();
  if (!note) {
    for (const auto& s : r->supporters_of(identity())) readers.push_back(s);
  }
  // Sealed a chunk at a time into a file of this profile, then uploaded from
  // it: the letter is never held twice in memory, however large.
  auto sealed_file = scratch_file::create(dir_);
  if (!sealed_file) return sealed_file.error();
  result<void> stored;
  letter_builder builder(keys_.identity(), *mine, ld, readers, serialized_size(d.content),
                         [&](bytes_view c) { if (stored) stored = sealed_file->append(c); });
  result<void> sealing;
  if (auto ok = serialize_to(d.content, [&](bytes_view piece) { if (sealing) sealing = builder.write(piece); }); !ok) {
    return ok.error();
  }
  if (!sealing) return sealing.error();
  auto envelope = builder.finish();
  if (!envelope) return envelope.error();
  if (!stored) return stored.error();
  if (auto ok = sealed_file->close(); !ok) return ok.error();
  auto payload = ciphertext_source::file(sealed_file->path());
  if (!payload) return payload.error();
  const std::string prefix = "{\"envelope\":" + json::serialize(as_json(*envelope)) + ",\"ciphertext\":\"";
  // A revision names the letter it revises beside the envelope, where the
  // relay shows it only to this writer and the facilitators.
  std::string suffix = "\"}";
  if (d.revises) {
    auto revision = revision_of(keys_.identity(), case_id, envelope->header.statement_id, *d.revises);
    if (!revision) return revision.error();
    suffix = "\",\"revision\":" + json::serialize(as_json(*revision)) + "}";
  }
  auto answer = authenticated([&] {
    return relay_.post_streamed(case_path(case_id, "/messages"), prefix, *payload, suffix,
                                [this](std::uint64_t done, std::uint64_t total) { report("sending", done, total); });
  });
  if (!answer) return answer.error();
  // What a person wrote stays readable on their own device (not notes, which
  // belong to the case's facilitators together).
  if (!note) {
    if (auto ok = box_.keep(envelope->header.statement_id, case_id, identity(), unix_now(), std::nullopt, d.content);
        !ok) {
      return ok.error();
    }
  }
  return envelope->header.statement_id;
}

result<scratch_file> scratch_file::create(const std::filesystem::path& profile) {
  const auto dir = profile / "transfer";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
  scratch_file f;
  f.path_ = dir / (proto::base64url_encode(proto::random_id()) + ".part");
  f.fd_ = ::open(f.path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (f.fd_ < 0) return make_error(errc::invalid_argument, "cannot write in " + dir.string());
  return f;
}

scratch_file::scratch_file(scratch_file&& o) noexcept
    : path_(std::exchange(o.path_, {})), fd_(std::exchange(o.fd_, -1)) {}

scratch_file::~scratch_file() {
  if (fd_ >= 0) ::close(fd_);
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove(path_, ec);
}

result<void> scratch_file::append(bytes_view data) {
  while (!data.empty()) {
    const auto n = ::write(fd_, data.data(), data.size());
    if (n <= 0) return make_error(errc::invalid_argument, "cannot write " + path_.string() + " (is the disk full?)");
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

result<void> scratch_file::close() {
  const int fd = std::exchange(fd_, -1);
  if (fd >= 0 && ::close(fd) != 0) return make_error(errc::invalid_argument, "cannot write " + path_.string());
  return {};
}

void account::report(std::string_view what, std::uint64_t done, std::uint64_t total) {
  if (progress_) progress_(what, done, total);
}

result<void> account::download(const proto::id& case_id, const proto::id& message, const proto::envelope& e,
                               scratch_file& into) {
  return authenticated([&]() -> result<void> {
    return relay_.get_streamed(
        message_path(case_id, message, "/ciphertext"), e.ciphertext_size, [&](bytes_view piece) { return into.append(piece); },
        [this](std::uint64_t done, std::uint64_t total) { report("receiving", done, total); });
  });
}

result<std::vector<message_summary>> account::messages(const proto::id& case_id) {
  auto r = authenticated([&] { return relay_.get(case_path(case_id, "/messages")); });
  if (!r) return missing(case_id, r.error());
  return parse_message_list(*r, "messages", identity());
}

result<fetched_message> account::fetch(const proto::id& case_id, const proto::id& message) {
  auto r = authenticated([&] { return relay_.get(message_path(case_id, message)); });
  if (!r && r.error().code == errc::relay_refused && relay_.last_refusal() && relay_.last_refusal()->status == 410) {
    // Taken back, declined or purged: gone, in the catalogue's words.
    const auto& gone = *relay_.last_refusal();
    return make_error(errc::not_found, refusal_sentence(gone.code).value_or(gone.message));
  }
  if (!r) return r.error();
  auto got = parse_fetched_message(*r, identity());
  // A relay that answers with another message than the one asked for is refused.
  if (got && (got->summary.message != message || got->envelope.header.statement_id != message ||
              got->envelope.header.case_id != case_id)) {
    return make_error(errc::relay_refused, "the relay answered with another message than the one asked for");
  }
  return got;
}

namespace {

// How a reader knows a facilitator: by the name given at enrolment, or by
// the first digits of the safety number.
std::string facilitator_name(const case_detail& detail, const proto::public_key& who) {
  for (const auto& p : detail.participants) {
    if (p.identity == who && p.name) return *p.name;
  }
  return "facilitator " + proto::safety_number(who).substr(0, 5);
}

}  // namespace

result<opened_letter> account::read(const proto::id& case_id, const proto::id& message, bool receipt) {
  auto entry = case_of(case_id);
  if (!entry) return entry.error();
  auto got = fetch(case_id, message);
  if (!got) {
    const auto refusal = relay_.last_refusal();
    const bool gone = refusal && refusal->status == 410;
    if (gone && (refusal->code == "revoked" || refusal->code == "declined")) {
      // Taken back by its writer, or declined by this reader: it leaves this device too.
      (void)box_.forget(message);
      return got.error();
    }
    const auto code = got.error().code;
    if (code == errc::withdrawn || code == errc::not_found || code == errc::case_closed || gone) {
      auto kept = box_.letter(message);
      if (kept && *kept && (*kept)->case_id == case_id) {
        opened_letter out;
        out.summary.message = message;
        out.summary.case_id = case_id;
        out.summary.sender = (*kept)->sender;
        out.summary.mine = (*kept)->sender == identity();
        out.summary.state = "kept";
        out.content = std::move((*kept)->content);
        out.content_note = (*kept)->content_note;
        out.kept_on_this_device = true;
        return out;
      }
    }
    return got.error();
  }
  auto snap = snapshot(case_id);
  if (!snap) return snap.error();
  const roster* r = &snap->trust;
  const auto* e = &got->envelope;
  // The ciphertext goes from the relay to a file of this profile, a piece at a time.
  auto downloaded = scratch_file::create(dir_);
  if (!downloaded) return downloaded.error();
  if (auto ok = download(case_id, message, *e, *downloaded); !ok) return ok.error();
  if (auto ok = downloaded->close(); !ok) return ok.error();
  auto source = ciphertext_source::file(downloaded->path());
  if (!source) return source.error();
  const ciphertext_source* ciphertext = &*source;
  const auto* mine = keys_.find_case_key(case_id);
  if (!mine) return make_error(errc::withdrawn, "This profile no longer holds a key for that case.");

  opened_letter out;
  out.summary = got->summary;
  if (entry->role == proto::role::facilitator) {
    auto doc = open_for_review(*r, *e, *ciphertext, keys_.identity(), *mine);
    if (!doc) return doc.error();
    out.content = std::move(*doc);
    // Read for review on this device, with this exact content: approve and return need it.
    if (auto ok = box_.set("reviewed/" + b64(message), b64(e->ciphertext_hash)); !ok) return ok.error();
    return out;
  }
  if (e->header.signer == identity()) {
    auto key = unwrap_for(e->wraps, message, keys_.identity(), *mine);
    if (!key) return key.error();
    auto doc = decrypt_letter(*e, *ciphertext, *key);
    if (!doc) return doc.error();
    out.content = std::move(*doc);
    // The writer's own copy stays on this device too.
    if (auto ok = box_.keep(message, case_id, identity(), unix_now(), std::nullopt, out.content); !ok) return ok.error();
    if (got->returned) {
      auto n = open_return(*r, *e, *got->returned, *mine);
      if (!n) return n.error();
      out.returned = std::move(*n);
    }
    if (got->decline_note) {
      auto n = open_note(*got->decline_note, message, "declined", *mine);
      if (!n) return n.error();
      out.declined_note = std::move(n->text);
    }
    return out;
  }
  if (party_of(entry->role) && e->to != *party_of(entry->role)) {
    // A supporter reading a letter its party wrote: the envelope carries its wrap.
    auto doc = open_for_review(*r, *e, *ciphertext, keys_.identity(), *mine);
    if (!doc) return doc.error();
    out.content = std::move(*doc);
    if (auto ok = box_.keep(message, case_id, e->header.signer, unix_now(), std::nullopt, out.content); !ok) {
      return ok.error();
    }
    return out;
  }
  auto delivered = open_delivered(*r, *e, got->approvals, *ciphertext, keys_.identity(), *mine, unix_now());
  if (!delivered) return delivered.error();
  out.content = std::move(delivered->content);
  out.content_notes = delivered->content_notes;
  for (auto& n : out.content_notes) n.by_name = facilitator_name(snap->detail, n.by);
  if (!out.content_notes.empty()) {
    std::string all;
    for (const auto& n : out.content_notes) {
      all += (all.empty() ? "" : "\n\n") + std::string("From ") + facilitator_name(snap->detail, n.by) + ": " + n.text;
    }
    out.content_note = out.content_notes.size() == 1 ? out.content_notes.front().text : all;
  }
  if (auto ok = box_.keep(message, case_id, e->header.signer, unix_now(), out.content_note, out.content); !ok) {
    return ok.error();
  }
  if (receipt) {
    auto ok = authenticated([&] { return relay_.post(message_path(case_id, message, "/receipt"), json::object{}); });
    if (!ok) return ok.error();
    if (auto understood = parse_state_answer(*ok, "opened"); !understood) return understood.error();
    out.summary.state = "opened";
  }
  return out;
}

result<void> account::decline(const proto::id& case_id, const proto::id& message) {
  auto r = authenticated([&] { return relay_.post(message_path(case_id, message, "/decline"), json::object{}); });
  if (!r) return r.error();
  if (auto ok = parse_state_answer(*r, "declined"); !ok) return ok.error();
  (void)box_.forget(message);
  return {};
}

result<revoke_answer> account::revoke(const proto::id& case_id, const proto::id& message) {
  proto::revoke rv;
  rv.header = header_for(case_id);
  rv.message_id = message;
  auto s = sign(rv, keys_.identity());
  if (!s) return s.error();
  auto r = authenticated([&] { return relay_.post(message_path(case_id, message, "/revoke"), json::object{{"revoke", as_json(*s)}}); });
  if (!r) return r.error();
  auto answer = parse_revoke_answer(*r);
  if (!answer) return answer.error();
  (void)box_.forget(message);  // taken back: the writer's own copy goes too
  return answer;
}

result<void> account::tell_declined(const proto::id& case_id, const proto::id& message, std::string_view note_text) {
  json::object body;
  if (!note_text.empty()) {
    auto review = review_of(case_id, message);
    if (!review) return review.error();
    auto writer = review->current.trust.find(review->envelope.header.signer);
    if (!writer) return writer.error();
    note n;
    n.purpose = "declined";
    n.text = std::string(note_text);
    auto sealed = seal_note(n, message, writer->case_key);
    if (!sealed) return sealed.error();
    body["note"] = proto::base64url_encode(sealed->box);
  }
  auto r = authenticated([&] { return relay_.post(message_path(case_id, message, "/tell-declined"), body); });
  if (!r) return r.error();
  return parse_state_answer(*r, "declined");
}

result<std::size_t> account::sync(const proto::id& case_id) {
  auto list = messages(case_id);
  if (!list) return list.error();
  std::size_t deleted = 0;
  for (const auto& m : *list) {
    // Revoked by its writer, or declined by this recipient: the copy goes.
    if (m.state != "revoked" && !(m.state == "declined" && !m.mine)) continue;
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
  auto list = parse_message_list(*r, "queue", identity());
  if (!list) return list.error();
  for (auto& m : *list) {
    if (m.case_label) m.case_label_text = open_label(m.case_id, *m.case_label);
  }
  return list;
}

result<void> account::unclaim(const proto::id& case_id, const proto::id& message) {
  auto r = authenticated([&] { return relay_.post(message_path(case_id, message, "/unclaim"), json::object{}); });
  if (!r) return r.error();
  return {};
}

result<void> account::claim(const proto::id& case_id, const proto::id& message) {
  auto r = authenticated([&] { return relay_.post(message_path(case_id, message, "/claim"), json::object{}); });
  if (!r) return r.error();
  return {};
}

result<void> account::require_read(const proto::id& case_id, const proto::envelope& e) {
  // A facilitator decides only on a letter they have read on this device, as it is now.
  const proto::id& message = e.header.statement_id;
  auto read_before = box_.setting("reviewed/" + b64(message));
  if (!read_before) return read_before.error();
  if (!*read_before || **read_before != b64(e.ciphertext_hash)) {
    return make_error(errc::invalid_argument, "Please read the letter first: shuttle review " + b64(case_id).substr(0, 8) +
                                                  " " + b64(message).substr(0, 8));
  }
  return {};
}

result<account::under_review> account::review_of(const proto::id& case_id, const proto::id& message) {
  auto got = fetch(case_id, message);
  if (!got) return got.error();

  auto snap = snapshot(case_id);
  if (!snap) return snap.error();
  return under_review{std::move(got->envelope), std::move(*snap)};
}

result<approve_answer> account::approve(const proto::id& case_id, const proto::id& message, const approval_choice& choice) {
  auto review = review_of(case_id, message);
  if (!review) return review.error();
  if (auto ok = require_read(case_id, review->envelope); !ok) return ok.error();
  const auto* e = &review->envelope;
  const auto* r = &review->current.trust;
  const auto* mine = keys_.find_case_key(case_id);
  if (!mine) return make_error(errc::withdrawn, "This profile no longer holds a key for that case.");
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
  return parse_approve_answer(*answer);
}

result<void> account::return_letter(const proto::id& case_id, const proto::id& message, return_reason reason,
                                    std::string_view note_text) {
  auto review = review_of(case_id, message);
  if (!review) return review.error();
  if (auto ok = require_read(case_id, review->envelope); !ok) return ok.error();
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
  if (!x) return make_error(errc::relay_refused, "the relay's answer holds an audit trail that is not valid at " + x.error().detail);
  auto key = relay_key();
  if (!key) return key.error();
  if (auto ok = proto::verify_audit_export(*x, *key); !ok) return ok.error();
  return x;
}

// ------------------------------------------------------------------ events

result<void> account::watch(const std::function<void(const event&)>& on_event, const std::function<bool()>& keep_going) {
  auto last_text = box_.setting("last_event");
  if (!last_text) return last_text.error();
  std::uint64_t last = 0;
  if (*last_text) {
    const auto& t = **last_text;
    if (auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), last); ec != std::errc() || end != t.data() + t.size()) {
      last = 0;  // a damaged setting: catch up from the first event kept
    }
  }
  auto pause = std::chrono::seconds(1);
  // An event that is not understood ends the watch with an error, rather
  // than being skipped unnoticed.
  std::optional<error> refusal;
  auto going = [&] { return !refusal && keep_going(); };
  while (going()) {
    if (relay_.token().empty()) {
      if (auto ok = login(); !ok) return ok.error();
    }
    auto streamed = relay_.stream_events(last, [&](std::string_view text) {
      auto parsed = parse_event(text);
      if (!parsed) {
        refusal = parsed.error();
        return;
      }
      const event& e = *parsed;
      last = e.seq;
      (void)box_.set("last_event", std::to_string(last));
      if (e.kind == "revoked" && e.message) (void)box_.forget(*e.message);
      on_event(e);
      pause = std::chrono::seconds(1);
    }, going);
    if (refusal) return *refusal;
    if (!streamed) {
      if (streamed.error().code == errc::tls_failure) return streamed.error();
      if (streamed.error().code == errc::not_logged_in) {
        if (auto ok = login(); !ok) return ok.error();
        continue;
      }
    }
    // The stream ended (the relay restarted, the network dropped): catch up after a pause.
    for (auto waited = std::chrono::milliseconds(0); waited < pause && going(); waited += std::chrono::milliseconds(100)) {
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
  if (!found) return make_error(errc::not_found, "No " + std::string(what) + " starts with " + std::string(text) + ".");
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
