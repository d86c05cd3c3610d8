// The restorative process as its people live it, through the `shuttle` CLI
// against a real relay: a supporter beside the harmed party, replies that
// name the letter they answer, facilitators who know each other by name and
// their cases by a label only they can read, and quiet hours that hold a
// release. Each step is the command a person types, in the order they type it.
#include "tests/cli/cli_person.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <unistd.h>
#include <fstream>
#include <sstream>
#include <thread>

namespace shuttle::testing {
namespace {

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// Whether some letter in `shuttle letters --json` has this id.
bool lists(const person& p, const std::string& case_id, const std::string& message) {
  const auto list = p.ok("letters", {case_id});
  if (!list.is_array()) return false;
  for (const auto& m : list.as_array()) {
    if (text(m, "message") == message) return true;
  }
  return false;
}

// A facilitator reads a letter and approves it, as one does.
void review_and_approve(const scene& s, const std::string& message, std::vector<std::string> extra = {}) {
  s.f.ok("review", {s.case_id, message});
  std::vector<std::string> args{s.case_id, message};
  args.insert(args.end(), extra.begin(), extra.end());
  s.f.ok("approve", args);
}

TEST(Process, ASupporterReadsWhatTheirPartyLetsThemAndWritesToTheFacilitators) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  person hs = s.party("harmed-supporter", "harmed_support");

