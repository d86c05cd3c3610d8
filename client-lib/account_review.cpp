// The account as a facilitator reviews: the queue, claims, approving and
// returning, and the case's audit trail checked against the relay's key.
#include "client-lib/account_parts.hpp"
#include "client-lib/letter.hpp"
#include "client-lib/statements.hpp"

namespace shuttle::client {

using namespace account_detail;

// ------------------------------------------------------------------ review

result<std::vector<message_summary>> account::queue(bool later) {
  auto r = authenticated([&] { return relay_.get("/v1/queue"); });
  if (!r) return r.error();
  auto list = parse_message_list(*r, later ? "scheduled" : "queue", identity());
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

}  // namespace shuttle::client
