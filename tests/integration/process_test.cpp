// The relay's rules for the rest of the process, over the real protocol: a
// party's grant to its supporter and the wraps that make it readable, case
// labels sealed to facilitators, quiet hours, and replies.
#include "client-lib/referral.hpp"
#include "client-lib/review.hpp"
#include "proto/agreement.hpp"
#include "proto/checkin.hpp"
#include "client-lib/statements.hpp"
#include "tests/integration/world.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

namespace shuttle::testing {
namespace {

using proto::role;

// A signed grant from `party` for `supporter`.
json::object grant_body(actor& party, const proto::id& case_id, const actor& supporter, bool reads) {
  proto::grant g;
  g.header = client::header_for(case_id);
  g.subject = supporter.identity.public_key();
  g.reads = reads;
  return json::object{{"grant", as_json(*client::sign(g, party.identity))}};
}

// A letter sealed for exactly these readers (besides the sender).
world::sent send_to_readers(world& w, actor& from, const proto::id& case_id, role to,
                            std::vector<client::reader_key> readers, const std::string& text) {
  client::letter_draft draft;
  draft.header = client::header_for(case_id);
  draft.to = to;
  auto sealed = client::seal_letter(from.identity, from.case_key, draft, readers, client::document::text(text));
  EXPECT_TRUE(sealed) << sealed.error().message();
  return {w.post_letter(from, case_id, sealed->envelope, sealed->ciphertext), sealed->envelope, sealed->ciphertext};
}

TEST(Grants, ASupporterReadsWhatTheGrantWrapsAndNothingOnceItEnds) {
  exchange x;
  actor hs = x.w.party(x.f, x.case_id, role::harmed_support);
  auto grants = world::case_path(x.case_id, "/grants");
  EXPECT_EQ(x.w.http.post(grants, grant_body(x.r, x.case_id, hs, true), x.r.token).status, 400u);  // not their supporter
  EXPECT_EQ(x.w.http.post(grants, grant_body(hs, x.case_id, x.h, true), hs.token).status, 403u);   // not a party
  auto granted = x.w.http.post(grants, grant_body(x.h, x.case_id, hs, true), x.h.token);
  ASSERT_EQ(granted.status, 200u) << granted.text;
  EXPECT_EQ(granted.body.at("reads"), true);
  auto detail = x.w.http.get(world::case_path(x.case_id), x.r.token);
  ASSERT_EQ(detail.body.at("grants").as_array().size(), 1u);

  // The roster accepts it (signed by an attested party, for its attested supporter).
  auto roster = x.w.roster(x.case_id, x.h, x.pin);
  ASSERT_TRUE(roster.add_grant(*proto::parse_statement<proto::grant>(detail.body.at("grants").at(0))));
  auto supporters = roster.supporters_of(x.h.identity.public_key());
  ASSERT_EQ(supporters.size(), 1u);

  // A letter from the harmed party must now be wrapped for the supporter too.
  auto without = x.w.send(x.h, x.case_id, x.pin, role::responsible, "no wrap for the supporter");
  EXPECT_EQ(without.answer.status, 400u);
  EXPECT_EQ(without.answer.body.at("error"), "wraps_mismatch");
  auto readers = roster.facilitator_readers();
  readers.push_back(supporters.front());
  auto sent = send_to_readers(x.w, x.h, x.case_id, role::responsible, readers, "for my supporter too");
  ASSERT_EQ(sent.answer.status, 200u) << sent.answer.text;
  auto fetched = x.w.fetch(hs, x.case_id, sent.id());
  ASSERT_EQ(fetched.status, 200u) << fetched.text;
  EXPECT_TRUE(client::unwrap_for(sent.envelope.wraps, sent.id(), hs.identity, hs.case_key));
  // The responsible party's supporter, or anyone else, sees nothing of it.
  actor rs = x.w.party(x.f, x.case_id, role::responsible_support);
  EXPECT_EQ(x.w.fetch(rs, x.case_id, sent.id()).status, 404u);

  // The grant ends: the relay no longer hands the letter to the supporter.
  ASSERT_EQ(x.w.http.post(grants, grant_body(x.h, x.case_id, hs, false), x.h.token).status, 200u);
  EXPECT_EQ(x.w.fetch(hs, x.case_id, sent.id()).status, 404u);
  EXPECT_EQ(x.w.http.get(world::case_path(x.case_id, "/messages"), hs.token).body.at("messages").as_array().size(), 0u);
  EXPECT_EQ(x.w.send(x.h, x.case_id, x.pin, role::responsible, "only the facilitators now").answer.status, 200u);
}

TEST(Grants, ASupporterWritesOnlyToTheFacilitators) {
  exchange x;
  actor hs = x.w.party(x.f, x.case_id, role::harmed_support);
  auto letter = x.w.send(hs, x.case_id, x.pin, role::responsible, "to the other party");
  EXPECT_EQ(letter.answer.status, 403u);
  EXPECT_EQ(letter.answer.body.at("error"), "not_a_party");
  auto note = x.w.send(hs, x.case_id, x.pin, role::facilitator, "to the facilitators", proto::message_kind::note);
  EXPECT_EQ(note.answer.status, 200u) << note.answer.text;
  EXPECT_EQ(x.w.fetch(x.f, x.case_id, note.id()).status, 200u);
  EXPECT_EQ(x.w.fetch(x.h, x.case_id, note.id()).status, 404u);
  // A party's words to the facilitators reach them alone, not even the party's own supporter.
  auto words = x.w.send(x.h, x.case_id, x.pin, role::facilitator, "a party's note", proto::message_kind::note);
  ASSERT_EQ(words.answer.status, 200u) << words.answer.text;
  EXPECT_EQ(x.w.fetch(x.f, x.case_id, words.id()).status, 200u);
  EXPECT_EQ(x.w.fetch(hs, x.case_id, words.id()).status, 404u);
}

TEST(Replies, AReplyAnswersALetterItsWriterReceived) {
  exchange x;
  auto letter = x.w.send(x.h, x.case_id, x.pin, role::responsible, "the first letter");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, letter.id()).status, 200u);
  auto r = x.w.roster(x.case_id, x.r, x.pin);
  auto reply_to = [&](actor& from, role to, const proto::id& answered) {
    client::letter_draft draft;
    draft.header = client::header_for(x.case_id);
    draft.kind = proto::message_kind::reply;
    draft.to = to;
    draft.answers = answered;
    auto sealed = client::seal_letter(from.identity, from.case_key, draft, r.facilitator_readers(),
                                      client::document::text("a reply"));
    return x.w.post_letter(from, x.case_id, sealed->envelope, sealed->ciphertext);
  };
  EXPECT_EQ(reply_to(x.h, role::responsible, letter.id()).body.at("error"), "bad_answers");  // their own letter
  auto ok = reply_to(x.r, role::harmed, letter.id());
  ASSERT_EQ(ok.status, 200u) << ok.text;
  const auto reply_id = world::decode<16>(ok.body.at("message"));
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, reply_id).status, 200u);
  auto got = x.w.fetch(x.h, x.case_id, reply_id);
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(got.body.at("answers"), b64(letter.id()));
  EXPECT_EQ(got.body.at("kind"), "reply");
}

