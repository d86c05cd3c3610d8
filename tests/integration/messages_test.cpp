// Messages over the real relay: submit, review, release, delivery the
// recipient pulls, return and revision, revocation, withdrawal, the audit
// trail, and every forbidden transition.
#include "client-lib/review.hpp"
#include "proto/audit.hpp"
#include "tests/integration/world.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace shuttle::testing {
namespace {

using proto::role;


TEST(Messages, ALetterIsReviewedReleasedFetchedAndOpenedByItsRecipientOnly) {
  exchange x;
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "I want you to know how it was for me.");
  ASSERT_EQ(sent.answer.status, 200u) << sent.answer.text;
  EXPECT_EQ(sent.answer.body.at("state"), "in_review");

  // Waiting for review: the recipient sees nothing, not even that it exists.
  EXPECT_EQ(x.state_of(x.r, sent.id()), "absent");
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, sent.id()).status, 404u);
  auto queue = x.w.http.get("/v1/queue", x.f.token);
  ASSERT_EQ(queue.status, 200u);
  ASSERT_EQ(queue.body.at("queue").as_array().size(), 1u);
  EXPECT_EQ(queue.body.at("queue").as_array()[0].at("message"), b64(sent.id()));

  // The facilitator reads it, then approves with a content note.
  auto got = x.w.fetch(x.f, x.case_id, sent.id());
  ASSERT_EQ(got.status, 200u);
  auto e = *proto::parse_statement<proto::envelope>(got.body.at("envelope"));
  EXPECT_FALSE(got.body.as_object().contains("ciphertext")) << "the ciphertext has its own route";
  const bytes ciphertext = x.w.ciphertext_of(x.f, x.case_id, sent.id());
  auto doc = client::open_for_review(x.w.roster(x.case_id, x.f, x.pin), e, ciphertext, x.f.identity, x.f.case_key);
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(std::string(doc->body.begin(), doc->body.end()), "I want you to know how it was for me.");

  auto approved = x.w.approve(x.f, x.case_id, x.pin, sent.id(), {.content_note = "Take your time with this.", .release_at = {}, .header = {}});
  ASSERT_EQ(approved.status, 200u) << approved.text;
  EXPECT_EQ(approved.body.at("state"), "released");
  EXPECT_TRUE(x.w.http.get("/v1/queue", x.f.token).body.at("queue").as_array().empty());

  // Available to the responsible party, who opens it with every client check.
  EXPECT_EQ(x.state_of(x.r, sent.id()), "released");
  auto opened = x.w.open_letter(x.r, x.case_id, x.pin, sent.id());
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(std::string(opened->content.body.begin(), opened->content.body.end()), "I want you to know how it was for me.");
  EXPECT_EQ(opened->content_note, "Take your time with this.");
  EXPECT_EQ(x.state_of(x.h, sent.id()), "released");  // the writer learns nothing of the fetch
  EXPECT_EQ(x.state_of(x.f, sent.id()), "delivered");  // the facilitators do

  auto receipt = x.w.http.post(world::message_path(x.case_id, sent.id(), "/receipt"), json::object{}, x.r.token);
  ASSERT_EQ(receipt.status, 200u) << receipt.text;
  EXPECT_EQ(x.state_of(x.h, sent.id()), "opened");
}

TEST(Messages, AReturnedLetterComesBackWithANoteAndItsRevisionIsReleased) {
  exchange x;
  auto first = x.w.send(x.h, x.case_id, x.pin, role::responsible, "You live on Elm Street, I saw you.");
  ASSERT_EQ(first.answer.status, 200u);
  auto returned = x.w.return_letter(x.f, x.case_id, x.pin, first.id(), "Please leave out where they live.");
  ASSERT_EQ(returned.status, 200u) << returned.text;
  EXPECT_EQ(x.state_of(x.h, first.id()), "returned");
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, first.id()).status, 404u);

  // The sender reads why.
  auto back = x.w.fetch(x.h, x.case_id, first.id());
  ASSERT_EQ(back.status, 200u);
  auto e = *proto::parse_statement<proto::envelope>(back.body.at("envelope"));
  auto rs = *proto::parse_statement<proto::return_statement>(back.body.at("return"));
  auto note = client::open_return(x.w.roster(x.case_id, x.h, x.pin), e, rs, x.h.case_key);
  ASSERT_TRUE(note) << note.error().message();
  EXPECT_EQ(note->text, "Please leave out where they live.");

  // A returned letter is never approved; its revision is.
  EXPECT_EQ(x.w.http.post(world::message_path(x.case_id, first.id(), "/claim"), json::object{}, x.f.token).status, 409u);
  auto revision = x.w.send(x.h, x.case_id, x.pin, role::responsible, "I think of it every day.",
                           proto::message_kind::letter, first.id());
  ASSERT_EQ(revision.answer.status, 200u) << revision.answer.text;
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, revision.id()).status, 200u);
  EXPECT_TRUE(x.w.open_letter(x.r, x.case_id, x.pin, revision.id()));
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, first.id()).status, 404u);
}

