// The outcome agreement's document and export (proto/agreement.hpp, SPEC 6.6
// and 10): the body's strict rules, and an export that verifies only as the
// relay and the signers made it.
#include "proto/agreement.hpp"
#include "proto/checkin.hpp"

#include "client-lib/keys.hpp"
#include "client-lib/statements.hpp"
#include "proto/codec.hpp"

#include <gtest/gtest.h>

namespace shuttle::proto {
namespace {

agreement_document two_items() {
  return {{{"Pay for the fence", "Jonas", "by 31 January", "Mia tells the facilitators"},
           {"Write to Mia", "Jonas", "within three months", "the facilitators review it"}}};
}

TEST(AgreementBody, RoundTripsAndRefusesWhatSpecRefuses) {
  const auto body = agreement_body(two_items());
  const auto parsed = parse_agreement_body(body);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(*parsed, two_items());
  // A line break in a part is kept; other control characters are refused.
  EXPECT_TRUE(parse_agreement_body(R"({"v":1,"items":[{"what":"a\nb","who":"w","by":"b","check":"c"}]})"));
  for (const char* bad : {
           R"({"v":1,"items":[]})",                                                        // no item
           R"({"v":2,"items":[{"what":"a","who":"w","by":"b","check":"c"}]})",             // another version
           R"({"v":1,"items":[{"what":"","who":"w","by":"b","check":"c"}]})",              // an empty part
           R"({"v":1,"items":[{"what":"a","who":"w","by":"b"}]})",                         // a part missing
           R"({"v":1,"items":[{"what":"a","who":"w","by":"b","check":"c","why":"x"}]})",   // another key
           R"({"v":1,"items":[{"what":"a\tb","who":"w","by":"b","check":"c"}]})",          // a tab
           R"({"v":1,"items":[{"what":"a","who":"w","by":"b","check":"c"}],"title":"t"})",  // another key on top
           R"({"v":1,"items":[{"what":1,"who":"w","by":"b","check":"c"}]})",               // not text
       }) {
    EXPECT_FALSE(parse_agreement_body(bad)) << bad;
  }
  agreement_document many;
  many.items.assign(max_agreement_items + 1, two_items().items.front());
  EXPECT_FALSE(parse_agreement_body(agreement_body(many)));
  agreement_document long_part = two_items();
  long_part.items[0].what.assign(max_agreement_field_bytes + 1, 'x');
  EXPECT_FALSE(parse_agreement_body(agreement_body(long_part)));
}

TEST(CheckinBody, RoundTripsAndRefusesWhatSpecRefuses) {
  const checkin_document d{"How are things since the agreement?", {"Victim support: 116 006", "Your GP"}};
  const auto parsed = parse_checkin_body(checkin_body(d));
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(*parsed, d);
  EXPECT_TRUE(parse_checkin_body(R"({"v":1,"question":"How are you?","support":[]})"));
  for (const char* bad : {
           R"({"v":1,"question":"","support":[]})",                 // no question
           R"({"v":1,"question":"q"})",                             // no support list
           R"({"v":1,"question":"q","support":[""]})",              // an empty service
           R"({"v":1,"question":"q	r","support":[]})",             // a tab
           R"({"v":1,"question":"q","support":[],"when":"now"})",   // another key
       }) {
    EXPECT_FALSE(parse_checkin_body(bad)) << bad;
  }
  checkin_document many{"q", std::vector<std::string>(max_checkin_support + 1, "s")};
  EXPECT_FALSE(parse_checkin_body(checkin_body(many)));
}

TEST(AgreementBody, TheHashNamesTheCaseTheMessageAndEveryByte) {
  const id case_id = client::new_id(), message = client::new_id();
  const auto body = agreement_body(two_items());
  const auto h = agreement_hash(case_id, message, body);
  EXPECT_EQ(h, agreement_hash(case_id, message, body));
  EXPECT_NE(h, agreement_hash(client::new_id(), message, body));
  EXPECT_NE(h, agreement_hash(case_id, client::new_id(), body));
  EXPECT_NE(h, agreement_hash(case_id, message, body + " "));
}

// A binding agreement as a relay and its signers would export it.
struct signed_agreement {
  client::identity_key relay = client::identity_key::generate();
  client::identity_key harmed = client::identity_key::generate(), responsible = client::identity_key::generate(),
                       facilitator = client::identity_key::generate();
  agreement_export x;