  // A supporter never writes to the other party, and is told so plainly.
  auto refused = hs.run("write", {s.case_id, "--text", "from the supporter"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_TRUE(has(refused.out, "A supporter writes to the facilitators")) << refused.out;
  // ... but can write to the facilitators, who read it.
  const std::string note = text(hs.ok("note", {s.case_id, "--text", "She sleeps badly since the invitation."}), "message");
  EXPECT_EQ(text(s.f.ok("read", {s.case_id, note}), "text"), "She sleeps badly since the invitation.");
  EXPECT_FALSE(lists(r, s.case_id, note));
  EXPECT_FALSE(lists(h, s.case_id, note));

  // Before any grant the supporter sees none of the party's letters.
  const std::string before = text(h.ok("write", {s.case_id, "--text", "written before the grant"}), "message");
  review_and_approve(s, before);
  EXPECT_FALSE(lists(hs, s.case_id, before));

  // The harmed party lets their supporter read, by the safety number the case shows.
  const std::string hs_safety = text(hs.ok("whoami", {}), "safety_number");
  auto shown = h.run("case", {"show", s.case_id});
  EXPECT_TRUE(has(shown.out, "not reading letters")) << shown.out;
  auto granted = h.run("grant", {s.case_id, "--safety-number", hs_safety});
  EXPECT_EQ(granted.status, 0) << granted.out;
  EXPECT_TRUE(has(granted.out, "can now read the letters you send and receive")) << granted.out;
  // The responsible party cannot grant the harmed party's supporter anything.
  auto not_theirs = r.run("grant", {s.case_id, "--safety-number", hs_safety});
  EXPECT_EQ(not_theirs.status, 1) << not_theirs.out;

  const std::string letter = text(h.ok("write", {s.case_id, "--text", "I want you to know how it was."}), "message");
  EXPECT_EQ(text(hs.ok("read", {s.case_id, letter}), "text"), "I want you to know how it was.");
  review_and_approve(s, letter, {"--note", "Take your time with this one."});
  EXPECT_EQ(text(r.ok("read", {s.case_id, letter}), "text"), "I want you to know how it was.");

  // The reply names the letter it answers; the harmed party and their supporter read it.
  const std::string reply =
      text(r.ok("write", {s.case_id, "--text", "Thank you. I am sorry.", "--reply-to", letter}), "message");
  review_and_approve(s, reply);
  auto listed = h.run("letters", {s.case_id});
  EXPECT_TRUE(has(listed.out, "a reply to your letter " + letter.substr(0, 8) + " (\"I want you to know how it was.\")"))
      << listed.out;
  EXPECT_EQ(text(h.ok("read", {s.case_id, reply}), "text"), "Thank you. I am sorry.");
  EXPECT_EQ(text(hs.ok("read", {s.case_id, reply}), "text"), "Thank you. I am sorry.");
  const auto letters = h.ok("letters", {s.case_id});
  ASSERT_TRUE(letters.is_array());
  for (const auto& m : letters.as_array()) {
    if (text(m, "message") == reply) {
      EXPECT_EQ(text(m, "kind"), "reply");
    }
  }
  // Only a letter the writer received can be answered.
  auto wrong = r.run("write", {s.case_id, "--text", "answering my own", "--reply-to", reply});
  EXPECT_EQ(wrong.status, 1);
  EXPECT_TRUE(has(wrong.out, "A reply must answer a letter you received")) << wrong.out;

  // The grant ends: from now on the supporter reads nothing of the party's.
  auto stopped = h.run("grant", {s.case_id, "--safety-number", hs_safety, "--stop"});
  EXPECT_EQ(stopped.status, 0) << stopped.out;
  EXPECT_FALSE(lists(hs, s.case_id, letter));
  const std::string after = text(h.ok("write", {s.case_id, "--text", "after the grant ended"}), "message");
  EXPECT_FALSE(lists(hs, s.case_id, after));
  // What they read before stays on their device.
  auto kept = hs.run("read", {s.case_id, letter});
  EXPECT_EQ(kept.status, 0) << kept.out;
  EXPECT_TRUE(has(kept.out, "I want you to know how it was.")) << kept.out;

  // A supporter can leave the process like anyone.
  auto left = hs.run("withdraw", {s.case_id, "--yes"});
  EXPECT_EQ(left.status, 0) << left.out;
}

// A case labelled before the co-facilitator joins: confirming their keys
// seals the label to them too, so their queue and their cases name it.
TEST(Process, AColleagueConfirmedAfterTheLabelWasSetReadsItToo) {
  scene s;
  person g{s.root / "second-facilitator"};
  ASSERT_EQ(g.run("enrol", {s.relay.invite_facilitator(), "--name", "Tomas Lie"}).status, 0);
  s.case_id = text(s.f.ok("case", {"open", "--two-person"}), "case");
  s.f.ok("case", {"label", s.case_id, "--label", "Hamar, the bicycle"});
  ASSERT_EQ(g.run("enrol", {text(s.f.ok("invite", {s.case_id, "--role", "facilitator"}), "code")}).status, 0);
  EXPECT_FALSE(has(g.run("cases", {}).out, "Hamar, the bicycle"));
  s.f.ok("attest", {s.case_id, "--safety-number", text(g.ok("whoami", {}), "safety_number")});
  EXPECT_TRUE(has(g.run("cases", {}).out, "Hamar, the bicycle"));
}

TEST(Process, FacilitatorsKnowEachOtherByNameAndTheirCasesByALabelOnlyTheyRead) {
  scene s;
  person g = s.two_person_case();
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  const std::string label = "Drammen, break-in of March";
  auto labelled = s.f.run("case", {"label", s.case_id, "--label", label});
  EXPECT_EQ(labelled.status, 0) << labelled.out;

  const std::string m = text(h.ok("write", {s.case_id, "--text", "for the two of you"}), "message");
  g.ok("review", {s.case_id, m});
  auto queue = s.f.run("queue", {});
  EXPECT_TRUE(has(queue.out, "\"" + label + "\"")) << queue.out;
  EXPECT_TRUE(has(queue.out, "being reviewed by Tomas Lie")) << queue.out;
  EXPECT_TRUE(has(g.run("cases", {}).out, label));
  // The parties never see it, and the relay holds it only sealed.
  EXPECT_FALSE(has(h.run("cases", {}).out, label));
  EXPECT_FALSE(has(h.run("cases", {"--json"}).out, "label"));
  for (const auto& file : std::filesystem::recursive_directory_iterator(s.relay.data_dir() / "data")) {
    std::ifstream in(file.path(), std::ios::binary);
    std::stringstream all;
    all << in.rdbuf();
    EXPECT_FALSE(has(all.str(), "break-in of March")) << file.path();
  }

  // Each approver's note reaches the reader with the name they enrolled with.
  g.ok("approve", {s.case_id, m, "--note", "Read it with someone near."});
  s.f.ok("review", {s.case_id, m});
  s.f.ok("approve", {s.case_id, m, "--note", "Call me afterwards if you like."});
  auto read = r.run("read", {s.case_id, m});
  EXPECT_TRUE(has(read.out, "a note from Tomas Lie, before you read")) << read.out;
  EXPECT_TRUE(has(read.out, "a note from Ingrid Berg, before you read")) << read.out;

  // A facilitator account needs a name colleagues recognise.
  person nameless{s.root / "nameless"};
  auto refused = nameless.run("enrol", {s.relay.invite_facilitator()});
  EXPECT_EQ(refused.status, 1);
  EXPECT_TRUE(has(refused.out, "needs a name your colleagues will recognise")) << refused.out;
}

// "HH:MM" of a Unix time in UTC.
std::string utc_clock(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[8];
  std::strftime(out, sizeof out, "%H:%M", &tm);
  return out;
}

TEST(Process, QuietHoursHoldAReleaseUntilTheyEnd) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  // Quiet from an hour ago until the next whole minute, in UTC, with at
  // least 40 s left: the six commands before the first look took up to 29 s
  // under ASan on a busy machine, and the look must come before the end.
  std::time_t now = std::time(nullptr);
  if (now % 60 > 20) {
    std::this_thread::sleep_for(std::chrono::seconds(61 - now % 60));
    now = std::time(nullptr);
  }
  const std::time_t end = now - now % 60 + 60;
  auto set = s.f.run("case", {"quiet-hours", s.case_id, "--from", utc_clock(now - 3600), "--until", utc_clock(end),
                              "--time-zone", "UTC"});
  EXPECT_EQ(set.status, 0) << set.out;
  EXPECT_TRUE(has(s.f.run("case", {"show", s.case_id}).out, "quiet hours " + utc_clock(now - 3600))) << "shown";
  auto bad = s.f.run("case", {"quiet-hours", s.case_id, "--from", "22:00", "--until", "07:00", "--time-zone", "Mars/Olympus"});
  EXPECT_EQ(bad.status, 1) << bad.out;

  const std::string m = text(h.ok("write", {s.case_id, "--text", "not in the night"}), "message");
  s.f.ok("review", {s.case_id, m});
  auto approved = s.f.run("approve", {s.case_id, m});
  EXPECT_EQ(approved.status, 0) << approved.out;
  EXPECT_TRUE(has(approved.out, "falls in the case's quiet hours")) << approved.out;
  ASSERT_LT(std::time(nullptr), end) << "the quiet hours ended before the first look";
  EXPECT_FALSE(lists(r, s.case_id, m));
  bool released = false;
  for (int i = 0; i < 150 && !released; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    released = lists(r, s.case_id, m);
  }
  ASSERT_TRUE(released);
  EXPECT_GE(std::time(nullptr), end);
  EXPECT_EQ(text(r.ok("read", {s.case_id, m}), "text"), "not in the night");
}

TEST(Process, StagesAreSeenByEveryoneAndThePersonHarmedPausesReleasesUntilTheyResume) {
  scene s;
  person g = s.two_person_case();
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  g.ok("attest", {s.case_id, "--safety-number", text(h.ok("whoami", {}), "safety_number")});
  g.ok("attest", {s.case_id, "--safety-number", text(r.ok("whoami", {}), "safety_number")});

  // A new case is getting started; each person reads where it is and what comes next.
  auto first = h.run("case", {"show", s.case_id});
  EXPECT_TRUE(has(first.out, "getting started")) << first.out;
  EXPECT_TRUE(has(first.out, "Next, they meet you to prepare.")) << first.out;

  // The facilitators move it on; both parties and the other facilitator see it.
  auto moved = s.f.run("stage", {s.case_id, "preparation"});
  EXPECT_EQ(moved.status, 0) << moved.out;
  EXPECT_TRUE(has(moved.out, "The case is now at \"preparing\"")) << moved.out;
  EXPECT_TRUE(has(r.run("case", {"show", s.case_id}).out, "The facilitators meet each person to prepare."));
  EXPECT_TRUE(has(g.run("cases", {}).out, "preparing"));
  EXPECT_EQ(text(h.ok("case", {"show", s.case_id}), "stage"), "preparation");
  g.ok("stage", {s.case_id, "exchange"});
  EXPECT_TRUE(has(h.run("cases", {}).out, "exchanging letters"));
  // A party cannot move the stage; a word that is no stage is refused in words.
  auto not_theirs = h.run("stage", {s.case_id, "agreement"});
  EXPECT_EQ(not_theirs.status, 1) << not_theirs.out;
  auto no_stage = s.f.run("stage", {s.case_id, "closing"});
  EXPECT_EQ(no_stage.status, 1) << no_stage.out;
  EXPECT_TRUE(has(no_stage.out, "closing is shuttle case close")) << no_stage.out;

  // The person harmed pauses the case; only they can.
  auto refused = r.run("pause", {s.case_id});
  EXPECT_EQ(refused.status, 1) << refused.out;
  EXPECT_TRUE(has(refused.out, "Only the person harmed can pause the case")) << refused.out;
  auto paused = h.run("pause", {s.case_id});
  EXPECT_EQ(paused.status, 0) << paused.out;
  EXPECT_TRUE(has(paused.out, "No letter is released to anyone until you resume it")) << paused.out;
  EXPECT_TRUE(has(s.f.run("cases", {}).out, "(paused by the person harmed)"));
  EXPECT_TRUE(has(r.run("case", {"show", s.case_id}).out, "has paused the case"));

  // Letters are still written and reviewed by both facilitators, and wait.
  const std::string m = text(r.ok("write", {s.case_id, "--text", "I have thought about that night."}), "message");
  g.ok("review", {s.case_id, m});
  g.ok("approve", {s.case_id, m});
  s.f.ok("review", {s.case_id, m});
  auto approved = s.f.run("approve", {s.case_id, m});
  EXPECT_EQ(approved.status, 0) << approved.out;
  EXPECT_TRUE(has(approved.out, "released when they resume it")) << approved.out;
  auto waiting = s.f.run("queue", {"--later"});
  EXPECT_TRUE(has(waiting.out, "released when the person harmed resumes the case")) << waiting.out;
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the relay's release timer runs every second
  EXPECT_FALSE(lists(h, s.case_id, m));

  // She resumes; the letter reaches her within a few seconds and opens.
  auto resumed = h.run("resume", {s.case_id});
  EXPECT_EQ(resumed.status, 0) << resumed.out;
  bool released = false;
  for (int i = 0; i < 40 && !released; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    released = lists(h, s.case_id, m);
  }
  ASSERT_TRUE(released);
  EXPECT_EQ(text(h.ok("read", {s.case_id, m}), "text"), "I have thought about that night.");
  EXPECT_FALSE(has(s.f.run("cases", {}).out, "paused"));

  // The audit trail holds each stage and the pause, and verifies.
  auto trail = s.f.run("audit", {s.case_id});
  EXPECT_EQ(trail.status, 0) << trail.out;
  for (const char* event : {"stage_set", "paused", "resumed"}) EXPECT_TRUE(has(trail.out, event)) << event;
}

TEST(Process, AFacilitatorAndOnePartyWriteToEachOtherAndTheOtherPartyNeverSeesIt) {
  scene s;
  person g = s.two_person_case();
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  for (const person* p : {&h, &r}) g.ok("attest", {s.case_id, "--safety-number", text(p->ok("whoami", {}), "safety_number")});

  // She asks her facilitators something practical; no review, and the other party never sees it.
  auto asked = h.run("note", {s.case_id, "--text", "Can we talk before anything is sent to him?"});
  EXPECT_EQ(asked.status, 0) << asked.out;
  EXPECT_TRUE(has(asked.out, "The other party never sees it.")) << asked.out;
  const std::string question = text(h.ok("note", {s.case_id, "--text", "And may my sister come to the meeting?"}), "message");
  EXPECT_EQ(text(s.f.ok("read", {s.case_id, question}), "text"), "And may my sister come to the meeting?");
  EXPECT_EQ(text(g.ok("read", {s.case_id, question}), "text"), "And may my sister come to the meeting?");
  EXPECT_TRUE(has(h.run("letters", {s.case_id}).out, "your note to the facilitators"));
  EXPECT_FALSE(lists(r, s.case_id, question));
  EXPECT_FALSE(has(s.f.run("queue", {}).out, question.substr(0, 8)));  // never reviewed

  // A facilitator answers her alone: it reaches her at once, unreviewed, and only her.
  auto sent = s.f.run("note", {s.case_id, "--to", "harmed", "--text", "Yes. Shall we meet on Tuesday at ten?"});
  EXPECT_EQ(sent.status, 0) << sent.out;
  EXPECT_TRUE(has(sent.out, "is with the harmed party now. The other party never sees it.")) << sent.out;
  const std::string answer = text(s.f.ok("note", {s.case_id, "--to", "harmed", "--text", "Bring anyone you like."}), "message");
  auto listed = h.run("letters", {s.case_id});
  EXPECT_TRUE(has(listed.out, "a note from your facilitator")) << listed.out;
  auto read = h.ok("read", {s.case_id, answer});
  EXPECT_EQ(text(read, "text"), "Bring anyone you like.");
  EXPECT_FALSE(lists(r, s.case_id, answer));
  EXPECT_EQ(r.run("read", {s.case_id, answer}).status, 1);
  // It is not declined like a letter; it can simply be left unread.
  EXPECT_EQ(h.run("decline", {s.case_id, answer}).status, 1);

  // Only the facilitators write to a party; a party's note goes to them.
  auto refused = r.run("note", {s.case_id, "--to", "harmed", "--text", "to her directly"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_TRUE(has(refused.out, "only they write to a party")) << refused.out;

  // While she has paused the case, her facilitators can still reach her.
  h.ok("pause", {s.case_id});
  const std::string during = text(g.ok("note", {s.case_id, "--to", "harmed", "--text", "Take the time you need."}), "message");
  EXPECT_EQ(text(h.ok("read", {s.case_id, during}), "text"), "Take the time you need.");
}

TEST(Process, AnAgreementIsDraftedChangedSignedByEveryoneMarkedAndVerifiedOffline) {
  scene s;
  person g = s.two_person_case();
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  for (const person* p : {&h, &r}) g.ok("attest", {s.case_id, "--safety-number", text(p->ok("whoami", {}), "safety_number")});
  s.f.ok("stage", {s.case_id, "agreement"});

  // Only the facilitators write it; a first draft reaches both parties at once, unreviewed.
  auto not_hers = h.run("agreement", {"draft", s.case_id, "--item", "a | b | c | d"});
  EXPECT_EQ(not_hers.status, 1);
  EXPECT_TRUE(has(not_hers.out, "The facilitators write the agreement")) << not_hers.out;
  auto none = h.run("agreement", {"show", s.case_id});
  EXPECT_EQ(none.status, 1);
  EXPECT_TRUE(has(none.out, "There is no agreement in this case yet")) << none.out;
  auto drafted = s.f.run("agreement", {"draft", s.case_id, "--item",
                                       "Pay for the fence | Jonas | by 31 January | Mia tells the facilitators"});
  EXPECT_EQ(drafted.status, 0) << drafted.out;
  EXPECT_TRUE(has(drafted.out, "is with both parties to read and sign")) << drafted.out;
  auto first = h.run("agreement", {"show", s.case_id});
  EXPECT_EQ(first.status, 0) << first.out;
  EXPECT_TRUE(has(first.out, "1. Pay for the fence")) << first.out;
  EXPECT_TRUE(has(first.out, "how it is checked: Mia tells the facilitators")) << first.out;
  EXPECT_TRUE(has(first.out, "Not signed yet by: you, the responsible party, facilitator")) << first.out;

  // She asks for a change; the facilitators read it and write a second version, which replaces the first.
  auto asked = h.run("agreement", {"ask", s.case_id, "--text", "Could he also write to me once more, later?"});
  EXPECT_EQ(asked.status, 0) << asked.out;
  bool read_it = false;
  const auto letters = s.f.ok("letters", {s.case_id});
  for (const auto& m : letters.as_array()) {
    if (text(m, "kind") == "note" && has(text(s.f.ok("read", {s.case_id, text(m, "message")}), "text"), "write to me once more")) {
      read_it = true;
    }
  }
  EXPECT_TRUE(read_it);
  // Signing the first version now would be signing what no longer holds: the CLI signs only the current one.
  s.f.ok("agreement", {"draft", s.case_id, "--item", "Pay for the fence | Jonas | by 31 January | Mia tells the facilitators",
                       "--item", "Write to Mia about what has changed | Jonas | within three months | the facilitators review it"});
  auto second = r.ok("agreement", {"show", s.case_id});
  ASSERT_EQ(second.at("items").as_array().size(), 2u);
  EXPECT_FALSE(second.at("bound").as_bool());

  // Each signs after reading it; it binds only with both parties and both facilitators.
  auto unconfirmed = h.run("agreement", {"sign", s.case_id});
  EXPECT_EQ(unconfirmed.status, 1);
  EXPECT_TRUE(has(unconfirmed.out, "add --yes")) << unconfirmed.out;
  auto signed_h = h.run("agreement", {"sign", s.case_id, "--yes"});
  EXPECT_EQ(signed_h.status, 0) << signed_h.out;
  EXPECT_TRUE(has(signed_h.out, "It binds once both parties and the facilitators have signed.")) << signed_h.out;
  auto early = s.f.run("agreement", {"mark", s.case_id, "1", "done"});
  EXPECT_EQ(early.status, 1);
  EXPECT_TRUE(has(early.out, "once everyone has signed")) << early.out;
  EXPECT_FALSE(r.ok("agreement", {"sign", s.case_id, "--yes"}).at("bound").as_bool());
  EXPECT_FALSE(s.f.ok("agreement", {"sign", s.case_id, "--yes"}).at("bound").as_bool());
  auto last = g.run("agreement", {"sign", s.case_id, "--yes"});
  EXPECT_EQ(last.status, 0) << last.out;
  EXPECT_TRUE(has(last.out, "Everyone has now signed: the agreement binds.")) << last.out;
  auto bound = h.run("agreement", {"show", s.case_id});
  EXPECT_TRUE(has(bound.out, "It binds: both parties and the facilitators signed this text")) << bound.out;

  // Afterwards a facilitator marks the items; both parties see it.
  s.f.ok("agreement", {"mark", s.case_id, "1", "done"});
  g.ok("agreement", {"mark", s.case_id, "2", "not-done"});
  auto marked = r.run("agreement", {"show", s.case_id});
  EXPECT_TRUE(has(marked.out, "done, says facilitator Ingrid Berg")) << marked.out;
  EXPECT_TRUE(has(marked.out, "not done, says facilitator Tomas Lie")) << marked.out;
  auto no_item = s.f.run("agreement", {"mark", s.case_id, "3", "done"});
  EXPECT_EQ(no_item.status, 1);
  EXPECT_TRUE(has(no_item.out, "items 1 to 2")) << no_item.out;
  EXPECT_EQ(h.run("agreement", {"mark", s.case_id, "1", "done"}).status, 1);  // the facilitators mark

  // Exported by a facilitator, checked offline by the person harmed with the relay's key she pinned.
  const auto file = (s.root / "agreement.json").string();
  auto exported = s.f.run("agreement", {"export", s.case_id, "--out", file});
  EXPECT_EQ(exported.status, 0) << exported.out;
  auto verified = h.run("agreement", {"verify", file});
  EXPECT_EQ(verified.status, 0) << verified.out;
  EXPECT_TRUE(has(verified.out, "verifies with the relay's key")) << verified.out;
  EXPECT_TRUE(has(verified.out, "2. Write to Mia about what has changed")) << verified.out;
  EXPECT_TRUE(has(verified.out, text(r.ok("whoami", {}), "safety_number"))) << verified.out;
  EXPECT_TRUE(has(verified.out, "done, says facilitator Ingrid Berg")) << verified.out;
  // A word changed in the file no longer verifies.
  std::string body;
  {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    body = ss.str();
  }
  const auto at = body.find("within three months");
  ASSERT_NE(at, std::string::npos);
  body.replace(at, std::string("within three months").size(), "within three years");
  std::ofstream(file, std::ios::trunc) << body;
  auto tampered = h.run("agreement", {"verify", file});
  EXPECT_EQ(tampered.status, 1) << tampered.out;

  // The audit trail records each signature, the binding and each mark, with no content.
  auto trail = s.f.run("audit", {s.case_id});
  for (const char* event : {"agreement_signed", "agreement_bound", "item_marked"}) EXPECT_TRUE(has(trail.out, event)) << event;
  EXPECT_FALSE(has(trail.out, "fence"));
}

TEST(Process, ACheckInReachesThePartyAtItsTimeTheyAnswerItAndOnlyThenTheCaseCloses) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  s.f.ok("stage", {s.case_id, "aftercare"});

  // The facilitator schedules a question for her, a few seconds ahead (ten: a loaded machine still
  // finds it waiting), with a service she can turn to.
  const std::time_t due = std::time(nullptr) + 10;
  char at[32];
  std::strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&due));
  auto scheduled = s.f.run("checkin", {"schedule", s.case_id, "--for", "harmed", "--at", at, "--question",
                                       "How are things since the agreement?", "--support", "Victim support: 116 006"});
  EXPECT_EQ(scheduled.status, 0) << scheduled.out;
  EXPECT_TRUE(has(scheduled.out, "reaches the harmed party")) << scheduled.out;
  EXPECT_TRUE(has(scheduled.out, "The case stays open until it is answered.")) << scheduled.out;
  const auto listed = s.f.ok("checkin", {"list", s.case_id});
  ASSERT_EQ(listed.as_array().size(), 1u);
  const std::string checkin = text(listed.as_array()[0], "message");
  EXPECT_EQ(text(listed.as_array()[0], "state"), "scheduled");
  EXPECT_EQ(h.run("checkin", {"answer", s.case_id, checkin, "--text", "too early"}).status, 1);