TEST(Messages, TwoPersonReviewReleasesOnlyAfterTwoDistinctApprovals) {
  exchange x(2);
  actor g = x.second_facilitator();

  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "A letter for two reviewers.");
  ASSERT_EQ(sent.answer.status, 200u) << sent.answer.text;
  EXPECT_EQ(sent.envelope.wraps.size(), 3u);  // the sender and both facilitators

  auto one = x.w.approve(x.f, x.case_id, x.pin, sent.id());
  ASSERT_EQ(one.status, 200u) << one.text;
  EXPECT_EQ(one.body.at("state"), "in_review");
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, sent.id()).status, 404u);  // not before the second approval
  EXPECT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id()).status, 409u);  // the same facilitator twice

  auto two = x.w.approve(g, x.case_id, x.pin, sent.id());
  ASSERT_EQ(two.status, 200u) << two.text;
  EXPECT_EQ(two.body.at("state"), "released");
  auto opened = x.w.open_letter(x.r, x.case_id, x.pin, sent.id());
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->approved_by.size(), 2u);
}

TEST(Messages, EveryApproversNoteReachesTheRecipientWithWhoWroteIt) {
  exchange x(2);
  actor g = x.second_facilitator();
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "A letter two people prepared you for.");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id(), {.content_note = "It is long; take a quiet evening.",
                                                           .release_at = {}, .header = {}}).status, 200u);
  ASSERT_EQ(x.w.approve(g, x.case_id, x.pin, sent.id(), {.content_note = "Call me after, if you like.",
                                                         .release_at = {}, .header = {}}).status, 200u);
  auto opened = x.w.open_letter(x.r, x.case_id, x.pin, sent.id());
  ASSERT_TRUE(opened) << opened.error().message();
  ASSERT_EQ(opened->content_notes.size(), 2u);
  EXPECT_EQ(opened->content_notes[0].by, x.f.identity.public_key());
  EXPECT_EQ(opened->content_notes[0].text, "It is long; take a quiet evening.");
  EXPECT_EQ(opened->content_notes[1].by, g.identity.public_key());
  EXPECT_EQ(opened->content_notes[1].text, "Call me after, if you like.");
}

TEST(Messages, AReleaseTimeHoldsTheLetterUntilItComes) {
  exchange x;
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "Not before the meeting.");
  const std::uint64_t at = client::unix_now() + 2;
  auto approved = x.w.approve(x.f, x.case_id, x.pin, sent.id(), {.content_note = {}, .release_at = at, .header = {}});
  ASSERT_EQ(approved.status, 200u) << approved.text;
  EXPECT_EQ(approved.body.at("state"), "in_review");
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, sent.id()).status, 404u);
  // Out of the facilitators' queue, and listed as released later, with its time.
  auto queue = x.w.http.get("/v1/queue", x.f.token);
  ASSERT_EQ(queue.status, 200u) << queue.text;
  EXPECT_TRUE(queue.body.at("queue").as_array().empty());
  ASSERT_EQ(queue.body.at("scheduled").as_array().size(), 1u) << queue.text;
  EXPECT_EQ(queue.body.at("scheduled").as_array()[0].at("message"), json::value(proto::base64url_encode(sent.id())));
  EXPECT_EQ(queue.body.at("scheduled").as_array()[0].at("release_at"), at);
  std::string state;
  for (int i = 0; i < 100 && state != "released"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    state = x.state_of(x.r, sent.id());
  }
  EXPECT_EQ(state, "released");
  EXPECT_GE(client::unix_now(), at);
  EXPECT_TRUE(x.w.open_letter(x.r, x.case_id, x.pin, sent.id()));
  EXPECT_TRUE(x.w.http.get("/v1/queue", x.f.token).body.at("scheduled").as_array().empty());
}

