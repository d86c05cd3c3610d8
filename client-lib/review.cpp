#include "client-lib/review.hpp"

#include "client-lib/statements.hpp"
#include "proto/codec.hpp"
#include "proto/enum_words.hpp"
#include "proto/limits.hpp"
#include "proto/transcript.hpp"

#include <sodium.h>

#include <algorithm>

namespace shuttle::client {

namespace {

bool contains(const std::vector<proto::public_key>& v, const proto::public_key& k) {
  return std::find(v.begin(), v.end(), k) != v.end();
}

constexpr proto::enum_words<return_reason, 5> reason_words{{
    "identifying_information", "retraumatising_wording", "asks_for_forgiveness_or_contact", "threat", "other"}};

constexpr std::string_view note_domain = "shuttle/v1/note";

}  // namespace

std::string_view to_string(return_reason r) { return reason_words.word(r); }
bool parse_enum(std::string_view word, return_reason& out) { return reason_words.parse(word, out); }

// ------------------------------------------------------------------ roster

roster::roster(const proto::id& case_id, const proto::public_key& pinned_facilitator)
    : case_id_(case_id), facilitators_{pinned_facilitator} {}

result<void> roster::check_case(const proto::statement_header& h) const {
  if (h.case_id != case_id_) return make_error(errc::wrong_case, "a statement from another case");
  return {};
}

result<void> roster::add_case_open(const proto::case_open& s) {
  if (auto ok = check_case(s.header); !ok) return ok;
  if (!is_facilitator(s.header.signer)) return make_error(errc::not_attested, "the case was opened by an unknown key");
  if (auto ok = proto::verify_signature(s); !ok) return ok;
  approvals_required_ = s.approvals_required;
  return {};
}

result<void> roster::add_facilitator_keys(const proto::key_statement& s) {
  if (auto ok = check_case(s.header); !ok) return ok;
  if (!is_facilitator(s.header.signer)) return make_error(errc::not_attested, "a key statement by an unknown facilitator");
  if (auto ok = proto::verify_signature(s); !ok) return ok;
  if (auto existing = find(s.header.signer); existing && existing->case_key != s.case_key) {
    return make_error(errc::key_changed, "a facilitator's case key changed");
  }
  std::erase_if(participants_, [&](const participant_keys& p) { return p.identity == s.header.signer; });
  participants_.push_back({s.header.signer, proto::role::facilitator, s.case_key, s.header.statement_id});
  return {};
}

result<void> roster::add_attested(const proto::attestation& a, const proto::key_statement& keys) {
  if (auto ok = check_case(a.header); !ok) return ok;
  if (auto ok = check_case(keys.header); !ok) return ok;
  if (!is_facilitator(a.header.signer)) return make_error(errc::not_attested, "an attestation by an unknown key");
  if (auto ok = proto::verify_signature(a); !ok) return ok;
  if (auto ok = proto::verify_signature(keys); !ok) return ok;
  if (a.subject != keys.header.signer || a.key_statement_id != keys.header.statement_id ||
      a.subject_case_key != keys.case_key) {
    return make_error(errc::not_attested, "the attestation names other keys");
  }
  // A later attestation replaces the earlier one; the caller adds them in order.
  std::erase_if(participants_, [&](const participant_keys& p) { return p.identity == a.subject; });
  participants_.push_back({a.subject, a.subject_role, keys.case_key, keys.header.statement_id});
  if (a.subject_role == proto::role::facilitator && !is_facilitator(a.subject)) {
    facilitators_.push_back(a.subject);
  }
  return {};
}

result<participant_keys> roster::find(const proto::public_key& identity) const {
  for (const auto& p : participants_) {
    if (p.identity == identity) return p;
  }
  return make_error(errc::not_attested, "no facilitator has attested this participant's keys");
}

result<void> roster::check_current_key(const proto::public_key& identity, const proto::public_key& case_key) const {
  auto p = find(identity);
  if (!p) return p.error();
  if (p->case_key != case_key) {
    return make_error(errc::key_changed, "this participant's key changed since a facilitator attested it");
  }
  return {};
}

bool roster::is_facilitator(const proto::public_key& identity) const { return contains(facilitators_, identity); }

std::vector<reader_key> roster::facilitator_readers() const {
  std::vector<reader_key> out;
  for (const auto& p : participants_) {
    if (p.role == proto::role::facilitator && is_facilitator(p.identity)) out.push_back({p.identity, p.case_key});
  }
  return out;
}

std::vector<participant_keys> roster::in_role(proto::role r) const {
  std::vector<participant_keys> out;
  for (const auto& p : participants_) {
    if (p.role == r) out.push_back(p);
  }
  return out;
}

std::optional<proto::role> party_of(proto::role supporter) {
  if (supporter == proto::role::harmed_support) return proto::role::harmed;
  if (supporter == proto::role::responsible_support) return proto::role::responsible;
  return std::nullopt;
}

result<void> roster::add_grant(const proto::grant& g) {
  if (auto ok = check_case(g.header); !ok) return ok;
  if (auto ok = proto::validate(g); !ok) return ok.error();
  if (auto ok = proto::verify_signature(g); !ok) return ok.error();
  auto party = find(g.header.signer);
  auto supporter = find(g.subject);
  if (!party || !supporter || party_of(supporter->role) != party->role) {
    return make_error(errc::not_attested, "a grant between people not attested as a party and its supporter");
  }
  for (auto& kept : grants_) {
    if (kept.header.signer == g.header.signer && kept.subject == g.subject) {
      if (kept.header.created_at <= g.header.created_at) kept = g;
      return {};
    }
  }
  grants_.push_back(g);
  return {};
}

std::vector<reader_key> roster::supporters_of(const proto::public_key& party) const {
  std::vector<reader_key> out;
  for (const auto& g : grants_) {
    if (g.header.signer != party || !g.reads) continue;
    if (auto s = find(g.subject)) out.push_back({s->identity, s->case_key});
  }
  return out;
}

// ------------------------------------------------------------------ notes

result<proto::sealed_note> seal_note(const note& n, const proto::id& message_id, const proto::public_key& reader_case_key) {
  if (n.text.size() > proto::max_note_text_bytes) return make_error(errc::invalid_argument, "the note is too long");
  proto::transcript t(note_domain);
  t.add(message_id).add(n.purpose);
  t.add(n.reason ? to_string(*n.reason) : std::string_view{}).add(n.text);
  const bytes padded = pad(t.data());
  proto::sealed_note out;
  out.box.resize(padded.size() + crypto_box_SEALBYTES);
  crypto_box_seal(out.box.data(), padded.data(), padded.size(), reader_case_key.data());
  return out;
}

result<note> open_note(const proto::sealed_note& box, const proto::id& message_id, std::string_view purpose,
                       const case_key& mine) {
  const auto damaged = make_error(errc::decrypt_failed, "the note does not open");
  if (box.box.size() < proto::min_sealed_note_bytes) return damaged;
  secret_bytes padded(box.box.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(padded.data(), box.box.data(), box.box.size(), mine.public_key().data(),
                           mine.secret().data()) != 0) {
    return damaged;
  }
  auto plain = unpad(padded.view());
  if (!plain) return plain.error();
  proto::frame_reader r(*plain);
  auto domain = r.next();
  auto message = r.next_exact(proto::id_bytes);
  auto purpose_word = r.next();
  auto reason_word = r.next();
  auto text = r.next();
  if (!domain || as_chars(*domain) != note_domain || !message || !purpose_word || !reason_word || !text ||
      !r.at_end()) {
    return damaged;
  }
  if (!std::equal(message->begin(), message->end(), message_id.begin()) || as_chars(*purpose_word) != purpose) {
    return make_error(errc::wrap_mismatch, "the note belongs to another message");
  }
  note n;
  n.purpose = std::string(purpose);
  if (!reason_word->empty()) {
    return_reason reason{};
    if (!parse_enum(as_chars(*reason_word), reason)) return damaged;
    n.reason = reason;
  }
  n.text = std::string(as_chars(*text));
  return n;
}

// ------------------------------------------------------------------ review

namespace {

// The checks every reader makes of an envelope before touching its ciphertext.
result<participant_keys> check_envelope(const roster& r, const proto::envelope& e) {
  if (e.header.case_id != r.case_id()) return make_error(errc::wrong_case, "a letter from another case");
  if (auto ok = proto::validate(e); !ok) return ok.error();
  if (auto ok = proto::verify_signature(e); !ok) return ok.error();
  auto sender = r.find(e.header.signer);
  if (!sender) return sender.error();
  return sender;
}

}  // namespace

result<document> open_for_review(const roster& r, const proto::envelope& e, const ciphertext_source& ciphertext,
                                 const identity_key& me, const case_key& my_case_key) {
  auto sender = check_envelope(r, e);
  if (!sender) return sender.error();
  auto key = unwrap_for(e.wraps, e.header.statement_id, me, my_case_key);
  if (!key) return key.error();
  return decrypt_letter(e, ciphertext, *key);
}

result<proto::approval> approve_letter(const roster& r, const proto::envelope& e, const identity_key& me,
                                       const case_key& my_case_key, const approval_options& options) {
  if (!r.is_facilitator(me.public_key())) return make_error(errc::not_attested, "only a facilitator approves");
  auto sender = check_envelope(r, e);
  if (!sender) return sender.error();
  if (e.kind == proto::message_kind::note) return make_error(errc::invalid_argument, "internal notes are not released");
  auto key = unwrap_for(e.wraps, e.header.statement_id, me, my_case_key);
  if (!key) return key.error();
  const auto recipients = r.in_role(e.to);
  if (recipients.empty()) return make_error(errc::not_attested, "the recipient's keys are not attested yet");

  proto::approval a;
  a.header = options.header ? *options.header : header_for(e.header.case_id);
  a.message_id = e.header.statement_id;
  a.ciphertext_hash = e.ciphertext_hash;
  a.release_at = options.release_at;
  for (const auto& p : recipients) {
    a.wraps.push_back({p.identity, wrap_letter_key(*key, e.header.statement_id, p.case_key)});
    // Each supporter a recipient lets read gets the letter with them.
    for (const auto& s : r.supporters_of(p.identity)) {
      a.wraps.push_back({s.identity, wrap_letter_key(*key, e.header.statement_id, s.case_key)});
    }
  }
  if (options.content_note) {
    if (recipients.size() != 1) return make_error(errc::invalid_argument, "a content note needs a single recipient");
    auto sealed = seal_note({"content", std::nullopt, *options.content_note}, e.header.statement_id,
                            recipients.front().case_key);
    if (!sealed) return sealed.error();
    a.note = std::move(*sealed);
  }
  return sign(std::move(a), me);
}

result<proto::return_statement> return_letter(const roster& r, const proto::envelope& e, const identity_key& me,
                                              return_reason reason, std::string_view text,
                                              std::optional<proto::statement_header> header) {
  if (!r.is_facilitator(me.public_key())) return make_error(errc::not_attested, "only a facilitator returns");
  auto sender = check_envelope(r, e);
  if (!sender) return sender.error();
  proto::return_statement s;
  s.header = header ? *header : header_for(e.header.case_id);
  s.message_id = e.header.statement_id;
  s.ciphertext_hash = e.ciphertext_hash;
  auto sealed = seal_note({"return", reason, std::string(text)}, e.header.statement_id, sender->case_key);
  if (!sealed) return sealed.error();
  s.note = std::move(*sealed);
  return sign(std::move(s), me);
}

result<note> open_return(const roster& r, const proto::envelope& e, const proto::return_statement& s,
                         const case_key& sender_case_key) {
  if (s.header.case_id != r.case_id()) return make_error(errc::wrong_case, "a return from another case");
  if (!r.is_facilitator(s.header.signer)) return make_error(errc::not_attested, "returned by an unknown key");
  if (auto ok = proto::verify_signature(s); !ok) return ok.error();
  if (s.message_id != e.header.statement_id || s.ciphertext_hash != e.ciphertext_hash) {
    return make_error(errc::wrap_mismatch, "the return names another letter");
  }
  return open_note(s.note, e.header.statement_id, "return", sender_case_key);
}

result<delivered_letter> open_delivered(const roster& r, const proto::envelope& e,
                                        const std::vector<proto::approval>& approvals,
                                        const ciphertext_source& ciphertext,
                                        const identity_key& me, const case_key& my_case_key,
                                        std::uint64_t now) {
  auto sender = check_envelope(r, e);
  if (!sender) return sender.error();
  auto self = r.find(me.public_key());
  if (!self) return self.error();
  // The recipient, or a supporter the recipient lets read (no content note is sealed to a supporter).
  const bool supporter = party_of(self->role) == e.to;
  // An outcome agreement goes to both parties (SPEC 6.6), addressed to the facilitators.
  const bool agreement = e.kind == proto::message_kind::agreement;
  const bool agreement_reader = agreement && e.to == proto::role::facilitator &&
                                (self->role == proto::role::harmed || self->role == proto::role::responsible);
  if (self->role != e.to && !supporter && !agreement_reader) {
    return make_error(errc::not_approved, "this letter is not addressed to you");
  }
  if (agreement && !agreement_reader) return make_error(errc::not_approved, "an agreement is for the parties");
  if (self->case_key != my_case_key.public_key()) {
    return make_error(errc::key_changed, "your case key is not the one a facilitator attested");
  }
  delivered_letter out;
  if (e.kind == proto::message_kind::note || e.kind == proto::message_kind::checkin || agreement) {
    // A facilitator's note to this party, or the outcome agreement: signed
    // by a facilitator of the roster, wrapped for this reader in the
    // envelope itself; no review, so no approval (SPEC 9, "Recipient").
    if (supporter || !r.is_facilitator(e.header.signer)) {
      return make_error(errc::not_approved, "notes to the facilitators are never released");
    }
    auto key = unwrap_for(e.wraps, e.header.statement_id, me, my_case_key);
    if (!key) return key.error();
    auto content = decrypt_letter(e, ciphertext, *key);
    if (!content) return content.error();
    out.content = std::move(*content);
    out.sender = *sender;
    return out;
  }
  const proto::approval* with_my_wrap = nullptr;
  std::vector<const proto::approval*> counted;
  for (const auto& a : approvals) {
    if (a.header.case_id != r.case_id() || a.message_id != e.header.statement_id ||
        a.ciphertext_hash != e.ciphertext_hash || !r.is_facilitator(a.header.signer) ||
        std::find(out.approved_by.begin(), out.approved_by.end(), a.header.signer) != out.approved_by.end()) {
      continue;
    }
    if (!proto::validate(a) || !proto::verify_signature(a)) continue;
    if (a.release_at && *a.release_at > now) continue;
    out.approved_by.push_back(a.header.signer);
    counted.push_back(&a);
    const bool mine = std::any_of(a.wraps.begin(), a.wraps.end(),
                                  [&](const proto::reader_wrap& w) { return w.reader == me.public_key(); });
    if (mine && !with_my_wrap) with_my_wrap = &a;
  }
  if (out.approved_by.size() < r.approvals_required()) {
    return make_error(errc::not_approved, "this letter has not been approved for you");
  }
  if (!with_my_wrap) return make_error(errc::no_wrap_for_reader, "no approval carries a key for you");
  // The size and hash are checked by decrypt_letter, before it decrypts anything.
  auto key = unwrap_for(with_my_wrap->wraps, e.header.statement_id, me, my_case_key);
  if (!key) return key.error();
  auto content = decrypt_letter(e, ciphertext, *key);
  if (!content) return content.error();
  out.content = std::move(*content);
  out.sender = *sender;
  // Every approver's note reaches the reader, each with who wrote it.
  for (const auto* a : counted) {
    if (!a->note || supporter) continue;
    auto n = open_note(*a->note, e.header.statement_id, "content", my_case_key);
    if (!n) return n.error();
    out.content_notes.push_back({a->header.signer, n->text, {}});
  }
  if (!out.content_notes.empty()) out.content_note = out.content_notes.front().text;
  return out;
}

}  // namespace shuttle::client