  // The case stays open while it is, unless the facilitator says otherwise.
  auto refused = s.f.run("case", {"close", s.case_id, "--yes"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_TRUE(has(refused.out, "A check-in is still open in this case")) << refused.out;
  EXPECT_TRUE(has(refused.out, "--despite-checkins")) << refused.out;

  // At its time it reaches her; the other party never sees it.
  bool reached = false;
  for (int i = 0; i < 80 && !reached; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    reached = has(h.run("checkin", {"list", s.case_id}).out, "waiting for your answer");
  }
  ASSERT_TRUE(reached);
  const std::string question = text(h.ok("read", {s.case_id, checkin}), "text");
  EXPECT_TRUE(has(question, "How are things since the agreement?")) << question;
  EXPECT_TRUE(has(question, "Support you can turn to:\n  Victim support: 116 006")) << question;
  EXPECT_TRUE(has(r.run("checkin", {"list", s.case_id}).out, "No check-in has reached you.")) ;
  EXPECT_EQ(r.run("read", {s.case_id, checkin}).status, 1);

  // She answers; the facilitators read it, and now the case can close.
  auto answered = h.run("checkin", {"answer", s.case_id, checkin, "--text", "Better. The fence is mended."});
  EXPECT_EQ(answered.status, 0) << answered.out;
  EXPECT_TRUE(has(answered.out, "Your facilitators have your answer")) << answered.out;
  const auto after = s.f.ok("checkin", {"list", s.case_id});
  EXPECT_EQ(text(after.as_array()[0], "state"), "answered");
  EXPECT_EQ(text(s.f.ok("read", {s.case_id, text(after.as_array()[0], "answer")}), "text"), "Better. The fence is mended.");
  EXPECT_TRUE(has(s.f.run("checkin", {"list", s.case_id}).out, "answered by the harmed party"));
  auto closed = s.f.run("case", {"close", s.case_id, "--yes"});
  EXPECT_EQ(closed.status, 0) << closed.out;
}

TEST(Process, EachPartyReadsAndAgreesToTheConsentTextAndReadsItAgainWhenItChanges) {
  const auto dir = std::filesystem::temp_directory_path() / ("shuttle-cli-consent-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "en.txt") << "What is said here stays between the people in the case.\n";
  std::ofstream(dir / "nb.txt") << "Det som blir sagt her, blir mellom dem som er med i saken.\n";
  scene s({"--consent-dir", dir.string()});
  person h{s.root / "harmed"};
  const std::string code = text(s.f.ok("invite", {s.case_id, "--role", "harmed"}), "code");

  // Without agreeing she has not joined; the text is shown and what to do is said.
  auto shown = h.run("enrol", {code, "--language", "nb"});
  EXPECT_EQ(shown.status, 1);
  EXPECT_TRUE(has(shown.out, "Det som blir sagt her, blir mellom dem som er med i saken.")) << shown.out;
  EXPECT_TRUE(has(shown.out, "run the same command again with --agree")) << shown.out;
  EXPECT_TRUE(has(shown.out, "You have not joined")) << shown.out;
  auto joined = h.run("enrol", {code, "--language", "nb", "--agree"});
  ASSERT_EQ(joined.status, 0) << joined.out;
  s.f.ok("attest", {s.case_id, "--safety-number", text(h.ok("whoami", {}), "safety_number")});

  // The facilitator sees who agreed to which text; she reads hers again.
  auto listed = s.f.run("case", {"show", s.case_id});
  EXPECT_TRUE(has(listed.out, "agreed to the consent text (nb)")) << listed.out;
  auto again = h.run("consent", {s.case_id});
  EXPECT_TRUE(has(again.out, "Det som blir sagt her, blir mellom dem som er med i saken.")) << again.out;
  EXPECT_TRUE(has(again.out, "It is still the service's text.")) << again.out;
  EXPECT_TRUE(has(again.out, "To withdraw your consent, leave the process")) << again.out;

  // The service changes its text: an earlier version, until she agrees to the new one.
  std::ofstream(dir / "nb.txt") << "Det som blir sagt her, blir mellom dem som er med, med mindre noen er i fare.\n";
  s.relay.restart();
  EXPECT_TRUE(has(s.f.run("case", {"show", s.case_id}).out, "agreed to an earlier consent text"));
  EXPECT_TRUE(has(h.run("consent", {s.case_id}).out, "The service's text has changed since."));
  auto renewed = h.run("consent", {s.case_id, "--agree"});
  EXPECT_EQ(renewed.status, 0) << renewed.out;
  EXPECT_TRUE(has(renewed.out, "med mindre noen er i fare")) << renewed.out;
  EXPECT_TRUE(has(s.f.run("case", {"show", s.case_id}).out, "agreed to the consent text (nb)"));
  EXPECT_TRUE(has(h.run("consent", {s.case_id}).out, "med mindre noen er i fare"));
  std::filesystem::remove_all(dir);
}

TEST(Process, FacilitatorsOfferAPartyPromptsAndNamesSealedToThemAlone) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  auto offered = s.f.run("prompts", {s.case_id, "--for", "responsible", "--standard", "--language", "nb"});
  EXPECT_EQ(offered.status, 0) << offered.out;
  EXPECT_TRUE(has(offered.out, "The relay cannot read them.")) << offered.out;
  auto listed = s.f.run("names", {s.case_id, "--for", "harmed", "--text", "Kari Nordmann\nStorgata 5"});
  EXPECT_EQ(listed.status, 0) << listed.out;
  // Each party sees what was offered to them, and nothing offered to the other.
  auto prompts = r.run("prompts", {s.case_id});
  EXPECT_TRUE(has(prompts.out, "  - Hva trenger du nå?")) << prompts.out;
  EXPECT_TRUE(has(prompts.out, "the letter is yours")) << prompts.out;
  EXPECT_TRUE(has(h.run("prompts", {s.case_id}).out, "Your facilitators have offered no prompts."));
  EXPECT_TRUE(has(h.run("names", {s.case_id}).out, "  - Storgata 5"));
  EXPECT_TRUE(has(r.run("names", {s.case_id}).out, "Your facilitators have listed no names."));
  auto wrong = s.f.run("prompts", {s.case_id, "--for", "harmed_support", "--standard"});
  EXPECT_EQ(wrong.status, 1) << wrong.out;
}

// The queue's letters, as the facilitator sees them.
std::size_t queued(const scene& s) {
  const auto q = s.f.ok("queue", {});
  return q.is_array() ? q.as_array().size() : 0;
}

TEST(Process, TheWritersDeviceAsksAboutIdentifyingDetailsBeforeALetterGoesAndSendingStaysTheirs) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  ASSERT_EQ(s.f.run("names", {s.case_id, "--for", "harmed", "--text", "Kari Nordmann\nBryne"}).status, 0);
  const std::string letter = "Kari Nordmann så alt. Ring meg på 912 34 567 hvis du vil snakke.";

  // At a terminal the question waits; Enter changes it first, and nothing is sent.
  auto asked = h.at_terminal("write", {s.case_id, "--text", letter}, "\n");
  EXPECT_EQ(asked.status, 1) << asked.out;
  EXPECT_TRUE(has(asked.out, "a name or place your facilitator listed: \"[Kari Nordmann] så alt.\"")) << asked.out;
  EXPECT_TRUE(has(asked.out, "a phone number: \"Ring meg på [912 34 567] hvis du vil snakke.\"")) << asked.out;
  EXPECT_TRUE(has(asked.out, "Nothing was sent.")) << asked.out;
  EXPECT_EQ(queued(s), 0u);

  // Looking without sending: what was found, and still nothing sent.
  const auto looked = h.ok("write", {s.case_id, "--text", letter, "--check-only"});
  ASSERT_EQ(looked.at("findings").as_array().size(), 2u) << looked;
  EXPECT_EQ(text(looked.at("findings").at(1), "kind"), "phone");
  EXPECT_EQ(text(looked.at("findings").at(1), "before"), "Ring meg på ");
  EXPECT_EQ(queued(s), 0u);

  // Changed in the editor she wrote it in: the editor opens again on her
  // letter, she takes the number out; asked again about the name, she keeps it.
  const auto editor = s.root / "editor.sh";
  {
    std::ofstream e(editor);
    e << "#!/bin/sh\n"
         "if grep -q 912 \"$1\"; then sed -i 's/Ring meg på 912 34 567 hvis du vil snakke./Skriv gjennom "
         "tjenesten./' \"$1\"\n"
         "else printf '%s' " << quoted(letter) << " > \"$1\"; fi\n";
  }
  std::filesystem::permissions(editor, std::filesystem::perms::owner_all);
  auto edited = h.at_terminal("write", {s.case_id}, "\nsend\n", "EDITOR=" + quoted(editor.string()));
  EXPECT_EQ(edited.status, 0) << edited.out;
  EXPECT_TRUE(has(edited.out, "is with your facilitator")) << edited.out;
  EXPECT_TRUE(has(edited.out, "a name or place your facilitator listed: \"[Kari Nordmann] så alt.\"\r\n\r\nSend "))
      << "asked again, about the name alone: " << edited.out;
  ASSERT_EQ(queued(s), 1u);
  const std::string changed = text(s.f.ok("queue", {}).at(0), "message");
  EXPECT_EQ(text(s.f.ok("review", {s.case_id, changed}), "text"), "Kari Nordmann så alt. Skriv gjennom tjenesten.");
  s.f.ok("approve", {s.case_id, changed});

  // Leaving at the question (Ctrl-D) sends nothing, and keeps what she wrote in the editor.
  auto left = h.at_terminal("write", {s.case_id}, "", "EDITOR=" + quoted(editor.string()));
  EXPECT_EQ(left.status, 1) << left.out;
  const auto kept_at = left.out.find("Your letter is kept in ");
  ASSERT_NE(kept_at, std::string::npos) << left.out;
  const auto kept = left.out.substr(kept_at + 23, left.out.find(' ', kept_at + 23) - kept_at - 23);
  std::ifstream kept_file(kept);
  std::stringstream kept_text;
  kept_text << kept_file.rdbuf();
  EXPECT_EQ(kept_text.str(), letter);
  std::filesystem::remove(kept);
  EXPECT_EQ(queued(s), 0u);

  // Sending it as it is, at the terminal, is her choice.
  auto sent = h.at_terminal("write", {s.case_id, "--text", letter}, "send\n");
  EXPECT_EQ(sent.status, 0) << sent.out;
  EXPECT_TRUE(has(sent.out, "is with your facilitator")) << sent.out;
  EXPECT_EQ(queued(s), 1u);

  // A script has no one to ask: the findings are said, and the letter goes.
  auto scripted = h.run("write", {s.case_id, "--text", "Skriv til kari.nordmann@example.no."});
  EXPECT_EQ(scripted.status, 0) << scripted.out;
  EXPECT_TRUE(has(scripted.out, "an e-mail address: \"Skriv til [kari.nordmann@example.no].\"")) << scripted.out;
  EXPECT_TRUE(has(scripted.out, "No one is here to ask, so it goes as it is")) << scripted.out;
  EXPECT_EQ(queued(s), 2u);

  // The list is the harmed party's: the responsible party's letter naming Kari is not asked about.
  const auto other = r.ok("write", {s.case_id, "--text", "Jeg vet at Kari Nordmann var der.", "--check-only"});
  EXPECT_TRUE(other.at("findings").as_array().empty()) << other;
}

// The relay's certificate pin, as the service hands it out with its address.
std::string pin_of(const scene& s) {
  const auto r = person::shell("openssl x509 -in " + quoted((s.relay.data_dir() / "data" / "tls-certificate.pem").string()) +
                               " -outform der | openssl dgst -sha256 -binary | base64 -w0 | tr '+/' '-_' | tr -d '='");
  return r.out;
}

TEST(Process, APersonWithNoAccountAsksToBeContactedAndTheFacilitatorsOpenACaseFromIt) {
  scene s;
  person g{s.root / "second-facilitator"};
  ASSERT_EQ(g.run("enrol", {s.relay.invite_facilitator(), "--name", "Tomas Lie"}).status, 0);
  const std::string address = "127.0.0.1:" + std::to_string(s.relay.port());
  const std::string pin = pin_of(s);
  ASSERT_EQ(pin.size(), 43u) << pin;

  // She has no account: she writes what happened and how to reach her, and keeps the receipt code.
  person her{s.root / "no-account"};
  auto asked = her.run("refer", {address, "--relay-pin", pin, "--about", "harmed", "--contact",
                                 "Call me on weekdays after five", "--text",
                                 "Someone broke into our flat in March.\nI would like to talk about it."});
  ASSERT_EQ(asked.status, 0) << asked.out;
  EXPECT_TRUE(has(asked.out, "only its facilitators can read it")) << asked.out;
  const auto at = asked.out.find("shuttle-referral-1.");
  ASSERT_NE(at, std::string::npos) << asked.out;
  const std::string code = asked.out.substr(at, asked.out.find('\n', at) - at);
  // Days later, pasted from the e-mail she sent herself, wrapped.
  const std::string wrapped = code.substr(0, 30) + "\n" + code.substr(30);
  auto waiting = her.run("referral-status", {wrapped, "--relay", address, "--relay-pin", pin});
  EXPECT_EQ(waiting.status, 0) << waiting.out;
  EXPECT_TRUE(has(waiting.out, "A facilitator will contact you")) << waiting.out;

  // Both facilitators read it; the relay cannot.
  for (const person* p : {&s.f, &g}) {
    auto listed = p->run("referrals", {});
    EXPECT_EQ(listed.status, 0) << listed.out;
    EXPECT_TRUE(has(listed.out, "    | Someone broke into our flat in March.\n    | I would like to talk about it.")) << listed.out;
    EXPECT_TRUE(has(listed.out, "How to reach them: Call me on weekdays after five")) << listed.out;
    EXPECT_TRUE(has(listed.out, "They say they were harmed.")) << listed.out;
  }
  EXPECT_FALSE(s.relay.stores("Someone broke into our flat"));

  // A case is opened from it; she sees that someone has been in touch.
  const auto ref = text(s.f.ok("referrals", {}).at(0), "referral");
  auto opened = s.f.run("referral", {"open-case", ref.substr(0, 8)});
  ASSERT_EQ(opened.status, 0) << opened.out;
  EXPECT_TRUE(has(opened.out, "--role harmed")) << opened.out;
  const auto cases = s.f.ok("cases", {});
  EXPECT_EQ(cases.as_array().size(), 2u);
  EXPECT_TRUE(has(her.run("referral-status", {code, "--relay", address, "--relay-pin", pin}).out,
                  "A facilitator has been in touch with you"));

  // A teacher phones on a pupil's behalf; the second facilitator enters it, and the first sees who did.
  auto entered = g.run("referral", {"enter", "--referrer", "Her teacher, Ola Dahl", "--contact", "ola@school.example",
                                    "--text", "A pupil of mine was robbed on the way home and wants to talk."});
  ASSERT_EQ(entered.status, 0) << entered.out;
  const auto both = s.f.ok("referrals", {});
  ASSERT_EQ(both.as_array().size(), 2u) << both;
  const auto& third = both.at(1);
  EXPECT_EQ(text(third, "entered_by_name"), "Tomas Lie");
  EXPECT_EQ(text(third, "referrer"), "Her teacher, Ola Dahl");

  // Closed once the case carries it: what she wrote leaves the relay, and her code says so.
  auto closed = s.f.run("referral", {"close", ref});
  ASSERT_EQ(closed.status, 0) << closed.out;
  EXPECT_TRUE(has(her.run("referral-status", {code, "--relay", address, "--relay-pin", pin}).out,
                  "Your request is closed."));
  EXPECT_EQ(s.f.ok("referrals", {}).as_array().size(), 1u);
  auto typo = her.run("referral-status", {code.substr(0, code.size() - 2) + "AA", "--relay", address, "--relay-pin", pin});
  EXPECT_EQ(typo.status, 1);
  EXPECT_TRUE(has(typo.out, "This receipt code is not known here")) << typo.out;
}

TEST(Process, ALargeAttachmentTravelsWithItsTypeAndProgressAndFacilitatorsSaveItInReview) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  const auto photo = s.root / "garden.JPG";
  std::string data(3 * 1024 * 1024 + 123, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 2654435761u) >> 24);
  std::ofstream(photo, std::ios::binary) << data;