// As two facilitators work: each claims (reviews) before deciding. The first
// one's approval ends its claim, so the second is not kept waiting, and a
// facilitator who has decided cannot claim again.
TEST(Messages, ADecisionEndsItsMakersClaim) {
  exchange x(2);
  actor g = x.second_facilitator();
  auto claim = [&](actor& who, const proto::id& m) {
    return x.w.http.post(world::message_path(x.case_id, m, "/claim"), json::object{}, who.token);
  };

  auto unclaim = [&](actor& who, const proto::id& m) {
    return x.w.http.post(world::message_path(x.case_id, m, "/unclaim"), json::object{}, who.token);
  };

  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "Reviewed by two, one after the other.");
  ASSERT_EQ(claim(x.f, sent.id()).status, 200u);
  EXPECT_EQ(claim(g, sent.id()).error(), "claimed");  // while the first one reads
  EXPECT_EQ(unclaim(g, sent.id()).error(), "claimed");  // not theirs to let go
  ASSERT_EQ(unclaim(x.f, sent.id()).status, 200u);      // let go without deciding
  ASSERT_EQ(claim(g, sent.id()).status, 200u);
  ASSERT_EQ(unclaim(g, sent.id()).status, 200u);
  EXPECT_EQ(unclaim(g, sent.id()).status, 200u);  // nothing held: nothing to do
  ASSERT_EQ(claim(x.f, sent.id()).status, 200u);
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id()).status, 200u);
  EXPECT_EQ(claim(x.f, sent.id()).error(), "already_reviewed");
  ASSERT_EQ(claim(g, sent.id()).status, 200u) << "the first approval still blocks the second reviewer";
  auto two = x.w.approve(g, x.case_id, x.pin, sent.id());
  ASSERT_EQ(two.status, 200u) << two.text;
  EXPECT_EQ(two.body.at("state"), "released");

  // A return ends its maker's claim too.
  auto other = x.w.send(x.h, x.case_id, x.pin, role::responsible, "Another.");
  ASSERT_EQ(claim(g, other.id()).status, 200u);
  auto got = x.w.fetch(g, x.case_id, other.id());
  auto e = *proto::parse_statement<proto::envelope>(got.body.at("envelope"));
  auto rs = client::return_letter(x.w.roster(x.case_id, g, x.pin), e, g.identity, client::return_reason::other, "Not yet.");
  ASSERT_TRUE(rs);
  ASSERT_EQ(x.w.http.post(world::message_path(x.case_id, other.id(), "/return"), json::object{{"return", as_json(*rs)}},
                          g.token).status, 200u);
  auto listed = x.w.http.get(world::case_path(x.case_id, "/messages"), x.f.token);
  for (const auto& m : listed.body.at("messages").as_array()) EXPECT_FALSE(m.as_object().contains("claimed_by")) << m;
}

TEST(Messages, TheRecipientMayDeclineALetter) {
  exchange x;
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "Hello.");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id()).status, 200u);
  auto declined = x.w.http.post(world::message_path(x.case_id, sent.id(), "/decline"), json::object{}, x.r.token);
  ASSERT_EQ(declined.status, 200u) << declined.text;
  EXPECT_EQ(x.state_of(x.f, sent.id()), "declined");
  EXPECT_EQ(x.state_of(x.h, sent.id()), "released");  // until a facilitator tells them (Decline.*)
  EXPECT_EQ(x.w.http.post(world::message_path(x.case_id, sent.id(), "/receipt"), json::object{}, x.r.token).status,
            409u);
}

// The recipient decides what the writer learns: a decline reaches the
// writer only when a facilitator passes it on, with a note sealed to them.
TEST(Decline, TheFacilitatorsCarryTheNewsToTheWriter) {
  exchange x;
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "A letter they will not want now.");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id()).status, 200u);
  ASSERT_TRUE(x.w.open_letter(x.r, x.case_id, x.pin, sent.id()));
  auto declined = x.w.http.post(world::message_path(x.case_id, sent.id(), "/decline"), json::object{}, x.r.token);
  ASSERT_EQ(declined.status, 200u) << declined.text;

  // The recipient can no longer fetch it; their list says declined, so their client deletes its copy.
  auto again = x.w.fetch(x.r, x.case_id, sent.id());
  EXPECT_EQ(again.status, 410u);
  EXPECT_EQ(again.error(), "declined");
  EXPECT_EQ(x.state_of(x.r, sent.id()), "declined");
  // The writer still sees it as available to them, and can read their own letter.
  EXPECT_EQ(x.state_of(x.h, sent.id()), "released");
  auto own = x.w.fetch(x.h, x.case_id, sent.id());
  ASSERT_EQ(own.status, 200u);
  EXPECT_FALSE(own.body.as_object().contains("decline_note"));
  // The facilitators see the truth, and that the writer has not been told.
  auto listed = x.w.http.get(world::case_path(x.case_id, "/messages"), x.f.token);
  EXPECT_EQ(listed.body.at("messages").as_array()[0].at("state"), "declined");
  EXPECT_EQ(listed.body.at("messages").as_array()[0].at("decline_told"), false);
  // Their list of cases names it as waiting for them to pass on; the parties' list says nothing of it.
  auto untold = [&](const auto& who) -> json::value {
    const auto listed = x.w.http.get("/v1/cases", who.token);
    const auto& c = listed.body.at("cases").as_array()[0].as_object();
    return c.contains("declined_untold") ? c.at("declined_untold") : json::value(nullptr);
  };
  EXPECT_EQ(untold(x.f), (json::array{json::string(proto::base64url_encode(sent.id()))}));
  EXPECT_TRUE(untold(x.h).is_null());
  EXPECT_TRUE(untold(x.r).is_null());

  // Only a facilitator passes it on, only for a declined letter.
  const auto tell = world::message_path(x.case_id, sent.id(), "/tell-declined");
  EXPECT_EQ(x.w.http.post(tell, json::object{}, x.h.token).status, 403u);
  auto other = x.w.send(x.h, x.case_id, x.pin, role::responsible, "Another.");
  EXPECT_EQ(x.w.http.post(world::message_path(x.case_id, other.id(), "/tell-declined"), json::object{}, x.f.token).error(),
            "not_declined");
  client::note words;
  words.purpose = "declined";
  words.text = "They are not ready to read letters now. We can talk on Thursday.";
  auto writer = x.w.roster(x.case_id, x.f, x.pin).find(x.h.identity.public_key());
  ASSERT_TRUE(writer);
  auto sealed = client::seal_note(words, sent.id(), writer->case_key);
  ASSERT_TRUE(sealed);
  auto told = x.w.http.post(tell, json::object{{"note", proto::base64url_encode(sealed->box)}}, x.f.token);
  ASSERT_EQ(told.status, 200u) << told.text;
  EXPECT_EQ(x.w.http.post(tell, json::object{}, x.f.token).status, 200u);  // told once; asking again changes nothing
  EXPECT_EQ(untold(x.f), json::array{});

  EXPECT_EQ(x.state_of(x.h, sent.id()), "declined");
  own = x.w.fetch(x.h, x.case_id, sent.id());
  ASSERT_TRUE(own.body.as_object().contains("decline_note")) << own.text;
  proto::sealed_note box;
  box.box = *proto::base64url_decode(std::string(own.body.at("decline_note").as_string()));
  auto opened = client::open_note(box, sent.id(), "declined", x.h.case_key);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->text, words.text);
}