TEST(CaseSettings, ALabelIsSealedToFacilitatorsOnly) {
  exchange x;
  auto r = x.w.roster(x.case_id, x.f, x.pin);
  auto sealed = client::seal_note({"label", std::nullopt, "Drammen, March"}, x.case_id, x.f.case_key.public_key());
  ASSERT_TRUE(sealed);
  json::array copies{json::object{{"reader", b64(x.f.identity.public_key())}, {"box", proto::base64url_encode(sealed->box)}}};
  auto set = x.w.http.post(world::case_path(x.case_id, "/label"), json::object{{"label", copies}}, x.f.token);
  ASSERT_EQ(set.status, 200u) << set.text;
  auto detail = x.w.http.get(world::case_path(x.case_id), x.f.token);
  ASSERT_TRUE(detail.body.as_object().contains("label"));
  auto box = proto::base64url_decode(std::string(detail.body.at("label").as_string()));
  auto opened = client::open_note({*box}, x.case_id, "label", x.f.case_key);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->text, "Drammen, March");
  EXPECT_FALSE(x.w.http.get(world::case_path(x.case_id), x.h.token).body.as_object().contains("label"));
  auto cases = x.w.http.get("/v1/cases", x.f.token);
  EXPECT_TRUE(cases.body.at("cases").at(0).as_object().contains("label"));

  // Sealed to a party: refused; set by a party: refused.
  json::array to_party{json::object{{"reader", b64(x.h.identity.public_key())}, {"box", proto::base64url_encode(sealed->box)}}};
  EXPECT_EQ(x.w.http.post(world::case_path(x.case_id, "/label"), json::object{{"label", to_party}}, x.f.token).status, 400u);
  EXPECT_EQ(x.w.http.post(world::case_path(x.case_id, "/label"), json::object{{"label", copies}}, x.h.token).status, 403u);
}

TEST(CaseSettings, QuietHoursAreTheFacilitatorsToSetAndHoldAnApprovedRelease) {
  exchange x;
  auto path = world::case_path(x.case_id, "/quiet-hours");
  const json::object all_day{{"time_zone", "Europe/Oslo"}, {"start", "00:00"}, {"end", "23:59"}};
  EXPECT_EQ(x.w.http.post(path, all_day, x.h.token).status, 403u);
  EXPECT_EQ(x.w.http.post(path, json::object{{"time_zone", "Mars/Olympus"}, {"start", "22:00"}, {"end", "07:00"}},
                          x.f.token).status, 400u);
  EXPECT_EQ(x.w.http.post(path, json::object{{"time_zone", "UTC"}, {"start", "7:00"}, {"end", "08:00"}}, x.f.token).status,
            400u);
  auto set = x.w.http.post(path, all_day, x.f.token);
  ASSERT_EQ(set.status, 200u) << set.text;
  EXPECT_EQ(x.w.http.get(world::case_path(x.case_id), x.h.token).body.at("quiet_hours").at("time_zone"), "Europe/Oslo");

  // Almost all day quiet: an approval now waits for 23:59 Oslo time.
  auto letter = x.w.send(x.h, x.case_id, x.pin, role::responsible, "held");
  auto approved = x.w.approve(x.f, x.case_id, x.pin, letter.id());
  ASSERT_EQ(approved.status, 200u) << approved.text;
  if (approved.body.at("state") == "in_review") {  // not approved in the one quiet-free minute
    EXPECT_EQ(approved.body.at("quiet_hours"), true);
    EXPECT_GT(approved.body.at("release_at").as_int64(), static_cast<std::int64_t>(std::time(nullptr)));
    EXPECT_EQ(x.w.fetch(x.r, x.case_id, letter.id()).status, 404u);
  }
  // Removed: start equal to end.
  auto none = x.w.http.post(path, json::object{{"time_zone", "UTC"}, {"start", "08:00"}, {"end", "08:00"}}, x.f.token);
  EXPECT_EQ(none.status, 200u);
  EXPECT_FALSE(x.w.http.get(world::case_path(x.case_id), x.f.token).body.as_object().contains("quiet_hours"));
}

// A note sealed for exactly these readers (besides the sender).
world::sent note_to(world& w, actor& from, const proto::id& case_id, role to, std::vector<client::reader_key> readers,
                    const std::string& text) {
  client::letter_draft draft;
  draft.header = client::header_for(case_id);
  draft.kind = proto::message_kind::note;
  draft.to = to;
  auto sealed = client::seal_letter(from.identity, from.case_key, draft, readers, client::document::text(text));
  EXPECT_TRUE(sealed) << sealed.error().message();
  return {w.post_letter(from, case_id, sealed->envelope, sealed->ciphertext), sealed->envelope, sealed->ciphertext};
}