  void entry(audit_event event, const public_key& actor, const hash& statement) {
    audit_entry e;
    e.seq = x.audit.entries.size() + 1;
    e.at = 1'790'000'000 + e.seq;
    e.case_id = x.case_id;
    e.event = event;
    e.actor = actor;
    e.subject = x.message_id;
    e.statement = statement;
    e.prev = x.audit.entries.empty() ? hash{} : x.audit.entries.back().entry_hash;
    e.entry_hash = audit_entry_hash(e);
    x.audit.entries.push_back(e);
  }
  void checkpoint() {
    auto& c = x.audit.checkpoint;
    c.case_id = x.case_id;
    c.seq = x.audit.entries.size();
    c.head = x.audit.entries.back().entry_hash;
    c.at = 1'800'000'000;
    c.relay_key = relay.public_key();
    c.sig = relay.sign(checkpoint_transcript(c));
  }
  // `marked`: the item the facilitator's mark names (the agreement has two).
  explicit signed_agreement(std::uint64_t marked = 1) {
    x.case_id = x.audit.case_id = client::new_id();
    x.message_id = client::new_id();
    x.body = agreement_body(two_items());
    const auto h = agreement_hash(x.case_id, x.message_id, x.body);
    x.people = {{harmed.public_key(), role::harmed, std::nullopt},
                {responsible.public_key(), role::responsible, std::nullopt},
                {facilitator.public_key(), role::facilitator, std::string("Ingrid Berg")}};
    entry(audit_event::submitted, facilitator.public_key(), hash{});
    for (const auto* who : {&harmed, &responsible, &facilitator}) {
      agreement_signature s;
      s.header = client::header_for(x.case_id);
      s.message_id = x.message_id;
      s.agreement_hash = h;
      s = *client::sign(s, *who);
      entry(audit_event::agreement_signed, who->public_key(), statement_hash(s));
      x.signatures.push_back(s);
    }
    entry(audit_event::agreement_bound, public_key{}, hash{});
    agreement_mark m;
    m.header = client::header_for(x.case_id);
    m.message_id = x.message_id;
    m.agreement_hash = h;
    m.item = marked;
    m.done = true;
    m = *client::sign(m, facilitator);
    entry(audit_event::item_marked, facilitator.public_key(), statement_hash(m));
    x.marks.push_back(m);
    checkpoint();
  }
  result<verified_agreement> verify(const agreement_export& other) const {
    return verify_agreement_export(other, relay.public_key());
  }
};

TEST(AgreementExport, VerifiesRoundTripsAndSaysWhoSignedAndWhatIsDone) {
  const signed_agreement a;
  const auto again = parse_agreement_export(to_json(a.x));
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_EQ(*again, a.x);
  const auto v = a.verify(*again);
  ASSERT_TRUE(v) << v.error().detail;
  EXPECT_EQ(v->document, two_items());
  EXPECT_EQ(v->signers.size(), 3u);
  ASSERT_EQ(v->marks.size(), 1u);
  EXPECT_EQ(v->marks[0].item, 1u);
  EXPECT_TRUE(v->marks[0].done);
  EXPECT_EQ(v->marks[0].by.name, "Ingrid Berg");
}

TEST(AgreementExport, AChangedWordAnotherRelayAMissingSignerOrAnUnrecordedSignatureIsRefused) {
  const signed_agreement a;
  auto edited = a.x;
  edited.body.replace(edited.body.find("three"), 5, "four!");
  EXPECT_EQ(a.verify(edited).error().code, errc::hash_mismatch);
  EXPECT_FALSE(verify_agreement_export(a.x, client::identity_key::generate().public_key()));
  auto unnamed = a.x;
  unnamed.people.erase(unnamed.people.begin());  // the person harmed's signature, by someone not named
  EXPECT_FALSE(a.verify(unnamed));
  auto half = a.x;
  half.signatures.erase(half.signatures.begin());  // not signed by both parties
  EXPECT_FALSE(a.verify(half));
  auto foreign = a.x;
  agreement_signature extra = a.x.signatures[1];
  extra.header = client::header_for(a.x.case_id);
  extra = *client::sign(extra, a.responsible);  // signed, but never recorded by the relay
  foreign.signatures.push_back(extra);
  EXPECT_EQ(a.verify(foreign).error().code, errc::broken_chain);
  auto changed_mark = a.x;
  changed_mark.marks[0].item = 2;  // its signature no longer verifies; re-signed, the relay never recorded it
  EXPECT_FALSE(a.verify(changed_mark));
  changed_mark.marks[0] = *client::sign(changed_mark.marks[0], a.facilitator);
  EXPECT_EQ(a.verify(changed_mark).error().code, errc::broken_chain);
}

TEST(AgreementExport, AMarkOfAnItemTheAgreementLacksIsRefusedEvenWhenTheRelayRecordedIt) {
  const signed_agreement a(3);  // signed, recorded in the trail, checkpointed: and the agreement has two items
  const auto v = a.verify(a.x);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, errc::bad_value);
  EXPECT_NE(v.error().detail.find("no such item"), std::string::npos) << v.error().detail;
}

}  // namespace
}  // namespace shuttle::proto