TEST(Decline, ARecipientDoesNotLearnThatAnEarlierVersionWasReturned) {
  exchange x;
  auto first = x.w.send(x.h, x.case_id, x.pin, role::responsible, "First words.");
  ASSERT_EQ(x.w.return_letter(x.f, x.case_id, x.pin, first.id(), "gentler, please").status, 200u);
  auto second = x.w.send(x.h, x.case_id, x.pin, role::responsible, "Gentler words.", proto::message_kind::letter, first.id());
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, second.id()).status, 200u);
  const auto listed = x.w.http.get(world::case_path(x.case_id, "/messages"), x.r.token);
  ASSERT_EQ(listed.body.at("messages").as_array().size(), 1u);
  for (const auto& m : listed.body.at("messages").as_array()) EXPECT_FALSE(m.as_object().contains("supersedes")) << m;
  // Nothing the recipient reads or verifies names the returned version: not
  // the listing, not the fetch, not the signed envelope inside it, not the
  // events it was sent.
  const auto fetched = x.w.fetch(x.r, x.case_id, second.id());
  ASSERT_EQ(fetched.status, 200u);
  const std::string earlier = proto::base64url_encode(first.id());
  EXPECT_EQ(fetched.text.find(earlier), std::string::npos) << fetched.text;
  EXPECT_EQ(listed.text.find(earlier), std::string::npos) << listed.text;
  auto envelope = proto::parse_statement<proto::envelope>(fetched.body.at("envelope"), "envelope");
  ASSERT_TRUE(envelope);
  EXPECT_FALSE(envelope->supersedes);
  auto opened = x.w.open_letter(x.r, x.case_id, x.pin, second.id());
  ASSERT_TRUE(opened) << opened.error().message();
  event_stream::options o;
  o.token = x.r.token;
  o.last_event_id = 0;
  event_stream events(x.w.relay.port(), o);
  while (auto e = events.next(std::chrono::milliseconds(500))) {
    EXPECT_EQ(json::serialize(*e).find(earlier), std::string::npos) << *e;
  }
  // The writer and the facilitators see the link.
  EXPECT_EQ(x.w.fetch(x.h, x.case_id, second.id()).body.at("supersedes"), b64(first.id()));
  EXPECT_EQ(x.w.fetch(x.f, x.case_id, second.id()).body.at("supersedes"), b64(first.id()));
}

TEST(Revision, TheLinkTravelsBesideTheEnvelopeSignedByItsWriter) {
  exchange x;
  auto first = x.w.send(x.h, x.case_id, x.pin, role::responsible, "First words.");
  ASSERT_EQ(x.w.return_letter(x.f, x.case_id, x.pin, first.id(), "gentler, please").status, 200u);
  const auto roster = x.w.roster(x.case_id, x.h, x.pin);

  // An envelope that names the earlier version itself is refused.
  client::letter_draft old_style;
  old_style.header = client::header_for(x.case_id);
  auto sealed = client::seal_letter(x.h.identity, x.h.case_key, old_style, roster.facilitator_readers(),
                                    client::document::text("Gentler words."));
  ASSERT_TRUE(sealed);
  proto::envelope named = sealed->envelope;
  named.supersedes = first.id();
  named = *client::sign(named, x.h.identity);
  auto refused = x.w.post_letter(x.h, x.case_id, named, sealed->ciphertext);
  EXPECT_EQ(refused.status, 400u) << refused.text;
  EXPECT_EQ(refused.error(), "bad_supersedes");

  // A revision statement signed by someone else, or for another message, is refused.
  auto by_other = client::revision_of(x.r.identity, x.case_id, sealed->envelope.header.statement_id, first.id());
  EXPECT_EQ(x.w.post_letter(x.h, x.case_id, sealed->envelope, sealed->ciphertext, *by_other).error(), "signer_mismatch");
  auto for_other = client::revision_of(x.h.identity, x.case_id, client::new_id(), first.id());
  EXPECT_EQ(x.w.post_letter(x.h, x.case_id, sealed->envelope, sealed->ciphertext, *for_other).error(), "bad_supersedes");
  auto not_returned = client::revision_of(x.h.identity, x.case_id, sealed->envelope.header.statement_id, client::new_id());
  EXPECT_EQ(x.w.post_letter(x.h, x.case_id, sealed->envelope, sealed->ciphertext, *not_returned).error(),
            "bad_supersedes");

  auto right = client::revision_of(x.h.identity, x.case_id, sealed->envelope.header.statement_id, first.id());
  auto kept = x.w.post_letter(x.h, x.case_id, sealed->envelope, sealed->ciphertext, *right);
  ASSERT_EQ(kept.status, 200u) << kept.text;
  EXPECT_EQ(x.w.fetch(x.f, x.case_id, sealed->envelope.header.statement_id).body.at("supersedes"), b64(first.id()));
}