TEST(Notes, AFacilitatorWritesToOnePartyUnreviewedAndOnlyThatPartyReadsIt) {
  exchange x;
  actor hs = x.w.party(x.f, x.case_id, role::harmed_support);
  auto roster = x.w.roster(x.case_id, x.f, x.pin);
  auto readers = roster.facilitator_readers();
  const client::reader_key harmed{x.h.identity.public_key(), x.h.case_key.public_key()};

  // Wrapped for the facilitators alone, it would not reach her: refused.
  auto unwrapped = note_to(x.w, x.f, x.case_id, role::harmed, readers, "for her");
  EXPECT_EQ(unwrapped.answer.status, 400u);
  EXPECT_EQ(unwrapped.answer.body.at("error"), "wraps_mismatch");
  readers.push_back(harmed);
  auto sent = note_to(x.w, x.f, x.case_id, role::harmed, readers, "Shall we meet on Tuesday?");
  ASSERT_EQ(sent.answer.status, 200u) << sent.answer.text;
  EXPECT_EQ(sent.answer.body.at("state"), "released");
  // She fetches it (delivered) and opens it from the envelope's own wrap; no approval is needed.
  auto fetched = x.w.fetch(x.h, x.case_id, sent.id());
  ASSERT_EQ(fetched.status, 200u) << fetched.text;
  EXPECT_EQ(fetched.body.at("approvals").as_array().size(), 0u);
  EXPECT_TRUE(client::unwrap_for(sent.envelope.wraps, sent.id(), x.h.identity, x.h.case_key));
  // The other party and her supporter see nothing of it; she cannot decline it.
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, sent.id()).status, 404u);
  EXPECT_EQ(x.w.fetch(hs, x.case_id, sent.id()).status, 404u);
  auto declined = x.w.http.post(world::message_path(x.case_id, sent.id(), "/decline"), json::object{}, x.h.token);
  EXPECT_EQ(declined.status, 409u);
  EXPECT_EQ(declined.body.at("error"), "not_available");

  // A party writes notes to the facilitators only; the other party never sees them.
  auto to_her = note_to(x.w, x.r, x.case_id, role::harmed, readers, "to her directly");
  EXPECT_EQ(to_her.answer.status, 400u);
  EXPECT_EQ(to_her.answer.body.at("error"), "wrong_recipient");
  auto words = x.w.send(x.r, x.case_id, x.pin, role::facilitator, "Can we talk first?", proto::message_kind::note);
  ASSERT_EQ(words.answer.status, 200u) << words.answer.text;
  EXPECT_EQ(words.answer.body.at("state"), "in_review");
  EXPECT_EQ(x.w.fetch(x.f, x.case_id, words.id()).status, 200u);
  EXPECT_EQ(x.w.fetch(x.h, x.case_id, words.id()).status, 404u);
  EXPECT_EQ(x.w.http.get("/v1/queue", x.f.token).body.at("queue").as_array().size(), 0u);
}

// An outcome agreement from `from`, sealed for these readers (SPEC 6.6).
world::sent agreement_to(world& w, actor& from, const proto::id& case_id, std::vector<client::reader_key> readers,
                         const proto::agreement_document& d) {
  client::letter_draft draft;
  draft.header = client::header_for(case_id);
  draft.kind = proto::message_kind::agreement;
  draft.to = role::facilitator;
  client::document doc;
  doc.content_type = std::string(proto::agreement_content_type);
  const std::string body = proto::agreement_body(d);
  doc.body.assign(body.begin(), body.end());
  auto sealed = client::seal_letter(from.identity, from.case_key, draft, readers, doc);
  EXPECT_TRUE(sealed) << sealed.error().message();
  return {w.post_letter(from, case_id, sealed->envelope, sealed->ciphertext), sealed->envelope, sealed->ciphertext};
}

proto::hash hash_of(const proto::id& case_id, const world::sent& a, const proto::agreement_document& d) {
  return proto::agreement_hash(case_id, a.id(), proto::agreement_body(d));
}

reply sign_agreement(world& w, actor& who, const proto::id& case_id, const proto::id& message, const proto::hash& h) {
  proto::agreement_signature s;
  s.header = client::header_for(case_id);
  s.message_id = message;
  s.agreement_hash = h;
  return w.http.post(world::case_path(case_id, "/agreement/signatures"),
                     json::object{{"signature", as_json(*client::sign(s, who.identity))}}, who.token);
}

reply mark_item(world& w, actor& who, const proto::id& case_id, const proto::id& message, const proto::hash& h,
                std::uint64_t item) {
  proto::agreement_mark m;
  m.header = client::header_for(case_id);
  m.message_id = message;
  m.agreement_hash = h;
  m.item = item;
  m.done = true;
  return w.http.post(world::case_path(case_id, "/agreement/marks"),
                     json::object{{"mark", as_json(*client::sign(m, who.identity))}}, who.token);
}

