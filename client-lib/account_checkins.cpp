// Aftercare check-ins (proto/SPEC.md 5.19): a facilitator's question to one
// party that reaches them at a set time, answered with a note to the
// facilitators; the case stays open while one is open.
#include "client-lib/account_parts.hpp"

#include <algorithm>

namespace shuttle::client {

using namespace account_detail;

result<proto::id> account::schedule_checkin(const proto::id& case_id, proto::role party, std::uint64_t due_at,
                                            const proto::checkin_document& d) {
  const std::string body = proto::checkin_body(d);
  if (auto ok = proto::parse_checkin_body(body); !ok) {
    return make_error(errc::invalid_argument, "A check-in is a question of at most 2000 bytes, with at most 16 "
                                              "support services of at most 500 bytes each (" + ok.error().detail + ").");
  }
  if (party != proto::role::harmed && party != proto::role::responsible) {
    return make_error(errc::invalid_argument, "A check-in goes to the harmed or the responsible party.");
  }
  draft dr;
  dr.kind = proto::message_kind::checkin;
  dr.to = party;
  dr.due_at = due_at;
  dr.content.content_type = std::string(proto::checkin_content_type);
  dr.content.body.assign(body.begin(), body.end());
  return send(case_id, dr);
}

result<std::vector<checkin_view>> account::checkins(const proto::id& case_id) {
  auto list = messages(case_id);
  if (!list) return list.error();
  std::vector<checkin_view> out;
  for (const auto& m : *list) {
    if (m.kind != proto::message_kind::checkin || m.state == "revoked") continue;
    checkin_view c;
    c.message = m.message;
    c.to = m.to;
    c.due_at = m.release_at;
    c.released_at = m.released_at;
    const auto answer = std::find_if(list->begin(), list->end(), [&](const message_summary& a) {
      return a.kind == proto::message_kind::note && a.answers == m.message && a.state != "revoked";
    });
    if (answer != list->end()) c.answer = answer->message;
    c.state = c.answer ? "answered" : m.released_at ? "open" : "scheduled";
    out.push_back(std::move(c));
  }
  return out;
}

result<proto::id> account::answer_checkin(const proto::id& case_id, const proto::id& checkin, std::string_view text) {
  auto open = checkins(case_id);
  if (!open) return open.error();
  const auto c = std::find_if(open->begin(), open->end(), [&](const checkin_view& x) { return x.message == checkin; });
  if (c == open->end() || c->state == "scheduled") {
    return make_error(errc::not_found, "No check-in like that has reached you in this case.");
  }
  draft dr;
  dr.content = document::text(text);
  dr.kind = proto::message_kind::note;
  dr.answers = checkin;
  return send(case_id, dr);
}

}  // namespace shuttle::client