TEST(Messages, InternalNotesStayWithTheFacilitators) {
  exchange x;
  auto note = x.w.send(x.f, x.case_id, x.pin, role::facilitator, "H. prefers letters on Mondays.",
                       proto::message_kind::note);
  ASSERT_EQ(note.answer.status, 200u) << note.answer.text;
  EXPECT_EQ(x.w.fetch(x.f, x.case_id, note.id()).status, 200u);
  EXPECT_EQ(x.w.fetch(x.h, x.case_id, note.id()).status, 404u);
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, note.id()).status, 404u);
  EXPECT_TRUE(x.w.http.get("/v1/queue", x.f.token).body.at("queue").as_array().empty());
  // A party's words go to the facilitators alone, like a note: the other party never sees them.
  auto party_note = x.w.send(x.h, x.case_id, x.pin, role::facilitator, "x", proto::message_kind::note);
  ASSERT_EQ(party_note.answer.status, 200u) << party_note.answer.text;
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, party_note.id()).status, 404u);
  EXPECT_TRUE(x.w.http.get("/v1/queue", x.f.token).body.at("queue").as_array().empty());
}

// ---------------------------------------------------------------- submission rules

TEST(Submit, AnExactResubmitAnswersTheSameAndOtherBytesUnderTheIdConflict) {
  exchange x;
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "Once.");
  ASSERT_EQ(sent.answer.status, 200u);
  auto again = x.w.post_letter(x.h, x.case_id, sent.envelope, sent.ciphertext);
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(again.body, sent.answer.body);

  auto other = sent.envelope;
  other.to = proto::role::facilitator;
  other.kind = proto::message_kind::note;
  auto resigned = client::sign(other, x.h.identity);
  EXPECT_EQ(x.w.post_letter(x.h, x.case_id, *resigned, sent.ciphertext).status, 409u);
  EXPECT_EQ(x.w.http.get(world::case_path(x.case_id, "/messages"), x.f.token).body.at("messages").as_array().size(), 1u);
}

TEST(Submit, WrapsMustCoverExactlyTheSenderAndTheFacilitators) {
  exchange x;
  auto r = x.w.roster(x.case_id, x.h, x.pin);
  client::letter_draft draft;
  draft.header = client::header_for(x.case_id);
  draft.to = role::responsible;
  // Leaving the facilitator out (readers are the sender only).
  auto alone = client::seal_letter(x.h.identity, x.h.case_key, draft, {}, client::document::text("x"));
  auto a = x.w.post_letter(x.h, x.case_id, alone->envelope, alone->ciphertext);
  EXPECT_EQ(a.status, 400u);
  EXPECT_EQ(a.error(), "wraps_mismatch");
  // Adding the recipient as a reader before review.
  auto readers = r.facilitator_readers();
  readers.push_back({x.r.identity.public_key(), x.r.case_key.public_key()});
  draft.header = client::header_for(x.case_id);
  auto extra = client::seal_letter(x.h.identity, x.h.case_key, draft, readers, client::document::text("x"));
  auto b = x.w.post_letter(x.h, x.case_id, extra->envelope, extra->ciphertext);
  EXPECT_EQ(b.status, 400u);
  EXPECT_EQ(b.error(), "wraps_mismatch");
}

TEST(Submit, TheCiphertextMustMatchTheSignedSizeAndHash) {
  exchange x;
  auto r = x.w.roster(x.case_id, x.h, x.pin);
  client::letter_draft draft;
  draft.header = client::header_for(x.case_id);
  draft.to = role::responsible;
  auto sealed = client::seal_letter(x.h.identity, x.h.case_key, draft, r.facilitator_readers(), client::document::text("x"));
  auto altered = sealed->ciphertext;
  altered[10] ^= 1;
  auto a = x.w.post_letter(x.h, x.case_id, sealed->envelope, altered);
  EXPECT_EQ(a.status, 400u);
  EXPECT_EQ(a.error(), "ciphertext_mismatch");
  EXPECT_EQ(x.w.post_letter(x.h, x.case_id, sealed->envelope, sealed->ciphertext).status, 200u);
}