TEST(Agreements, TheRelayBindsOnlyWhenEveryPartyAndFacilitatorSignedOneText) {
  exchange x;
  actor hs = x.w.party(x.f, x.case_id, role::harmed_support);
  auto roster = x.w.roster(x.case_id, x.f, x.pin);
  auto facilitators = roster.facilitator_readers();
  auto everyone = facilitators;
  everyone.push_back({x.h.identity.public_key(), x.h.case_key.public_key()});
  everyone.push_back({x.r.identity.public_key(), x.r.case_key.public_key()});
  proto::agreement_document d{{{"Pay for the fence", "Jonas", "by 31 January", "Mia tells the facilitators"}}};
  const auto agreement_path = world::case_path(x.case_id, "/agreement");
  EXPECT_FALSE(x.w.http.get(agreement_path, x.h.token).body.as_object().contains("agreement"));

  // Only a facilitator writes it, and for both parties.
  auto from_party = agreement_to(x.w, x.h, x.case_id, everyone, d);
  EXPECT_EQ(from_party.answer.status, 403u);
  EXPECT_EQ(from_party.answer.body.at("error"), "not_a_facilitator");
  auto for_facilitators = agreement_to(x.w, x.f, x.case_id, facilitators, d);
  EXPECT_EQ(for_facilitators.answer.status, 400u);
  EXPECT_EQ(for_facilitators.answer.body.at("error"), "wraps_mismatch");
  auto first = agreement_to(x.w, x.f, x.case_id, everyone, d);
  ASSERT_EQ(first.answer.status, 200u) << first.answer.text;
  EXPECT_EQ(first.answer.body.at("state"), "released");
  // Both parties fetch it at once from its own wraps; a supporter does not; no receipt, no declining.
  for (actor* p : {&x.h, &x.r}) {
    auto fetched = x.w.fetch(*p, x.case_id, first.id());
    ASSERT_EQ(fetched.status, 200u) << fetched.text;
    EXPECT_EQ(fetched.body.at("state"), "released");
    EXPECT_TRUE(client::unwrap_for(first.envelope.wraps, first.id(), p->identity, p->case_key));
  }
  EXPECT_EQ(x.w.fetch(hs, x.case_id, first.id()).status, 404u);
  for (const char* step : {"/receipt", "/decline"}) {
    auto refused = x.w.http.post(world::message_path(x.case_id, first.id(), step), json::object{}, x.h.token);
    EXPECT_EQ(refused.status, 409u) << step;
    EXPECT_EQ(refused.body.at("error"), "not_available") << step;
  }
  auto shown = x.w.http.get(agreement_path, x.r.token);
  ASSERT_EQ(shown.status, 200u) << shown.text;
  EXPECT_EQ(shown.body.at("agreement").at("message").as_string(), proto::base64url_encode(first.id()));

  // A second version replaces the first: the first can no longer be signed.
  d.items.push_back({"Write to Mia about what has changed", "Jonas", "within three months", "the facilitators review it"});
  auto second = agreement_to(x.w, x.f, x.case_id, everyone, d);
  ASSERT_EQ(second.answer.status, 200u) << second.answer.text;
  EXPECT_EQ(x.w.http.get(agreement_path, x.h.token).body.at("agreement").at("message").as_string(),
            proto::base64url_encode(second.id()));
  auto old = sign_agreement(x.w, x.h, x.case_id, first.id(), hash_of(x.case_id, first, {{d.items.front()}}));
  EXPECT_EQ(old.status, 409u);
  EXPECT_EQ(old.body.at("error"), "agreement_superseded");
  auto by_supporter = sign_agreement(x.w, hs, x.case_id, second.id(), hash_of(x.case_id, second, d));
  EXPECT_EQ(by_supporter.status, 403u);
  EXPECT_EQ(by_supporter.body.at("error"), "not_a_party");
  auto too_early = mark_item(x.w, x.f, x.case_id, second.id(), hash_of(x.case_id, second, d), 1);
  EXPECT_EQ(too_early.status, 409u);
  EXPECT_EQ(too_early.body.at("error"), "agreement_not_bound");

  // Signatures over differing texts never bind.
  const auto h2 = hash_of(x.case_id, second, d);
  auto by_her = sign_agreement(x.w, x.h, x.case_id, second.id(), h2);
  ASSERT_EQ(by_her.status, 200u) << by_her.text;
  EXPECT_EQ(by_her.body.at("bound"), false);
  auto twice = sign_agreement(x.w, x.h, x.case_id, second.id(), h2);
  EXPECT_EQ(twice.status, 409u);
  EXPECT_EQ(twice.body.at("error"), "already_signed");
  proto::hash other = h2;
  other[0] ^= 1;
  EXPECT_EQ(sign_agreement(x.w, x.r, x.case_id, second.id(), other).body.at("bound"), false);
  EXPECT_EQ(sign_agreement(x.w, x.f, x.case_id, second.id(), h2).body.at("bound"), false);

  // A third version, signed by everyone over one text, binds.
  d.items.back().by = "within four months";
  auto third = agreement_to(x.w, x.f, x.case_id, everyone, d);
  ASSERT_EQ(third.answer.status, 200u) << third.answer.text;
  const auto h3 = hash_of(x.case_id, third, d);
  EXPECT_EQ(sign_agreement(x.w, x.r, x.case_id, third.id(), h3).body.at("bound"), false);
  EXPECT_EQ(sign_agreement(x.w, x.h, x.case_id, third.id(), h3).body.at("bound"), false);
  auto last = sign_agreement(x.w, x.f, x.case_id, third.id(), h3);
  ASSERT_EQ(last.status, 200u) << last.text;
  EXPECT_EQ(last.body.at("bound"), true);
  auto after = sign_agreement(x.w, x.h, x.case_id, third.id(), h3);
  EXPECT_EQ(after.status, 409u);
  EXPECT_EQ(after.body.at("error"), "agreement_bound");
  proto::revoke rv;
  rv.header = client::header_for(x.case_id);
  rv.message_id = third.id();
  auto taken_back = x.w.http.post(world::message_path(x.case_id, third.id(), "/revoke"),
                                  json::object{{"revoke", as_json(*client::sign(rv, x.f.identity))}}, x.f.token);
  EXPECT_EQ(taken_back.status, 409u);
  EXPECT_EQ(taken_back.body.at("error"), "agreement_bound");

  // Marks: the facilitators', with the hash it bound with, and everyone sees them.
  auto wrong = mark_item(x.w, x.f, x.case_id, third.id(), h2, 1);
  EXPECT_EQ(wrong.status, 400u);
  EXPECT_EQ(wrong.body.at("error"), "wrong_agreement_hash");
  auto marked = mark_item(x.w, x.f, x.case_id, third.id(), h3, 1);
  ASSERT_EQ(marked.status, 200u) << marked.text;
  auto bound = x.w.http.get(agreement_path, x.h.token).body.at("agreement");
  EXPECT_EQ(bound.at("agreement_hash").as_string(), proto::base64url_encode(h3));
  EXPECT_TRUE(bound.as_object().contains("bound_at"));
  EXPECT_EQ(bound.at("signatures").as_array().size(), 3u);
  EXPECT_EQ(bound.at("marks").as_array().size(), 1u);

  // The trail records each signature, the binding and the mark; nothing of the text.
  auto trail = x.w.http.get(world::case_path(x.case_id, "/audit"), x.f.token);
  ASSERT_EQ(trail.status, 200u);
  std::map<std::string, int> events;
  for (const auto& e : trail.body.at("entries").as_array()) ++events[std::string(e.at("event").as_string())];
  EXPECT_EQ(events["agreement_signed"], 6);
  EXPECT_EQ(events["agreement_bound"], 1);
  EXPECT_EQ(events["item_marked"], 1);
  EXPECT_EQ(trail.text.find("fence"), std::string::npos);
}

// A check-in for `to`, sealed for the facilitators and that party, due at
// `due_at`; `schedule` false sends it without its checkin statement.
world::sent checkin_for(world& w, actor& from, const proto::id& case_id, role to, std::vector<client::reader_key> readers,
                        std::uint64_t due_at, bool schedule = true, proto::message_kind kind = proto::message_kind::checkin) {
  client::letter_draft draft;
  draft.header = client::header_for(case_id);
  draft.kind = kind;
  draft.to = to;
  client::document doc;
  doc.content_type = std::string(proto::checkin_content_type);
  const std::string body = proto::checkin_body({"How are things since the agreement?", {"Victim support: 116 006"}});
  doc.body.assign(body.begin(), body.end());
  auto sealed = client::seal_letter(from.identity, from.case_key, draft, readers, doc);
  EXPECT_TRUE(sealed) << sealed.error().message();
  json::object post{{"envelope", as_json(sealed->envelope)}, {"ciphertext", proto::base64url_encode(sealed->ciphertext)}};
  if (schedule) {
    proto::checkin c;
    c.header = client::header_for(case_id);
    c.message_id = sealed->envelope.header.statement_id;
    c.due_at = due_at;
    post["checkin"] = as_json(*client::sign(c, from.identity));
  }
  return {w.http.post(world::case_path(case_id, "/messages"), post, from.token), sealed->envelope, sealed->ciphertext};
}

reply close_case(world& w, actor& f, const proto::id& case_id, bool anyway) {
  proto::close c;
  c.header = client::header_for(case_id);
  json::object body{{"close", as_json(*client::sign(c, f.identity))}};
  if (anyway) body["close_open_checkins"] = true;
  return w.http.post(world::case_path(case_id, "/close"), body, f.token);
}

