// The account's cases: listing, labels, quiet hours, grants, the roster a
// case's view is checked against, opening, inviting, attesting, closing,
// new keys and withdrawal.
#include "client-lib/account_parts.hpp"
#include "client-lib/enrolment.hpp"
#include "client-lib/statements.hpp"
#include "proto/fingerprint.hpp"
#include "proto/invitation_code.hpp"

#include <map>

namespace shuttle::client {

using namespace account_detail;

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

namespace account_detail {

result<void> keep_consent(mailbox& box, const proto::id& case_id, const agreed_consent& agreed) {
  json::object o{{"language", agreed.language}, {"text", agreed.text}, {"text_hash", b64(agreed.text_hash)},
                 {"at", agreed.at}};
  return box.set("consent/" + b64(case_id), json::serialize(o));
}

}  // namespace account_detail

result<std::vector<consent_offer>> account::consent_texts() {
  auto answer = authenticated([&] { return relay_.get("/v1/consent"); });
  if (!answer) return answer.error();
  return parse_consent_offers(*answer);
}

result<std::optional<agreed_consent>> account::agreed(const proto::id& case_id) {
  auto kept = box_.setting("consent/" + b64(case_id));
  if (!kept) return kept.error();
  if (!*kept) return std::optional<agreed_consent>{};
  // Written by keep_consent on this device; anything else is a damaged profile.
  boost::system::error_code ec;
  const auto v = json::parse(**kept, ec);
  const auto* o = v.if_object();
  agreed_consent a;
  if (ec || !o || !o->contains("language") || !o->contains("text") || !o->contains("at") ||
      !(*o).at("language").is_string() || !(*o).at("text").is_string() || !(*o).at("at").is_int64()) {
    return make_error(errc::keystore_corrupt, "the consent text kept on this device is damaged");
  }
  a.language = std::string(o->at("language").as_string());
  a.text = std::string(o->at("text").as_string());
  a.text_hash = proto::consent_text_hash(a.language, a.text);
  a.at = static_cast<std::uint64_t>(o->at("at").as_int64());
  return std::optional<agreed_consent>(std::move(a));
}

result<void> account::consent_again(const proto::id& case_id, const consent_offer& text) {
  proto::consent k;
  k.header = header_for(case_id);
  k.text_hash = proto::consent_text_hash(text.language, text.text);
  auto signed_consent = sign(std::move(k), keys_.identity());
  if (!signed_consent) return signed_consent.error();
  auto answer = authenticated(
      [&] { return relay_.post(case_path(case_id, "/consent"), json::object{{"consent", as_json(*signed_consent)}}); });
  if (!answer) return missing(case_id, answer.error());
  return keep_consent(box_, case_id, {text.language, text.text, signed_consent->text_hash, unix_now()});
}

result<void> account::set_writing_aid(const proto::id& case_id, proto::role party, std::string_view purpose,
                                      std::string_view text) {
  if (party != proto::role::harmed && party != proto::role::responsible) {
    return make_error(errc::invalid_argument, "Writing aids are for the harmed or the responsible party.");
  }
  if (text.empty() || text.size() > proto::max_note_text_bytes) {
    return make_error(errc::invalid_argument, "Writing aids are 1 to 8192 bytes of text.");
  }
  auto snap = snapshot(case_id);
  if (!snap) return snap.error();
  json::array copies;
  // Sealed to each active party in that role whose keys a facilitator checked; the relay never reads it.
  for (const auto& p : snap->detail.participants) {
    if (p.role != party || p.state != "active") continue;
    auto keys = snap->trust.find(p.identity);
    if (!keys) return keys.error();
    auto sealed = seal_note({std::string(purpose), std::nullopt, std::string(text)}, case_id, keys->case_key);
    if (!sealed) return sealed.error();
    copies.push_back(json::object{{"reader", b64(p.identity)}, {"box", proto::base64url_encode(sealed->box)}});
  }
  if (copies.empty()) return make_error(errc::withdrawn, "No one in that role takes part in the case now.");
  auto answer = authenticated([&] {
    return relay_.post(case_path(case_id, "/writing-aids"), json::object{{"purpose", purpose}, {"aids", copies}});
  });
  if (!answer) return missing(case_id, answer.error());
  return {};
}

result<std::optional<std::string>> account::writing_aid(const proto::id& case_id, std::string_view purpose) {
  auto detail = detail_of(case_id);
  if (!detail) return detail.error();
  const auto& box = purpose == "names" ? detail->names : detail->prompts;
  if (!box) return std::optional<std::string>{};
  const auto* mine = keys_.find_case_key(case_id);
  if (!mine) return make_error(errc::withdrawn, "This profile no longer holds a key for that case.");
  auto n = open_note(*box, case_id, purpose, *mine);
  if (!n) return n.error();
  return std::optional<std::string>(std::move(n->text));
}

result<void> account::set_stage(const proto::id& case_id, proto::case_stage stage) {
  proto::stage_statement s;
  s.header = header_for(case_id);
  s.stage = stage;
  auto signed_stage = sign(std::move(s), keys_.identity());
  if (!signed_stage) return signed_stage.error();
  auto answer = authenticated(
      [&] { return relay_.post(case_path(case_id, "/stage"), json::object{{"stage", as_json(*signed_stage)}}); });
  if (!answer) return missing(case_id, answer.error());
  return {};
}

result<void> account::pause(const proto::id& case_id, bool paused) {
  auto entry = case_of(case_id);
  if (!entry) return entry.error();
  if (entry->role != proto::role::harmed) {
    return make_error(errc::invalid_argument, "Only the person harmed can pause the case or resume it.");
  }
  proto::pause p;
  p.header = header_for(case_id);
  p.paused = paused;
  auto signed_pause = sign(std::move(p), keys_.identity());
  if (!signed_pause) return signed_pause.error();
  auto answer = authenticated(
      [&] { return relay_.post(case_path(case_id, "/pause"), json::object{{"pause", as_json(*signed_pause)}}); });
  if (!answer) return missing(case_id, answer.error());
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
  // The stage and the pause only as a statement of someone who may set them
  // shows them (SPEC 9): a facilitator of the case, the person harmed.
  auto signed_by = [&](const auto& s, proto::role role) {
    const auto who = r.find(s.header.signer);
    return proto::verify_signature(s).has_value() && s.header.case_id == case_id && who && who->role == role;
  };
  if (detail.stage_statement) {
    if (!signed_by(*detail.stage_statement, proto::role::facilitator) || detail.stage_statement->stage != detail.stage) {
      return make_error(errc::relay_refused, "the case's stage is not one a facilitator of this case signed");
    }
  } else if (detail.stage != proto::case_stage::referral && detail.stage != proto::case_stage::exchange) {
    return make_error(errc::relay_refused, "the case's stage comes without the statement that set it");
  }
  if (detail.pause_statement ? !signed_by(*detail.pause_statement, proto::role::harmed) ||
                                   detail.pause_statement->paused != detail.paused
                             : detail.paused) {
    return make_error(errc::relay_refused, "the case's pause is not one the person harmed signed");
  }
  v.summary.stage = detail.stage;
  v.summary.paused = detail.paused;
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
    who.consented = p.consent.has_value() && p.consent->header.signer == p.identity &&
                    p.consent->header.case_id == case_id && proto::verify_signature(*p.consent).has_value();
    who.consent_current = who.consented && p.consent_current;
    if (who.consented) who.consent_language = p.consent_language;
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
  auto made = make_invitation(keys_.identity(), case_id, role, lifetime_seconds);
  if (!made) return made.error();
  made->code.relay = relay_.address().text();
  made->code.relay_certificate_sha256 = relay_.address().pin;
  auto r = authenticated([&] {
    return relay_.post(case_path(case_id, "/invitations"), json::object{{"invitation", as_json(made->statement)}});
  });
  if (!r) return r.error();
  return proto::encode(made->code);
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
  // A colleague confirmed: the case's label is sealed to them too, so their queue names the case.
  if (*role == proto::role::facilitator && detail->label) {
    if (auto text = open_label(case_id, *detail->label)) return set_label(case_id, *text);
  }
  return {};
}

result<void> account::close_case(const proto::id& case_id, bool open_checkins_too) {
  proto::close c;
  c.header = header_for(case_id);
  auto s = sign(c, keys_.identity());
  if (!s) return s.error();
  json::object body{{"close", as_json(*s)}};
  if (open_checkins_too) body["close_open_checkins"] = true;
  auto r = authenticated([&] { return relay_.post(case_path(case_id, "/close"), body); });
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

}  // namespace shuttle::client