TEST(Submit, ALetterGoesToTheOtherPartyOnly) {
  exchange x;
  auto to_self = x.w.send(x.h, x.case_id, x.pin, role::harmed, "x");
  EXPECT_EQ(to_self.answer.status, 400u);
  EXPECT_EQ(to_self.answer.error(), "wrong_recipient");
}

// ---------------------------------------------------------------- forbidden transitions

TEST(Forbidden, APartyCannotClaimApproveOrReturn) {
  exchange x;
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "x");
  EXPECT_EQ(x.w.http.post(world::message_path(x.case_id, sent.id(), "/claim"), json::object{}, x.h.token).status, 403u);
  // The responsible party signs an approval of its own making.
  proto::approval ap;
  ap.header = client::header_for(x.case_id);
  ap.message_id = sent.id();
  ap.ciphertext_hash = sent.envelope.ciphertext_hash;
  ap.wraps = {{x.r.identity.public_key(), proto::wrap_box{}}};
  auto signed_ap = client::sign(ap, x.r.identity);
  EXPECT_EQ(x.w.http.post(world::message_path(x.case_id, sent.id(), "/approve"),
                          json::object{{"approval", as_json(*signed_ap)}}, x.r.token)
                .status,
            403u);
  EXPECT_EQ(x.state_of(x.f, sent.id()), "in_review");
}

TEST(Forbidden, ApprovingARevokedLetterAndRevokingAnothersLetterAreRefused) {
  exchange x;
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "x");
  // Someone else's letter: the recipient cannot see it yet (404); the facilitator is not its sender (403).
  EXPECT_EQ(x.w.revoke(x.r, x.case_id, sent.id()).status, 404u);
  EXPECT_EQ(x.w.revoke(x.f, x.case_id, sent.id()).status, 403u);
  auto got = x.w.fetch(x.f, x.case_id, sent.id());  // the facilitator's client reads it before approving
  ASSERT_EQ(x.w.revoke(x.h, x.case_id, sent.id()).status, 200u);
  auto e = *proto::parse_statement<proto::envelope>(got.body.at("envelope"));
  auto ap = client::approve_letter(x.w.roster(x.case_id, x.f, x.pin), e, x.f.identity, x.f.case_key);
  auto late = x.w.http.post(world::message_path(x.case_id, sent.id(), "/approve"), json::object{{"approval", as_json(*ap)}},
                            x.f.token);
  EXPECT_EQ(late.status, 409u);
  EXPECT_EQ(late.error(), "revoked");
}

TEST(Forbidden, AClaimKeepsOtherReviewersOffUntilItLapses) {
  // Long enough that a loaded machine still sees the claim in the queue; short enough to wait out.
  exchange x(1, {"--claim-seconds", "3"});
  actor g = x.second_facilitator();
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "x");
  auto claimed = x.w.http.post(world::message_path(x.case_id, sent.id(), "/claim"), json::object{}, x.f.token);
  ASSERT_EQ(claimed.status, 200u) << claimed.text;
  auto queue = x.w.http.get("/v1/queue", g.token);
  EXPECT_EQ(queue.body.at("queue").as_array()[0].at("claimed_by"), b64(x.f.identity.public_key()));
  auto other = x.w.http.post(world::message_path(x.case_id, sent.id(), "/claim"), json::object{}, g.token);
  EXPECT_EQ(other.status, 409u);
  EXPECT_EQ(other.error(), "claimed");
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  EXPECT_EQ(x.w.http.post(world::message_path(x.case_id, sent.id(), "/claim"), json::object{}, g.token).status, 200u);
}

TEST(Forbidden, AStatementFromAnotherCaseIsNotReplayedHere) {
  exchange x;
  const proto::id other_case = x.w.open_case(x.f);
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "x");
  ASSERT_EQ(sent.answer.status, 200u);
  // The same signed envelope, posted under another case's path.
  auto moved = x.w.post_letter(x.f, other_case, sent.envelope, sent.ciphertext);
  EXPECT_EQ(moved.status, 403u);  // signed by the harmed party, sent by the facilitator
  auto r = x.w.approve(x.f, x.case_id, x.pin, sent.id());
  ASSERT_EQ(r.status, 200u);
  // An approval of this case, replayed under the other case's path.
  auto got = x.w.fetch(x.f, x.case_id, sent.id());
  const auto& review = got.body.at("reviews").as_array()[0].at("statement");
  auto replayed = x.w.http.post(world::message_path(other_case, sent.id(), "/approve"), json::object{{"approval", review}},
                                x.f.token);
  EXPECT_EQ(replayed.status, 400u);
  EXPECT_EQ(replayed.error(), "wrong_case");
}

TEST(Forbidden, TheSendersOwnPartyCannotFetchALetterNotAddressedToIt) {
  exchange x;
  actor h2 = x.w.party(x.f, x.case_id, role::harmed);  // a second person in the harmed role
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "x");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id()).status, 200u);
  EXPECT_EQ(x.w.fetch(h2, x.case_id, sent.id()).status, 404u);
  EXPECT_EQ(x.state_of(h2, sent.id()), "absent");
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, sent.id()).status, 200u);
}