TEST(Checkins, ACheckInReachesItsPartyAtItsTimeIsAnsweredAndHoldsTheCaseOpenUntilThen) {
  exchange x;
  auto roster = x.w.roster(x.case_id, x.f, x.pin);
  auto readers = roster.facilitator_readers();
  readers.push_back({x.h.identity.public_key(), x.h.case_key.public_key()});
  const auto now = static_cast<std::uint64_t>(std::time(nullptr));

  // Only a facilitator schedules one, always with its time, and only a check-in comes with one.
  auto from_party = checkin_for(x.w, x.r, x.case_id, role::harmed, readers, now + 2);
  EXPECT_EQ(from_party.answer.status, 403u);
  auto unscheduled = checkin_for(x.w, x.f, x.case_id, role::harmed, readers, now + 2, false);
  EXPECT_EQ(unscheduled.answer.status, 400u);
  EXPECT_EQ(unscheduled.answer.body.at("error"), "bad_checkin");
  auto note_with_time = checkin_for(x.w, x.f, x.case_id, role::harmed, readers, now + 2, true, proto::message_kind::note);
  EXPECT_EQ(note_with_time.answer.body.at("error"), "bad_checkin");

  auto sent = checkin_for(x.w, x.f, x.case_id, role::harmed, readers, now + 2);
  ASSERT_EQ(sent.answer.status, 200u) << sent.answer.text;
  EXPECT_EQ(sent.answer.body.at("state"), "in_review");
  // Not hers before its time, never the other party's, not in the review queue.
  EXPECT_EQ(x.w.fetch(x.h, x.case_id, sent.id()).status, 404u);
  EXPECT_EQ(x.w.http.get("/v1/queue", x.f.token).body.at("queue").as_array().size(), 0u);
  // The case stays open while it is.
  auto refused = close_case(x.w, x.f, x.case_id, false);
  EXPECT_EQ(refused.status, 409u);
  EXPECT_EQ(refused.body.at("error"), "checkins_open");
  bool reached = false;
  for (int i = 0; i < 40 && !reached; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    reached = x.w.fetch(x.h, x.case_id, sent.id()).status == 200;
  }
  ASSERT_TRUE(reached) << "the check-in did not reach her at its time";
  EXPECT_TRUE(client::unwrap_for(sent.envelope.wraps, sent.id(), x.h.identity, x.h.case_key));
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, sent.id()).status, 404u);
  auto declined = x.w.http.post(world::message_path(x.case_id, sent.id(), "/decline"), json::object{}, x.h.token);
  EXPECT_EQ(declined.status, 409u);

  // She answers it with a note to the facilitators; the other party cannot answer hers.
  auto answer_from = [&](actor& who) {
    client::letter_draft draft;
    draft.header = client::header_for(x.case_id);
    draft.kind = proto::message_kind::note;
    draft.to = role::facilitator;
    draft.answers = sent.id();
    auto sealed = client::seal_letter(who.identity, who.case_key, draft, roster.facilitator_readers(),
                                      client::document::text("Better. The fence is mended."));
    return x.w.post_letter(who, x.case_id, sealed->envelope, sealed->ciphertext);
  };
  auto not_his = answer_from(x.r);
  EXPECT_EQ(not_his.status, 400u);
  EXPECT_EQ(not_his.body.at("error"), "bad_answers");
  auto answered = answer_from(x.h);
  ASSERT_EQ(answered.status, 200u) << answered.text;
  EXPECT_EQ(close_case(x.w, x.f, x.case_id, false).status, 200u);  // nothing open now

  auto trail = x.w.http.get(world::case_path(x.case_id, "/audit"), x.f.token);
  EXPECT_NE(trail.text.find("checkin_scheduled"), std::string::npos);
}

TEST(Checkins, AFacilitatorClosesACaseWithACheckInOpenOnlyBySayingSo) {
  exchange x;
  auto roster = x.w.roster(x.case_id, x.f, x.pin);
  auto readers = roster.facilitator_readers();
  readers.push_back({x.r.identity.public_key(), x.r.case_key.public_key()});
  const auto later = static_cast<std::uint64_t>(std::time(nullptr)) + 30 * 86400;
  ASSERT_EQ(checkin_for(x.w, x.f, x.case_id, role::responsible, readers, later).answer.status, 200u);
  EXPECT_EQ(close_case(x.w, x.f, x.case_id, false).status, 409u);
  auto closed = close_case(x.w, x.f, x.case_id, true);
  EXPECT_EQ(closed.status, 200u) << closed.text;
}