  auto sent = h.run("write", {s.case_id, "--text", "The garden, as it is now.", "--attach", photo.string()});
  ASSERT_EQ(sent.status, 0) << sent.out;
  EXPECT_TRUE(has(sent.out, "sending: 100% of 3.1 MiB")) << "shows its progress: " << sent.out;
  const auto letters = h.ok("letters", {s.case_id});
  ASSERT_TRUE(letters.is_array() && letters.as_array().size() == 1);
  const std::string m = text(letters.as_array()[0], "message");

  // The facilitator saves it to look at it, then approves.
  const auto looked = s.root / "looked-at";
  const auto reviewed = s.f.ok("review", {s.case_id, m, "--save-attachments", looked.string()});
  ASSERT_TRUE(reviewed.is_object());
  const auto& seen = reviewed.at("attachments").as_array();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(text(seen[0], "content_type"), "image/jpeg");
  std::ifstream in(looked / "garden.JPG", std::ios::binary);
  std::stringstream copy;
  copy << in.rdbuf();
  EXPECT_EQ(copy.str(), data);
  EXPECT_EQ(std::filesystem::status(looked / "garden.JPG").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  s.f.ok("approve", {s.case_id, m});

  auto read = r.run("read", {s.case_id, m, "--save-attachments", (s.root / "received").string()});
  ASSERT_EQ(read.status, 0) << read.out;
  EXPECT_TRUE(has(read.out, "receiving: 100% of 3.1 MiB")) << read.out;
  EXPECT_TRUE(has(read.out, "[attachment: garden.JPG, image/jpeg, ")) << read.out;
  EXPECT_EQ(std::filesystem::file_size(s.root / "received" / "garden.JPG"), data.size());
  // Kept on the device with its attachment: it opens whole after the reader leaves.
  r.run("withdraw", {s.case_id, "--yes"});
  const auto kept = r.ok("read", {s.case_id, m});
  ASSERT_TRUE(kept.is_object());
  EXPECT_EQ(kept.at("attachments").as_array()[0].at("size").as_int64(), static_cast<std::int64_t>(data.size()));
}


// Issue 23, item 10: one case as the people in it live it, at the CLI, from
// a request sent with no account to its closing: a case opened from the
// request with two facilitators, both parties consenting and told who takes
// part, guided letters both ways through two-person review, an agreement
// signed by everyone and marked done, one aftercare check-in answered, then
// the request and the case closed. (The browser clients play the same steps
// in web/test/browser: referral, consent, taking_part, writing_aids,
// agreement and checkins.)
TEST(Process, AWholeCaseFromARequestSentWithNoAccountToItsClosing) {
  const auto dir = std::filesystem::temp_directory_path() / ("shuttle-cli-walk-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "en.txt") << "What is said here stays between the people in the case.\n";
  scene s({"--consent-dir", dir.string()});
  person g{s.root / "second-facilitator"};
  ASSERT_EQ(g.run("enrol", {s.relay.invite_facilitator(), "--name", "Tomas Lie"}).status, 0);
  const std::string address = "127.0.0.1:" + std::to_string(s.relay.port());
  const std::string pin = pin_of(s);

  // 1. She asks to be contacted, with no account.
  person asking{s.root / "no-account"};
  auto asked = asking.run("refer", {address, "--relay-pin", pin, "--about", "harmed", "--contact", "Call after five",
                                    "--text", "Our shed was set on fire last spring."});
  ASSERT_EQ(asked.status, 0) << asked.out;
  const auto at = asked.out.find("shuttle-referral-1.");
  ASSERT_NE(at, std::string::npos) << asked.out;
  const std::string code = asked.out.substr(at, asked.out.find('\n', at) - at);
  const auto status = [&] { return asking.run("referral-status", {code, "--relay", address, "--relay-pin", pin}).out; };

  // 2. A two-person case is opened from it; the colleague joins and is confirmed.
  const std::string ref = text(s.f.ok("referrals", {}).at(0), "referral");
  s.case_id = text(s.f.ok("referral", {"open-case", ref, "--two-person"}), "case");
  ASSERT_FALSE(s.case_id.empty());
  EXPECT_TRUE(has(status(), "A facilitator has been in touch with you"));
  ASSERT_EQ(g.run("enrol", {text(s.f.ok("invite", {s.case_id, "--role", "facilitator"}), "code")}).status, 0);
  s.f.ok("attest", {s.case_id, "--safety-number", text(g.ok("whoami", {}), "safety_number")});

  // 3. Each party reads the consent text and agrees, and both facilitators check their keys.
  person h{s.root / "harmed"}, r{s.root / "responsible"};
  for (auto [p, role] : {std::pair{&h, "harmed"}, std::pair{&r, "responsible"}}) {
    auto joined = p->run("enrol", {text(s.f.ok("invite", {s.case_id, "--role", role}), "code"), "--agree"});
    ASSERT_EQ(joined.status, 0) << joined.out;
    EXPECT_TRUE(has(joined.out, "What is said here stays between the people in the case.")) << joined.out;
    for (const person* fac : {&s.f, &g}) {
      fac->ok("attest", {s.case_id, "--safety-number", text(p->ok("whoami", {}), "safety_number")});
    }
  }
  // 4. Both are told who takes part, the facilitators by name.
  for (const person* p : {&h, &r}) {
    auto shown = p->run("case", {"show", s.case_id});
    EXPECT_TRUE(has(shown.out, "Ingrid Berg") && has(shown.out, "Tomas Lie")) << shown.out;
    EXPECT_TRUE(has(shown.out, p == &h ? "responsible" : "harmed")) << shown.out;
  }

  // 5. Preparation: the core questions offered to her; then the exchange.
  s.f.ok("stage", {s.case_id, "preparation"});
  s.f.ok("prompts", {s.case_id, "--for", "harmed", "--standard"});
  EXPECT_TRUE(has(h.run("prompts", {s.case_id}).out, "What do you need now?"));
  s.f.ok("stage", {s.case_id, "exchange"});
  const auto both_approve = [&](const std::string& message) {
    for (const person* fac : {&s.f, &g}) {
      fac->ok("review", {s.case_id, message});
      fac->ok("approve", {s.case_id, message});
    }
  };
  const std::string hers = text(h.ok("write", {s.case_id, "--text", "What I need now is to know why."}), "message");
  both_approve(hers);
  EXPECT_EQ(text(r.ok("read", {s.case_id, hers}), "text"), "What I need now is to know why.");
  const std::string his =
      text(r.ok("write", {s.case_id, "--text", "I was angry and drunk. I am sorry.", "--reply-to", hers}), "message");
  both_approve(his);
  EXPECT_EQ(text(h.ok("read", {s.case_id, his}), "text"), "I was angry and drunk. I am sorry.");

  // 6. The agreement: drafted, signed by both parties and both facilitators, its item marked done.
  s.f.ok("stage", {s.case_id, "agreement"});
  s.f.ok("agreement", {"draft", s.case_id, "--item", "Help rebuild the shed | Jonas | by 1 June | Mia tells the facilitators"});
  for (const person* p : {&h, &r, &s.f}) p->ok("agreement", {"sign", s.case_id, "--yes"});
  EXPECT_TRUE(g.ok("agreement", {"sign", s.case_id, "--yes"}).at("bound").as_bool());
  s.f.ok("agreement", {"mark", s.case_id, "1", "done"});
  EXPECT_TRUE(has(h.run("agreement", {"show", s.case_id}).out, "done, says facilitator Ingrid Berg"));

  // 7. Aftercare: one check-in reaches her and she answers it.
  s.f.ok("stage", {s.case_id, "aftercare"});
  const std::time_t due = std::time(nullptr) + 3;
  char when_due[32];
  std::strftime(when_due, sizeof when_due, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&due));
  s.f.ok("checkin", {"schedule", s.case_id, "--for", "harmed", "--at", when_due, "--question", "How are you now?"});
  const std::string checkin = text(s.f.ok("checkin", {"list", s.case_id}).at(0), "message");
  bool reached = false;
  for (int i = 0; i < 40 && !reached; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    reached = has(h.run("checkin", {"list", s.case_id}).out, "waiting for your answer");
  }
  ASSERT_TRUE(reached);
  h.ok("checkin", {"answer", s.case_id, checkin, "--text", "Better. The shed stands again."});

  // 8. The request, then the case, are closed; her receipt code says so; the trail verifies.
  s.f.ok("referral", {"close", ref});
  EXPECT_TRUE(has(status(), "Your request is closed."));
  auto closed = s.f.run("case", {"close", s.case_id, "--yes"});
  EXPECT_EQ(closed.status, 0) << closed.out;
  auto trail = s.f.run("audit", {s.case_id});
  EXPECT_EQ(trail.status, 0) << trail.out;
  for (const char* event : {"consented", "approved", "agreement_bound", "item_marked", "checkin_scheduled", "closed"}) {
    EXPECT_TRUE(has(trail.out, event)) << event << "\n" << trail.out;
  }
  for (const char* words : {"set on fire", "rebuild", "angry and drunk", "stands again"}) {
    EXPECT_FALSE(has(trail.out, words)) << words;  // the trail says what happened, never what was written
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace shuttle::testing