// ---------------------------------------------------------------- revocation and withdrawal

TEST(Revoke, TheSenderTakesALetterBackInAnyStateAndLearnsOnlyWhatTheRecipientShared) {
  exchange x;
  auto waiting = x.w.send(x.h, x.case_id, x.pin, role::responsible, "one");
  auto released = x.w.send(x.h, x.case_id, x.pin, role::responsible, "two");
  auto delivered = x.w.send(x.h, x.case_id, x.pin, role::responsible, "three");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, released.id()).status, 200u);
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, delivered.id()).status, 200u);
  ASSERT_TRUE(x.w.open_letter(x.r, x.case_id, x.pin, delivered.id()));
  auto opened = x.w.send(x.h, x.case_id, x.pin, role::responsible, "four");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, opened.id()).status, 200u);
  ASSERT_TRUE(x.w.open_letter(x.r, x.case_id, x.pin, opened.id()));
  ASSERT_EQ(x.w.http.post(world::message_path(x.case_id, opened.id(), "/receipt"), json::object{}, x.r.token).status, 200u);

  auto a = x.w.revoke(x.h, x.case_id, waiting.id());
  auto b = x.w.revoke(x.h, x.case_id, released.id());
  auto c = x.w.revoke(x.h, x.case_id, delivered.id());
  auto d = x.w.revoke(x.h, x.case_id, opened.id());
  ASSERT_EQ(a.status, 200u) << a.text;
  EXPECT_EQ(a.body.at("was_released"), false);
  EXPECT_EQ(b.body.at("was_released"), true);
  EXPECT_EQ(b.body.at("was_opened"), false);
  // Fetched but no receipt shared: the writer learns no more than "released".
  EXPECT_EQ(c.body.at("was_released"), true);
  EXPECT_EQ(c.body.at("was_opened"), false);
  EXPECT_FALSE(c.body.as_object().contains("was_delivered"));
  EXPECT_EQ(d.body.at("was_opened"), true);

  // Gone for everyone; the recipient still sees that it was revoked, so its client deletes its copy.
  for (const auto& m : {waiting.id(), released.id(), delivered.id(), opened.id()}) {
    EXPECT_EQ(x.w.fetch(x.f, x.case_id, m).status, 410u);
    EXPECT_EQ(x.state_of(x.h, m), "revoked");
  }
  EXPECT_EQ(x.state_of(x.r, delivered.id()), "revoked");
  EXPECT_EQ(x.state_of(x.r, waiting.id()), "absent");
  EXPECT_EQ(x.w.revoke(x.h, x.case_id, waiting.id()).status, 409u);
}

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(Revoke, TheCiphertextLeavesTheDatabaseAndTheWal) {
  exchange x;
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, std::string(20000, 'q'));
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id()).status, 200u);
  const std::string probe(sent.ciphertext.begin() + 1000, sent.ciphertext.begin() + 1064);
  const std::string wrap_probe(sent.envelope.wraps[0].box.begin(), sent.envelope.wraps[0].box.end());
  EXPECT_TRUE(x.w.relay.stores(probe));  // the probe works

  ASSERT_EQ(x.w.revoke(x.h, x.case_id, sent.id()).status, 200u);
  EXPECT_FALSE(x.w.relay.stores(probe));
  EXPECT_FALSE(x.w.relay.stores(wrap_probe));
}

TEST(Revoke, APlaintextMarkerNeverReachesTheDatabaseTheWalOrTheLog) {
  exchange x(1, {"--log-level", "trace"});
  const std::string marker = "MARKER-7f3a9c-the-words-only-the-parties-read";
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, marker);
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id(), {.content_note = marker, .release_at = {}, .header = {}}).status, 200u);
  ASSERT_TRUE(x.w.open_letter(x.r, x.case_id, x.pin, sent.id()));
  x.w.relay.stop();
  const std::string log = file_bytes(x.w.relay.data_dir() / "relay.log");
  EXPECT_GT(log.size(), 1000u);  // trace level: every request
  EXPECT_FALSE(x.w.relay.stores(marker));
  EXPECT_FALSE(x.w.relay.stores(x.r.token));
  EXPECT_EQ(log.find(marker), std::string::npos);
  EXPECT_EQ(log.find(x.r.token), std::string::npos);
}