// A directory with the service's consent text in English and Norwegian.
std::filesystem::path consent_dir(const std::string& english) {
  const auto dir = std::filesystem::temp_directory_path() / ("shuttle-consent-" + proto::base64url_encode(client::new_id()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "en.txt") << english;
  std::ofstream(dir / "nb.txt") << "Alt som blir sagt i saken, blir mellom dem som er med.\n";
  return dir;
}

TEST(Consent, EachPartyAgreesToTheServicesTextAndTheFacilitatorsSeeWhichVersion) {
  const auto dir = consent_dir("What is said in this case stays between the people in it.\n");
  exchange x(1, {"--consent-dir", dir.string()});
  // The texts are offered when an invitation is opened; world::enrol agreed to the first (English).
  auto texts = x.w.http.get("/v1/consent", x.h.token);
  ASSERT_EQ(texts.status, 200u) << texts.text;
  const auto offers = client::parse_consent_offers(texts.body);
  ASSERT_TRUE(offers);
  ASSERT_EQ(offers->size(), 2u);
  EXPECT_EQ(offers->front().language, "en");
  auto detail = x.w.http.get(world::case_path(x.case_id), x.f.token);
  std::size_t agreed = 0;
  for (const auto& p : detail.body.at("participants").as_array()) {
    if (p.at("role") == "facilitator") {
      EXPECT_FALSE(p.as_object().contains("consent"));  // the service's business, not Shuttle's
      continue;
    }
    EXPECT_EQ(p.at("consent_current"), true);
    EXPECT_EQ(p.at("consent_language"), "en");
    auto k = proto::parse_statement<proto::consent>(p.at("consent"));
    ASSERT_TRUE(k);
    EXPECT_TRUE(proto::verify_signature(*k));
    EXPECT_EQ(k->text_hash, offers->front().text_hash);
    ++agreed;
  }
  EXPECT_EQ(agreed, 2u);

  // Without agreeing, or agreeing to another text, nobody joins.
  actor s;
  const auto code_text = x.w.invite(x.f, x.case_id, role::harmed_support);
  auto code = proto::parse_invitation_code(code_text);
  json::object body{{"enrolment", as_json(*client::make_enrolment(s.identity, *code))},
                    {"secret", proto::base64url_encode(code->secret)},
                    {"keys", as_json(*client::make_key_statement(s.identity, code->case_id, s.case_key))}};
  auto without = x.w.http.post("/v1/enrol", body);
  EXPECT_EQ(without.status, 400u);
  EXPECT_EQ(without.body.at("error"), "consent_required");
  proto::consent other;
  other.header = client::header_for(x.case_id);
  other.text_hash = proto::consent_text_hash("en", "another text");
  body["consent"] = as_json(*client::sign(other, s.identity));
  auto outdated = x.w.http.post("/v1/enrol", body);
  EXPECT_EQ(outdated.status, 409u);
  EXPECT_EQ(outdated.body.at("error"), "consent_outdated");

  // The service changes its text: the facilitators see an earlier version; she agrees to the new one.
  std::ofstream(dir / "en.txt") << "What is said in this case stays between the people in it, unless someone is in danger.\n";
  x.w.restart_relay();
  x.w.login(x.f);
  x.w.login(x.h);
  auto later = x.w.http.get(world::case_path(x.case_id), x.f.token);
  for (const auto& p : later.body.at("participants").as_array()) {
    if (p.at("role") != "facilitator") EXPECT_EQ(p.at("consent_current"), false);
  }
  const auto offered_now = x.w.http.get("/v1/consent", x.h.token);
  ASSERT_EQ(offered_now.status, 200u) << offered_now.text;
  const auto now_offered = client::parse_consent_offers(offered_now.body);
  ASSERT_TRUE(now_offered) << now_offered.error().message() << offered_now.text;
  proto::consent again;
  again.header = client::header_for(x.case_id);
  again.text_hash = now_offered->front().text_hash;
  auto agreed_again = x.w.http.post(world::case_path(x.case_id, "/consent"),
                                    json::object{{"consent", as_json(*client::sign(again, x.h.identity))}}, x.h.token);
  ASSERT_EQ(agreed_again.status, 200u) << agreed_again.text;
  EXPECT_EQ(x.w.http.post(world::case_path(x.case_id, "/consent"),
                          json::object{{"consent", as_json(*client::sign(other, x.h.identity))}}, x.h.token).status,
            409u);
  auto trail = x.w.http.get(world::case_path(x.case_id, "/audit"), x.f.token);
  std::size_t consented = 0;
  const auto entries = trail.body;
  for (const auto& e : entries.at("entries").as_array()) consented += e.at("event") == "consented";
  EXPECT_EQ(consented, 3u);
  std::filesystem::remove_all(dir);
}

TEST(WritingAids, AFacilitatorSealsNamesAndPromptsToOnePartyAndOnlyThatPartyHasThem) {
  exchange x;
  auto path = world::case_path(x.case_id, "/writing-aids");
  auto sealed = [&](const actor& to, const std::string& purpose, const std::string& text) {
    auto box = client::seal_note({purpose, std::nullopt, text}, x.case_id, to.case_key.public_key());
    EXPECT_TRUE(box);
    return json::object{{"reader", proto::base64url_encode(to.identity.public_key())},
                        {"box", proto::base64url_encode(box->box)}};
  };
  // Only to a party, once each.
  auto to_facilitator = x.w.http.post(path, json::object{{"purpose", "names"}, {"aids", json::array{sealed(x.f, "names", "x")}}},
                                      x.f.token);
  EXPECT_EQ(to_facilitator.status, 400u);
  EXPECT_EQ(to_facilitator.body.at("error"), "wraps_mismatch");
  auto set = x.w.http.post(path, json::object{{"purpose", "names"}, {"aids", json::array{sealed(x.h, "names", "Kari\nStorgata 5")}}},
                           x.f.token);
  ASSERT_EQ(set.status, 200u) << set.text;
  ASSERT_EQ(x.w.http.post(path, json::object{{"purpose", "prompts"},
                                              {"aids", json::array{sealed(x.h, "prompts", "What happened?")}}},
                          x.f.token).status, 200u);
  // She opens hers; the other party has none, and the relay holds only sealed boxes.
  auto hers = x.w.http.get(world::case_path(x.case_id), x.h.token);
  ASSERT_TRUE(hers.body.as_object().contains("writing_aids"));
  proto::sealed_note names{*proto::base64url_decode(std::string(hers.body.at("writing_aids").at("names").as_string()))};
  auto opened = client::open_note(names, x.case_id, "names", x.h.case_key);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->text, "Kari\nStorgata 5");
  EXPECT_FALSE(client::open_note(names, x.case_id, "prompts", x.h.case_key));  // the purpose is bound
  EXPECT_FALSE(x.w.http.get(world::case_path(x.case_id), x.r.token).body.as_object().contains("writing_aids"));
  EXPECT_FALSE(x.w.http.get(world::case_path(x.case_id), x.f.token).body.as_object().contains("writing_aids"));
  // A closed case takes none.
  proto::close c;
  c.header = client::header_for(x.case_id);
  ASSERT_EQ(x.w.http.post(world::case_path(x.case_id, "/close"), json::object{{"close", as_json(*client::sign(c, x.f.identity))}},
                          x.f.token).status, 200u);
  EXPECT_EQ(x.w.http.post(path, json::object{{"purpose", "names"}, {"aids", json::array{sealed(x.h, "names", "y")}}},
                          x.f.token).status, 409u);
}

json::object stage_body(actor& by, const proto::id& case_id, proto::case_stage stage) {
  proto::stage_statement st;
  st.header = client::header_for(case_id);
  st.stage = stage;
  return json::object{{"stage", as_json(*client::sign(st, by.identity))}};
}

json::object pause_body(actor& by, const proto::id& case_id, bool paused) {
  proto::pause p;
  p.header = client::header_for(case_id);
  p.paused = paused;
  return json::object{{"pause", as_json(*client::sign(p, by.identity))}};
}

TEST(Stages, AFacilitatorSetsTheStageEveryoneSeesItSignedAndTheTrailRecordsIt) {
  exchange x;
  auto path = world::case_path(x.case_id, "/stage");
  auto detail = [&](actor& a) { return x.w.http.get(world::case_path(x.case_id), a.token).body; };
  EXPECT_EQ(detail(x.h).at("stage"), "referral");
  EXPECT_FALSE(detail(x.h).as_object().contains("stage_statement"));

  EXPECT_EQ(x.w.http.post(path, stage_body(x.h, x.case_id, proto::case_stage::exchange), x.h.token).status, 403u);
  EXPECT_EQ(x.w.http.post(path, stage_body(x.h, x.case_id, proto::case_stage::exchange), x.f.token).status, 403u);
  const auto body = stage_body(x.f, x.case_id, proto::case_stage::preparation);
  auto set = x.w.http.post(path, body, x.f.token);
  ASSERT_EQ(set.status, 200u) << set.text;
  EXPECT_EQ(set.body.at("stage"), "preparation");
  EXPECT_EQ(x.w.http.post(path, body, x.f.token).body, set.body);  // a resubmit answers the same
  auto seen = detail(x.r);
  EXPECT_EQ(seen.at("stage"), "preparation");
  auto statement = proto::parse_statement<proto::stage_statement>(seen.at("stage_statement"));
  ASSERT_TRUE(statement);
  EXPECT_TRUE(proto::verify_signature(*statement));
  EXPECT_EQ(statement->header.signer, x.f.identity.public_key());
  bool listed = false;
  const auto cases = x.w.http.get("/v1/cases", x.h.token).body;
  for (const auto& c : cases.at("cases").as_array()) {
    listed |= c.at("stage") == "preparation" && c.at("paused") == false;
  }
  EXPECT_TRUE(listed);

  // Back a stage is allowed: a process can return to preparation.
  ASSERT_EQ(x.w.http.post(path, stage_body(x.f, x.case_id, proto::case_stage::exchange), x.f.token).status, 200u);
  ASSERT_EQ(x.w.http.post(path, stage_body(x.f, x.case_id, proto::case_stage::preparation), x.f.token).status, 200u);
  auto trail = x.w.http.get(world::case_path(x.case_id, "/audit"), x.f.token);
  std::size_t stages = 0;
  const auto entries = trail.body;
  for (const auto& e : entries.at("entries").as_array()) stages += e.at("event") == "stage_set";
  EXPECT_EQ(stages, 3u);

  // A closed case keeps its stage and takes no new one.
  proto::close c;
  c.header = client::header_for(x.case_id);
  ASSERT_EQ(x.w.http.post(world::case_path(x.case_id, "/close"), json::object{{"close", as_json(*client::sign(c, x.f.identity))}},
                          x.f.token).status, 200u);
  EXPECT_EQ(x.w.http.post(path, stage_body(x.f, x.case_id, proto::case_stage::aftercare), x.f.token).status, 409u);
}

TEST(Stages, ThePersonHarmedPausesAndNothingIsReleasedUntilTheyResume) {
  exchange x;
  auto path = world::case_path(x.case_id, "/pause");
  auto refused = x.w.http.post(path, pause_body(x.r, x.case_id, true), x.r.token);
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(refused.body.at("error"), "not_harmed_party");
  EXPECT_EQ(x.w.http.post(path, pause_body(x.f, x.case_id, true), x.f.token).status, 403u);  // not a party's route
  auto paused = x.w.http.post(path, pause_body(x.h, x.case_id, true), x.h.token);
  ASSERT_EQ(paused.status, 200u) << paused.text;
  EXPECT_EQ(paused.body.at("paused"), true);
  EXPECT_EQ(x.w.http.get(world::case_path(x.case_id), x.r.token).body.at("paused"), true);

  // Letters both ways are reviewed and approved, and wait.
  auto to_r = x.w.send(x.h, x.case_id, x.pin, role::responsible, "while paused, to them");
  auto to_h = x.w.send(x.r, x.case_id, x.pin, role::harmed, "while paused, to her");
  for (const auto* m : {&to_r, &to_h}) {
    auto approved = x.w.approve(x.f, x.case_id, x.pin, m->id());
    ASSERT_EQ(approved.status, 200u) << approved.text;
    EXPECT_EQ(approved.body.at("state"), "in_review");
    EXPECT_EQ(approved.body.at("paused"), true);
  }
  auto queue = x.w.http.get("/v1/queue", x.f.token).body;
  EXPECT_EQ(queue.at("queue").as_array().size(), 0u);
  ASSERT_EQ(queue.at("scheduled").as_array().size(), 2u);
  EXPECT_EQ(queue.at("scheduled").at(0).at("case_paused"), true);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the release timer runs every second
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, to_r.id()).status, 404u);
  EXPECT_EQ(x.w.fetch(x.h, x.case_id, to_h.id()).status, 404u);

  // She resumes: both are released within a few seconds.
  ASSERT_EQ(x.w.http.post(path, pause_body(x.h, x.case_id, false), x.h.token).status, 200u);
  bool both = false;
  for (int i = 0; i < 40 && !both; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    both = x.w.fetch(x.r, x.case_id, to_r.id()).status == 200u && x.w.fetch(x.h, x.case_id, to_h.id()).status == 200u;
  }
  EXPECT_TRUE(both);
  auto trail = x.w.http.get(world::case_path(x.case_id, "/audit"), x.f.token);
  std::vector<std::string> events;
  for (const auto& e : trail.body.at("entries").as_array()) events.emplace_back(e.at("event").as_string());
  EXPECT_NE(std::find(events.begin(), events.end(), "paused"), events.end());
  EXPECT_NE(std::find(events.begin(), events.end(), "resumed"), events.end());

  // A closed case is neither paused nor resumed any more.
  proto::close c;
  c.header = client::header_for(x.case_id);
  ASSERT_EQ(x.w.http.post(world::case_path(x.case_id, "/close"), json::object{{"close", as_json(*client::sign(c, x.f.identity))}},
                          x.f.token).status, 200u);
  auto closed = x.w.http.post(path, pause_body(x.h, x.case_id, true), x.h.token);
  EXPECT_EQ(closed.status, 409u);
  EXPECT_EQ(closed.body.at("error"), "case_closed");
}


// A facilitator's signed referral key, as its client publishes it.
json::object referral_key_body(const actor& f) {
  proto::referral_key k;
  k.header = client::header_for(proto::null_case);
  k.key = client::referral_key_of(f.identity).public_key();
  return json::object{{"referral_key", as_json(*client::sign(k, f.identity))}};
}

// The relay's list of referral keys, as the public page reads it.
std::vector<proto::public_key> listed_keys(world& w) {
  auto keys = client::parse_referral_keys_answer(w.http.get("/v1/referrals/keys").body);
  EXPECT_TRUE(keys) << keys.error().message();
  std::vector<proto::public_key> out;
  for (const auto& k : *keys) out.push_back(k.key);
  return out;
}