TEST(Withdraw, EverythingUnreleasedIsRevokedSessionsEndAndTheChannelCloses) {
  exchange x;
  auto waiting = x.w.send(x.h, x.case_id, x.pin, role::responsible, "one");
  auto released = x.w.send(x.h, x.case_id, x.pin, role::responsible, "two");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, released.id()).status, 200u);
  auto reply = x.w.send(x.r, x.case_id, x.pin, role::harmed, "a reply in review");
  ASSERT_EQ(reply.answer.status, 200u);

  auto out = x.w.withdraw(x.h, x.case_id);
  ASSERT_EQ(out.status, 200u) << out.text;
  EXPECT_EQ(out.body.at("revoked"), 1);
  EXPECT_EQ(x.state_of(x.f, waiting.id()), "revoked");
  EXPECT_EQ(x.state_of(x.f, released.id()), "released");  // kept: it did not ask to revoke released letters

  // Its session ended at once.
  EXPECT_EQ(x.w.http.get("/v1/me", x.h.token).status, 401u);
  // Nothing more reaches them: the reply waiting for them cannot be approved, and nothing new is accepted.
  auto approve_reply = x.w.approve(x.f, x.case_id, x.pin, reply.id());
  EXPECT_EQ(approve_reply.status, 409u);
  EXPECT_EQ(approve_reply.error(), "channel_closed");
  auto more = x.w.send(x.r, x.case_id, x.pin, role::harmed, "another");
  EXPECT_EQ(more.answer.status, 409u);
  EXPECT_EQ(more.answer.error(), "channel_closed");
  // The other party sees the channel closed, without a reason.
  auto detail = x.w.http.get(world::case_path(x.case_id), x.r.token);
  bool saw_withdrawn = false;
  for (const auto& p : detail.body.at("participants").as_array()) saw_withdrawn |= p.at("state") == "withdrawn";
  EXPECT_TRUE(saw_withdrawn);
  // The facilitators' list of cases names who left; the other party's does not.
  const auto mine = x.w.http.get("/v1/cases", x.f.token);
  EXPECT_EQ(mine.body.at("cases").as_array()[0].at("withdrawn"), (json::array{"harmed"}));
  EXPECT_FALSE(x.w.http.get("/v1/cases", x.r.token).body.at("cases").as_array()[0].as_object().contains("withdrawn"));
  // Logging in again does not bring it back into the case.
  x.w.login(x.h);
  EXPECT_EQ(x.w.http.get(world::case_path(x.case_id), x.h.token).status, 404u);
  client::letter_draft draft;
  draft.header = client::header_for(x.case_id);
  draft.to = role::responsible;
  auto late = client::seal_letter(x.h.identity, x.h.case_key, draft, {}, client::document::text("x"));
  EXPECT_EQ(x.w.post_letter(x.h, x.case_id, late->envelope, late->ciphertext).status, 404u);
}

TEST(Withdraw, AskingAlsoRevokesReleasedLetters) {
  exchange x;
  auto released = x.w.send(x.h, x.case_id, x.pin, role::responsible, "two");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, released.id()).status, 200u);
  auto out = x.w.withdraw(x.h, x.case_id, true);
  ASSERT_EQ(out.status, 200u);
  EXPECT_EQ(out.body.at("revoked"), 1);
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, released.id()).status, 410u);
}

}  // namespace
}  // namespace shuttle::testing

namespace shuttle::testing {
namespace {

int run_quietly(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

TEST(Close, AClosedCaseTakesNoLettersAndPurgeLaterRemovesThemButNotTheTrail) {
  exchange x;
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, std::string(5000, 'p'));
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id()).status, 200u);
  proto::close cl;
  cl.header = client::header_for(x.case_id);
  ASSERT_EQ(x.w.http.post(world::case_path(x.case_id, "/close"), json::object{{"close", as_json(*client::sign(cl, x.f.identity))}},
                          x.f.token)
                .status,
            200u);
  auto late = x.w.send(x.r, x.case_id, x.pin, role::harmed, "after the end");
  EXPECT_EQ(late.answer.status, 409u);
  EXPECT_EQ(late.answer.error(), "case_closed");
  EXPECT_EQ(x.w.fetch(x.r, x.case_id, sent.id()).status, 200u);  // still readable until the purge

  ASSERT_EQ(x.w.relay.stop(), 0);
  const std::string purge = relay_process::binary() + " purge " + x.w.relay.operator_flags();
  ASSERT_EQ(run_quietly(purge), 0);  // the default retention (90 days) has not passed
  ASSERT_EQ(run_quietly(purge + " --retention-days 0"), 0);
  const std::string probe(sent.ciphertext.begin() + 100, sent.ciphertext.begin() + 164);
  EXPECT_FALSE(x.w.relay.stores(probe));
  EXPECT_EQ(run_quietly(relay_process::binary() + " audit verify " + x.w.relay.operator_flags()), 0);

  x.w.relay.restart();
  https_client again(x.w.relay.port(), certificate_pin((x.w.relay.data_dir() / "data" / "tls-certificate.pem").string()));
  auto gone = again.get(world::message_path(x.case_id, sent.id()), x.r.token);
  EXPECT_EQ(gone.status, 410u);
  EXPECT_EQ(gone.error(), "purged");
  auto trail = proto::parse_audit_export(again.get(world::case_path(x.case_id, "/audit"), x.f.token).text);
  ASSERT_TRUE(trail);
  EXPECT_EQ(trail->entries.back().event, proto::audit_event::purged);
}

}  // namespace
}  // namespace shuttle::testing