TEST(Referrals, APersonWithNoAccountAsksToBeContactedAndOnlyTheFacilitatorsReadIt) {
  world w;
  actor f = w.facilitator();
  actor g = w.facilitator();
  // Before any facilitator set up to read them, there is no one to seal a request to.
  EXPECT_TRUE(listed_keys(w).empty());
  ASSERT_EQ(w.http.post("/v1/referral-key", referral_key_body(f), f.token).status, 200u);
  ASSERT_EQ(w.http.post("/v1/referral-key", referral_key_body(g), g.token).status, 200u);
  // A key signed by another than its sender is refused.
  auto forged = referral_key_body(f);
  EXPECT_EQ(w.http.post("/v1/referral-key", forged, g.token).status, 403u);
  const auto keys = listed_keys(w);
  ASSERT_EQ(keys.size(), 2u);

  proto::referral_document d{"en", "Someone broke into our flat in March. I would like to talk about it.",
                             "Call me on weekdays after five.", proto::role::harmed, std::nullopt};
  // Sealed to one facilitator only: refused, since every facilitator must be able to read it.
  auto partial = client::seal_referral(d, {keys[0]});
  auto refused = w.http.post("/v1/referrals", client::referral_request(partial));
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(refused.error(), "wraps_mismatch");

  const auto sealed = client::seal_referral(d, keys);
  auto sent = w.http.post("/v1/referrals", client::referral_request(sealed));
  ASSERT_EQ(sent.status, 200u) << sent.text;
  EXPECT_EQ(sent.body.at("state"), "received");
  EXPECT_EQ(w.http.post("/v1/referrals", client::referral_request(sealed)).status, 409u);
  EXPECT_FALSE(w.relay.stores("Someone broke into our flat"));

  // The receipt code shows where it is; a wrong secret answers as an unknown one.
  const auto status = [&](const proto::referral_code& code) {
    return w.http.post("/v1/referrals/status", json::object{{"referral", b64(code.referral)}, {"secret", b64(code.secret)}});
  };
  EXPECT_EQ(status(sealed.code).body.at("state"), "received");
  auto wrong = sealed.code;
  wrong.secret[0] ^= 1;
  auto unknown = sealed.code;
  unknown.referral = client::new_id();
  EXPECT_EQ(status(wrong).status, 404u);
  EXPECT_EQ(status(wrong).text, status(unknown).text);

  // Each facilitator opens it with its own key; a party of a case sees no referrals.
  auto list = w.http.get("/v1/referrals", g.token);
  ASSERT_EQ(list.status, 200u) << list.text;
  auto listed = client::parse_referrals_answer(list.body);
  ASSERT_TRUE(listed && listed->size() == 1u);
  ASSERT_TRUE(listed->front().wrap);
  auto opened = client::open_referral(listed->front().referral, listed->front().ciphertext, *listed->front().wrap,
                                      client::referral_key_of(g.identity));
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(*opened, d);
  EXPECT_FALSE(client::open_referral(listed->front().referral, listed->front().ciphertext, *listed->front().wrap,
                                     client::referral_key_of(f.identity)));

  // Contacted, with the case opened from it; then closed, and what it said is gone from the relay.
  const auto case_id = w.open_case(f);
  auto state = [&](actor& who, const char* word, std::optional<proto::id> c) {
    json::object body{{"referral", b64(sealed.code.referral)}, {"state", word}};
    if (c) body["case"] = b64(*c);
    return w.http.post("/v1/referrals/state", body, who.token);
  };
  EXPECT_EQ(state(g, "contacted", case_id).status, 404u) << "a case the caller does not facilitate";
  ASSERT_EQ(state(f, "contacted", case_id).status, 200u);
  EXPECT_EQ(status(sealed.code).body.at("state"), "contacted");
  EXPECT_EQ(w.http.get("/v1/referrals", g.token).body.at("referrals").at(0).at("case"), b64(case_id));
  EXPECT_EQ(state(g, "received", std::nullopt).status, 400u);
  ASSERT_EQ(state(g, "closed", std::nullopt).status, 200u);
  EXPECT_EQ(status(sealed.code).body.at("state"), "closed");
  EXPECT_TRUE(w.http.get("/v1/referrals", f.token).body.at("referrals").as_array().empty());
  EXPECT_EQ(state(f, "contacted", std::nullopt).error(), "referral_closed");
  EXPECT_FALSE(w.relay.stores(proto::base64url_encode(sealed.ciphertext).substr(0, 40)));
}

TEST(Referrals, AFacilitatorEntersOneOnSomeonesBehalfAndColleaguesSeeWhoDid) {
  world w;
  actor f = w.facilitator();
  actor g = w.facilitator();
  ASSERT_EQ(w.http.post("/v1/referral-key", referral_key_body(f), f.token).status, 200u);
  ASSERT_EQ(w.http.post("/v1/referral-key", referral_key_body(g), g.token).status, 200u);
  proto::referral_document d{"nb", "Sønnen min ble slått ned i fjor. Han vil gjerne møte den som gjorde det.",
                             "Ring Kari, 912 34 567", std::nullopt, std::string("Moren hans, Kari")};
  const auto sealed = client::seal_referral(d, listed_keys(w));
  auto entered = w.http.post("/v1/referrals/entered", client::referral_request(sealed), f.token);
  ASSERT_EQ(entered.status, 200u) << entered.text;
  auto listed = client::parse_referrals_answer(w.http.get("/v1/referrals", g.token).body);
  ASSERT_TRUE(listed && listed->size() == 1u);
  EXPECT_EQ(listed->front().entered_by, std::optional<proto::public_key>(f.identity.public_key()));
  auto opened = client::open_referral(listed->front().referral, listed->front().ciphertext, *listed->front().wrap,
                                      client::referral_key_of(g.identity));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->referrer, std::optional<std::string>("Moren hans, Kari"));
  // Anonymous callers cannot enter on anyone's behalf, nor list.
  EXPECT_EQ(w.http.post("/v1/referrals/entered", client::referral_request(sealed)).status, 401u);
  EXPECT_EQ(w.http.get("/v1/referrals").status, 401u);
}

TEST(Referrals, RequestsFromOneAddressAreRateLimited) {
  world w({"--address-burst", "6", "--address-per-minute", "1", "--account-write-burst", "100000"});
  actor f = w.facilitator();
  ASSERT_EQ(w.http.post("/v1/referral-key", referral_key_body(f), f.token).status, 200u);
  const auto keys = listed_keys(w);
  // Someone sending request after request, from another address than the facilitator's.
  https_client other(w.relay.port(), certificate_pin((w.relay.data_dir() / "data" / "tls-certificate.pem").string()),
                     "127.0.0.2");
  proto::referral_document d{"en", "Please call me.", "jo@example.org", std::nullopt, std::nullopt};
  unsigned limited = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = other.post("/v1/referrals", client::referral_request(client::seal_referral(d, keys)));
    if (r.status == 429u) {
      ++limited;
      EXPECT_FALSE(r.header("Retry-After").empty());
    }
  }
  EXPECT_GT(limited, 0u);
}

}  // namespace
}  // namespace shuttle::testing
