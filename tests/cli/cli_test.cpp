// The `shuttle` CLI driven as a person would: subprocesses against a real
// relay, for each role's path and each error a person can meet.
#include "proto/base64.hpp"
#include "proto/invitation_code.hpp"
#include "tests/cli/cli_person.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iterator>
#include <thread>

#include <sys/stat.h>

namespace shuttle::testing {
namespace {

TEST(Cli, AWholeExchangeThroughEveryRole) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");

  auto shown = s.f.ok("case", {"show", s.case_id});
  ASSERT_EQ(shown.at("people").as_array().size(), 3u);
  for (const auto& p : shown.at("people").as_array()) EXPECT_EQ(p.at("attested"), true);

  // A letter, returned with a note, revised, approved with a note, read with a receipt.
  const std::string first = text(h.ok("write", {s.case_id, "--text", "first words"}), "message");
  EXPECT_EQ(text(h.ok("letters", {s.case_id}).as_array()[0], "status"), "in review");
  auto queue = s.f.ok("queue", {});
  ASSERT_EQ(queue.as_array().size(), 1u);
  EXPECT_EQ(text(s.f.ok("review", {s.case_id, first.substr(0, 6)}), "text"), "first words");
  s.f.ok("return", {s.case_id, first, "--reason", "retraumatising_wording", "--note", "softer, please"});
  auto back = h.ok("read", {s.case_id, first});
  EXPECT_EQ(text(back, "status"), "returned with a note");
  EXPECT_EQ(text(back.at("returned"), "note"), "softer, please");
  EXPECT_EQ(text(back.at("returned"), "reason"), "retraumatising_wording");

  const std::string second = text(h.ok("write", {s.case_id, "--text", "gentler words", "--revises", first}), "message");
  EXPECT_EQ(r.ok("letters", {s.case_id}).as_array().size(), 0u);  // nothing reaches them unapproved
  s.f.ok("review", {s.case_id, second});  // read before deciding, as a facilitator does
  EXPECT_EQ(text(s.f.ok("approve", {s.case_id, second, "--note", "take your time"}), "state"), "released");
  EXPECT_EQ(text(r.ok("letters", {s.case_id}).as_array()[0], "status"), "available");
  auto opened = r.ok("read", {s.case_id, second, "--receipt"});
  EXPECT_EQ(text(opened, "text"), "gentler words");
  EXPECT_EQ(text(opened, "facilitator_note"), "take your time");
  EXPECT_EQ(text(h.ok("letters", {s.case_id}).as_array()[1], "status"), "opened");

  // The human output uses the same words, and shows each letter's date and first words.
  auto human = h.run("letters", {s.case_id});
  EXPECT_NE(human.out.find("returned with a note"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("opened"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("\"gentler words\""), std::string::npos) << human.out;
  const std::time_t today = std::time(nullptr);
  std::tm local{};
  localtime_r(&today, &local);
  char year[16];
  std::strftime(year, sizeof year, " %Y, ", &local);  // as in "Sun 29 Nov 2026, 11:57 UTC"
  EXPECT_NE(human.out.find(year), std::string::npos) << human.out;

  // A reply, approved and read; a letter revoked before review.
  const std::string reply = text(r.ok("write", {s.case_id, "--text", "my reply"}), "message");
  s.f.ok("review", {s.case_id, reply});  // read before deciding, as a facilitator does
  s.f.ok("approve", {s.case_id, reply});
  EXPECT_EQ(text(h.ok("read", {s.case_id, reply}), "text"), "my reply");
  const std::string third = text(h.ok("write", {s.case_id, "--text", "on second thought"}), "message");
  auto revoked = h.ok("revoke", {s.case_id, third});
  EXPECT_EQ(revoked.at("was_released"), false);
  EXPECT_EQ(revoked.at("was_opened"), false);
  auto revoked_human = h.run("revoke", {s.case_id, reply});
  EXPECT_NE(revoked_human.status, 0);  // not the sender of the reply

  // An internal note stays with the facilitators.
  s.f.ok("note", {s.case_id, "--text", "H. prefers mornings"});
  EXPECT_EQ(r.ok("letters", {s.case_id}).as_array().size(), 2u);

  // Withdrawal: the other party sees the channel closed, and nothing more goes through.
  EXPECT_EQ(h.ok("withdraw", {s.case_id, "--yes"}).at("revoked"), 1);  // the returned first letter; the rest were released
  bool withdrawn_seen = false;
  const auto seen_by_r = r.ok("case", {"show", s.case_id});
  for (const auto& p : seen_by_r.at("people").as_array()) withdrawn_seen |= p.at("state") == "withdrawn";
  EXPECT_TRUE(withdrawn_seen);
  auto refused = r.run("write", {s.case_id, "--text", "hello?"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.out.find("left the process. Nothing more can be sent."), std::string::npos) << refused.out;
  // What the harmed party received and wrote stays theirs, on this device.
  auto kept_reply = h.ok("read", {s.case_id, reply});
  EXPECT_EQ(text(kept_reply, "text"), "my reply");
  EXPECT_EQ(kept_reply.at("kept_on_this_device"), true);
  EXPECT_EQ(text(h.ok("read", {s.case_id, second}), "text"), "gentler words");
  auto kept_human = h.run("read", {s.case_id, reply});
  EXPECT_NE(kept_human.out.find("kept on this device"), std::string::npos) << kept_human.out;
  auto gone = h.run("read", {s.case_id, third});  // revoked: not kept
  EXPECT_EQ(gone.status, 1) << gone.out;
  auto after = h.run("letters", {s.case_id});
  EXPECT_EQ(after.status, 1);
  EXPECT_NE(after.out.find("withdrawn"), std::string::npos) << after.out;

  // The audit trail verifies with the relay's key.
  auto audit = s.f.run("audit", {s.case_id});
  EXPECT_EQ(audit.status, 0) << audit.out;
  EXPECT_NE(audit.out.find("The audit trail verifies"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("withdrawn"), std::string::npos);
  const auto saved = (s.root / "audit.json").string();
  ASSERT_EQ(s.f.run("audit", {s.case_id, "--out", saved}).status, 0);
  auto offline = s.f.run("audit-verify", {saved});
  EXPECT_EQ(offline.status, 0) << offline.out;
  std::string export_text;
  {
    std::ifstream in(saved);
    export_text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = export_text.find("\"withdrawn\"");
  ASSERT_NE(at, std::string::npos);
  std::ofstream(saved) << export_text.replace(at, 11, "\"enrolled\"");
  auto tampered = s.f.run("audit-verify", {saved});
  EXPECT_EQ(tampered.status, 1) << tampered.out;
}

// As people live a decline: the recipient reads and declines; the writer
// still sees "available to them"; the facilitator sees it and tells the
// writer in their own words, when they choose.
TEST(Cli, ADeclineReachesTheWriterThroughTheFacilitator) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  const std::string m = text(h.ok("write", {s.case_id, "--text", "I need you to hear this."}), "message");
  s.f.ok("review", {s.case_id, m});
  s.f.ok("approve", {s.case_id, m});
  EXPECT_EQ(text(r.ok("read", {s.case_id, m}), "text"), "I need you to hear this.");
  r.ok("decline", {s.case_id, m});

  auto again = r.run("read", {s.case_id, m});
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.out.find("declined this letter"), std::string::npos) << again.out;
  EXPECT_EQ(text(h.ok("letters", {s.case_id}).as_array()[0], "status"), "available to them");
  auto human = h.run("letters", {s.case_id});
  EXPECT_EQ(human.out.find("declined"), std::string::npos) << "the machine does not tell the writer: " << human.out;
  EXPECT_EQ(text(s.f.ok("letters", {s.case_id}).as_array()[0], "status"), "declined");

  // Her list of cases says what waits for her, with the command to pass it on; she runs it as it is written.
  auto listed = s.f.ok("cases", {}).as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("declined_untold"), (json::array{json::string(m)}));
  const std::string said = s.f.run("cases", {}).out;
  const auto at = said.find("shuttle tell-declined ");
  ASSERT_NE(at, std::string::npos) << said;
  std::istringstream suggested(said.substr(at + 22, said.find(" [--note", at) - at - 22));
  std::string case_start, letter_start;
  suggested >> case_start >> letter_start;
  EXPECT_TRUE(s.case_id.starts_with(case_start) && m.starts_with(letter_start)) << said;
  s.f.ok("tell-declined", {case_start, letter_start, "--note", "They are not ready yet. Let us talk on Thursday."});
  EXPECT_EQ(s.f.ok("cases", {}).as_array()[0].at("declined_untold"), json::array{});
  EXPECT_EQ(s.f.run("cases", {}).out.find("tell-declined"), std::string::npos);
  EXPECT_EQ(text(h.ok("letters", {s.case_id}).as_array()[0], "status"), "declined");
  auto own = h.ok("read", {s.case_id, m});
  EXPECT_EQ(text(own, "declined_note"), "They are not ready yet. Let us talk on Thursday.");
  auto revoked = h.ok("revoke", {s.case_id, m});
  EXPECT_EQ(revoked.at("was_released"), true);
  EXPECT_EQ(revoked.at("was_opened"), false);
}

// Two facilitators review and approve, one after the other, as they work:
// each reads the letter (review) before approving; the first is told the
// truth (1 of 2); the second chooses a release time a person would type.
TEST(Cli, TwoPersonReviewAndAReleaseTime) {
  scene s;
  person g = s.two_person_case();
  const std::string two = s.case_id;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  const std::string m = text(h.ok("write", {two, "--text", "for two reviewers"}), "message");

  EXPECT_EQ(text(s.f.ok("review", {two, m}), "text"), "for two reviewers");
  auto taken = g.run("review", {two, m});  // while the first one reads
  EXPECT_EQ(taken.status, 1);
  EXPECT_NE(taken.out.find("Another facilitator is reviewing this letter just now."), std::string::npos) << taken.out;
  EXPECT_EQ(taken.out.find("relay_refused"), std::string::npos) << "no code words: " << taken.out;
  EXPECT_EQ(taken.out.find("claimed:"), std::string::npos) << taken.out;
  auto first = s.f.run("approve", {two, m});
  EXPECT_EQ(first.status, 0) << first.out;
  EXPECT_NE(first.out.find("1 of 2 approvals"), std::string::npos) << first.out;
  EXPECT_EQ(r.ok("letters", {two}).as_array().size(), 0u);

  // The second reviewer is not kept waiting by the first one's claim.
  EXPECT_EQ(text(g.ok("review", {two, m}), "text"), "for two reviewers");
  for (const char* wrong : {"tomorrow", "18", "yesterday 10:00"}) {
    auto refused = g.run("approve", {two, m, "--release-at", wrong});
    EXPECT_EQ(refused.status, 1) << wrong;
    EXPECT_NE(refused.out.find("tomorrow 09:00"), std::string::npos) << "says how to write it: " << refused.out;
    EXPECT_EQ(refused.out.find("invalid_argument"), std::string::npos) << refused.out;
  }
  auto past = g.run("approve", {two, m, "--release-at", "2020-01-01 10:00"});
  EXPECT_EQ(past.status, 1);
  EXPECT_NE(past.out.find("already passed"), std::string::npos) << past.out;

  // A few seconds ahead, written as ISO 8601 in UTC (minutes are too coarse for a test; eight
  // seconds, so a loaded machine still lists it before it goes).
  const std::time_t soon = std::time(nullptr) + 8;
  std::tm utc{};
  gmtime_r(&soon, &utc);
  char iso[32];
  std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &utc);
  auto second = g.run("approve", {two, m, "--release-at", iso});
  EXPECT_EQ(second.status, 0) << second.out;
  EXPECT_NE(second.out.find("Release time: "), std::string::npos) << "said back before it is sent: " << second.out;
  EXPECT_NE(second.out.find("It will be released on "), std::string::npos) << second.out;
  EXPECT_EQ(r.ok("letters", {two}).as_array().size(), 0u);
  // Out of the queue; `queue --later` lists it with its release time until it goes.
  auto later = g.ok("queue", {"--later"}).as_array();
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(text(later[0], "message"), m);
  EXPECT_EQ(later[0].at("release_at"), static_cast<std::uint64_t>(soon));
  EXPECT_NE(g.run("queue", {"--later"}).out.find(", released "), std::string::npos);
  bool released = false;
  for (int i = 0; i < 200 && !released; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    released = r.ok("letters", {two}).as_array().size() == 1;
  }
  ASSERT_TRUE(released);
  EXPECT_GE(std::time(nullptr), soon);
  EXPECT_EQ(text(r.ok("read", {two, m}), "text"), "for two reviewers");
}

// A facilitator decides only on what they read; a claim can be let go, and
// the queue says where each letter stands in words.
TEST(Cli, ReadBeforeDecidingAndLetAClaimGo) {
  scene s;
  person g = s.two_person_case();
  const std::string two = s.case_id;
  person h = s.party("harmed", "harmed");
  s.party("responsible", "responsible");
  const std::string m = text(h.ok("write", {two, "--text", "Please read me first."}), "message");

  auto unread = s.f.run("approve", {two, m});
  EXPECT_EQ(unread.status, 1);
  EXPECT_NE(unread.out.find("Please read the letter first: shuttle review"), std::string::npos) << unread.out;
  auto unread_return = s.f.run("return", {two, m, "--reason", "other", "--note", "x"});
  EXPECT_EQ(unread_return.status, 1);

  s.f.ok("review", {two, m});
  auto queue = g.run("queue", {});
  EXPECT_NE(queue.out.find("0 of 2 approvals"), std::string::npos) << queue.out;
  EXPECT_NE(queue.out.find("being reviewed by Ingrid Berg"), std::string::npos) << queue.out;
  EXPECT_EQ(g.run("review", {two, m}).status, 1);  // taken
  s.f.ok("unclaim", {two, m});
  EXPECT_EQ(text(g.ok("review", {two, m}), "text"), "Please read me first.");
  EXPECT_EQ(g.run("unclaim", {two, m}).status, 0);
  s.f.ok("review", {two, m});
  s.f.ok("approve", {two, m});
  auto after = s.f.run("queue", {});
  EXPECT_NE(after.out.find("1 of 2 approvals, you approved; waiting for a second facilitator"), std::string::npos)
      << after.out;
}

// A photo too large for the relay: refused at once, in words, with both
// sizes, before anything is sent.
TEST(Cli, ALetterTooLargeForTheRelayIsRefusedBeforeAnythingIsSent) {
  scene s;
  person h = s.party("harmed", "harmed");
  s.party("responsible", "responsible");
  auto file_of = [&](const std::string& name, std::size_t half_mebibytes) {
    const auto path = s.root / name;
    std::ofstream out(path, std::ios::binary);
    const std::string block(512 * 1024, 'x');
    for (std::size_t i = 0; i < half_mebibytes; ++i) out << block;
    return path.string();
  };
  // One file too large on its own: refused before it is even read.
  auto refused = h.run("write", {s.case_id, "--text", "With a photo.", "--attach", file_of("photo.jpg", 34)});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.out.find("photo.jpg is 17.0 MiB; the relay takes letters up to 16.0 MiB, attachments included. "
                             "Nothing was sent."),
            std::string::npos)
      << refused.out;
  // Two that fit alone but not together: 17 MiB, padded (Padmé) and sealed: 17.5 MiB.
  refused = h.run("write", {s.case_id, "--text", "With photos.", "--attach", file_of("one.jpg", 17), "--attach",
                            file_of("two.jpg", 17)});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.out.find("comes to 17.5 MiB once sealed; the relay takes letters up to 16.0 MiB. Nothing was sent."),
            std::string::npos)
      << refused.out;
  EXPECT_EQ(h.ok("letters", {s.case_id}).as_array().size(), 0u);
}

// A harmed person pastes the code their facilitator sent by e-mail: the mail
// program wrapped it, and a space crept in at the start.
// The case closes and, after the retention, its letters leave the relay:
// what the responsible party received stays readable on their device.
TEST(Cli, ALetterReceivedStaysReadableAfterTheCaseIsPurged) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  const auto drawing = s.root / "drawing.txt";
  std::ofstream(drawing) << "a drawing, in words";
  const std::string m =
      text(h.ok("write", {s.case_id, "--text", "What I needed to say.", "--attach", drawing.string()}), "message");
  s.f.ok("review", {s.case_id, m});  // read before deciding, as a facilitator does
  s.f.ok("approve", {s.case_id, m, "--note", "Read it when you are ready."});
  const auto saved = s.root / "saved";
  const mode_t old_mask = ::umask(0);  // whatever the umask, an attachment is the reader's alone
  EXPECT_EQ(text(r.ok("read", {s.case_id, m, "--save-attachments", saved.string()}), "text"), "What I needed to say.");
  ::umask(old_mask);
  struct stat st{};
  ASSERT_EQ(::stat((saved / "drawing.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  s.f.ok("case", {"close", s.case_id, "--yes"});
  const std::string purge = relay_process::binary() + " purge --retention-days 0 --data-dir " +
                            (s.relay.data_dir() / "data").string() + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(purge.c_str()), 0);
  auto kept = r.ok("read", {s.case_id, m});
  EXPECT_EQ(text(kept, "text"), "What I needed to say.");
  EXPECT_EQ(text(kept, "facilitator_note"), "Read it when you are ready.");
  EXPECT_EQ(kept.at("kept_on_this_device"), true);
  EXPECT_EQ(text(h.ok("read", {s.case_id, m}), "text"), "What I needed to say.");  // and what its writer wrote
}

// The relay is restored from last night's backup: a letter written after it
// is gone from the relay. Its writer's list says so in words, and the
// letter, still on the writer's device, goes again with one command.
TEST(Cli, ALetterWrittenAfterTheBackupIsNamedAfterARestoreAndSentAgain) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  const std::string before = text(h.ok("write", {s.case_id, "--text", "Written before the backup."}), "message");
  s.f.ok("review", {s.case_id, before});
  s.f.ok("approve", {s.case_id, before});
  const std::string data = (s.relay.data_dir() / "data").string();
  const auto backup = s.root / "backup";
  ASSERT_EQ(std::system((relay_process::binary() + " backup --data-dir " + data + " --to " + backup.string() +
                         " >/dev/null 2>&1").c_str()),
            0);
  const std::string lost = text(h.ok("write", {s.case_id, "--text", "Written after the backup."}), "message");

  // The operator restores the backup into an empty data directory (deploy/README.md, section 4).
  s.relay.stop();
  std::filesystem::rename(data, data + ".old");
  ASSERT_EQ(std::system((relay_process::binary() + " restore --data-dir " + data + " --from " + backup.string() +
                         " >/dev/null 2>&1").c_str()),
            0);
  s.relay.restart();

  const auto listed = h.run("letters", {s.case_id});
  EXPECT_EQ(listed.status, 0) << listed.out;
  EXPECT_NE(listed.out.find("Written after the backup."), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("The service was restored from an earlier copy; this letter did not reach it."),
            std::string::npos)
      << listed.out;
  const std::string hint = "shuttle resend " + s.case_id + " " + lost.substr(0, 8);
  EXPECT_NE(listed.out.find(hint), std::string::npos) << listed.out;
  bool named = false;
  const auto after_restore = h.ok("letters", {s.case_id});
  for (const auto& m : after_restore.as_array()) {
    if (text(m, "message") == lost) {
      named = true;
      EXPECT_EQ(text(m, "state"), "lost_in_restore");
    }
    if (text(m, "message") == before) EXPECT_EQ(text(m, "state"), "released");
  }
  EXPECT_TRUE(named) << "the lost letter is not in its writer's list";

  // Sent again as the hint says: a new letter, reviewed and read like any other.
  const auto again = h.run("resend", {s.case_id, lost.substr(0, 8)});
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("Sent again as letter"), std::string::npos) << again.out;
  std::string resent;
  const auto after_resend = h.ok("letters", {s.case_id});
  for (const auto& m : after_resend.as_array()) {
    EXPECT_NE(text(m, "state"), "lost_in_restore");
    if (text(m, "state") == "in_review") resent = text(m, "message");
  }
  ASSERT_FALSE(resent.empty());
  EXPECT_NE(resent, lost);
  s.f.ok("review", {s.case_id, resent});
  s.f.ok("approve", {s.case_id, resent});
  EXPECT_EQ(text(r.ok("read", {s.case_id, resent}), "text"), "Written after the backup.");
  // A letter the relay has cannot be sent twice this way.
  EXPECT_NE(h.run("resend", {s.case_id, resent}).status, 0);
}

// A facilitator moves to another computer (or to the console in a browser):
// export-keys, then import-keys in a new profile, where the same cases, the
// same queue and the same letters open. A file someone edited is refused
// once the passphrase opens it; an existing profile is never overwritten.
TEST(Cli, KeysMoveToAnotherProfileAndAnEditedFileIsRefused) {
  scene s;
  person h = s.party("harmed", "harmed");
  s.party("responsible", "responsible");
  s.f.ok("case", {"label", s.case_id, "--label", "Moss, autumn"});
  const std::string m = text(h.ok("write", {s.case_id, "--text", "Before you move."}), "message");
  const auto file = s.root / "keys.json";
  const auto saved = s.f.run("export-keys", {file.string()});
  ASSERT_EQ(saved.status, 0) << saved.out;
  struct stat st{};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  person moved{s.root / "facilitator-moved"};
  const auto imported = moved.run("import-keys", {file.string()});
  ASSERT_EQ(imported.status, 0) << imported.out;
  EXPECT_NE(imported.out.find("with 1 case"), std::string::npos) << imported.out;
  const auto queue = moved.ok("queue", {}).as_array();
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(text(queue[0], "case_label"), "Moss, autumn");
  EXPECT_EQ(text(moved.ok("review", {s.case_id, m}), "text"), "Before you move.");

  // The same file again over a profile: refused, nothing changed.
  const auto again = moved.run("import-keys", {file.string()});
  EXPECT_NE(again.status, 0);
  EXPECT_NE(again.out.find("There is already a Shuttle profile"), std::string::npos) << again.out;

  // A case's root of trust swapped in the file: refused once the keystore opens.
  std::ifstream in(file);
  std::string edited((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto pinned = edited.find("\"pinned\":\"") + 10;
  edited[pinned] = edited[pinned] == 'A' ? 'B' : 'A';
  std::ofstream(s.root / "edited.json") << edited;
  person other{s.root / "facilitator-edited"};
  const auto refused = other.run("import-keys", {(s.root / "edited.json").string()});
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.out.find("changed after it was saved"), std::string::npos) << refused.out;
  EXPECT_FALSE(std::filesystem::exists(s.root / "facilitator-edited" / "keystore.json"));
}

TEST(Cli, AnInvitationCodeWrappedInAnEmailStillWorks) {
  scene s;
  std::string code = text(s.f.ok("invite", {s.case_id, "--role", "harmed"}), "code");
  std::string damaged = code.substr(0, code.size() - 5);
  for (std::size_t at = 70; at < code.size(); at += 72) code.insert(at, "\n");
  person h{s.root / "harmed"};
  auto enrolled = h.run("enrol", {"  " + code + "\n"});
  EXPECT_EQ(enrolled.status, 0) << enrolled.out;
  EXPECT_EQ(h.ok("cases", {}).as_array().size(), 1u);
  person other{s.root / "other"};
  auto refused = other.run("enrol", {damaged});
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.out.find("not complete or has a typing mistake"), std::string::npos) << refused.out;
  EXPECT_EQ(refused.out.find("bad_"), std::string::npos) << refused.out;
}

// The words a person reads, each one sentence that says what happened and
// what to do: no "letter(s)", no "Not found:" prefix, no doubled stops, a
// facilitator's list that says whom a letter goes to, and a missing file named
// with why and what to do.
TEST(Cli, EveryMessageReadsAsASentence) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  const std::string m = text(h.ok("write", {s.case_id, "--text", "Words for you."}), "message");

  auto listed = s.f.run("letters", {s.case_id});
  EXPECT_EQ(listed.status, 0) << listed.out;
  EXPECT_NE(listed.out.find("to the responsible party"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find("to you"), std::string::npos) << "a facilitator is not the recipient: " << listed.out;

  auto missing = h.run("write", {s.case_id, "--text", "with a photo", "--attach", (s.root / "no-such-photo.jpg").string()});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.out.find("Cannot read " + (s.root / "no-such-photo.jpg").string() +
                             " (No such file or directory). Nothing was sent."),
            std::string::npos) << missing.out;

  // An id may begin with "-" or "--" (1 in 64 and 1 in 4,096): typed or
  // pasted, it is read as the id it is, not as an unknown option.
  for (const std::string dashed : {"--AAAAAAAAAAAAAAAAAAAA", "-AAAAAAAAAAAAAAAAAAAAA"}) {
    auto odd = r.run("read", {s.case_id, dashed});
    EXPECT_EQ(odd.status, 1) << odd.out;
    EXPECT_EQ(odd.out.find("unrecognised option"), std::string::npos) << odd.out;
  }
  auto nothing = r.run("read", {s.case_id, "AAAAAAAAAAAAAAAAAAAAAA"});
  EXPECT_EQ(nothing.status, 1);
  EXPECT_EQ(nothing.out.find("Not found:"), std::string::npos) << nothing.out;
  EXPECT_EQ(nothing.out.find(".."), std::string::npos) << nothing.out;

  auto left = h.run("withdraw", {s.case_id, "--yes"});
  EXPECT_EQ(left.status, 0) << left.out;
  EXPECT_NE(left.out.find("1 letter was taken back."), std::string::npos) << left.out;
  for (const auto& said : {listed.out, missing.out, nothing.out, left.out}) {
    EXPECT_EQ(said.find("(s)"), std::string::npos) << said;
  }
  (void)m;
}

TEST(Cli, EveryErrorIsClearAndCalm) {
  scene s;
  person h = s.party("harmed", "harmed", false);

  // Key not attested: the writer's own keys were not checked yet.
  auto early = h.run("write", {s.case_id, "--text", "too early"});
  EXPECT_EQ(early.status, 1);
  EXPECT_NE(early.out.find("Not yet: your keys have not been attested"), std::string::npos) << early.out;
  s.f.ok("attest", {s.case_id, "--safety-number", text(h.ok("whoami", {}), "safety_number")});
  person r = s.party("responsible", "responsible");

  // Wrong passphrase.
  person wrong = h;
  wrong.pass = "not the passphrase";
  auto denied = wrong.run("cases", {});
  EXPECT_EQ(denied.status, 1);
  EXPECT_NE(denied.out.find("That passphrase does not open these keys"), std::string::npos) << denied.out;

  // Key changed since attestation: the recipient rekeys; the facilitator's approval waits for a new check.
  const std::string m = text(h.ok("write", {s.case_id, "--text", "to a changed key"}), "message");
  r.ok("rekey", {s.case_id, "--yes"});
  s.f.ok("review", {s.case_id, m});  // read before deciding, as a facilitator does
  auto changed = s.f.run("approve", {s.case_id, m});
  EXPECT_EQ(changed.status, 1);
  EXPECT_NE(changed.out.find("keys changed"), std::string::npos) << changed.out;
  auto shown = s.f.run("case", {"show", s.case_id});
  EXPECT_NE(shown.out.find("keys CHANGED"), std::string::npos) << shown.out;
  s.f.ok("attest", {s.case_id, "--safety-number", text(r.ok("whoami", {}), "safety_number")});
  EXPECT_EQ(text(s.f.ok("approve", {s.case_id, m}), "state"), "released");
  EXPECT_EQ(text(r.ok("read", {s.case_id, m}), "text"), "to a changed key");

  // An invitation whose pinned facilitator is not the one the relay presents.
  const std::string code_text = text(s.f.ok("invite", {s.case_id, "--role", "harmed_support"}), "code");
  auto code = *proto::parse_invitation_code(code_text);
  auto forged = code;
  forged.inviter_fingerprint[0] ^= 1;
  auto mismatch = person{s.root / "mismatch"}.run("enrol", {proto::encode(forged)});
  EXPECT_EQ(mismatch.status, 1);
  EXPECT_NE(mismatch.out.find("different facilitator than your invitation names"), std::string::npos) << mismatch.out;
  EXPECT_FALSE(std::filesystem::exists(s.root / "mismatch" / "keystore.json"));

  // A relay whose certificate is not the pinned one.
  auto wrong_pin = code;
  wrong_pin.relay_certificate_sha256 = proto::hash{};
  auto tls = person{s.root / "tls"}.run("enrol", {proto::encode(wrong_pin)});
  EXPECT_EQ(tls.status, 1);
  EXPECT_NE(tls.out.find("identity could not be confirmed"), std::string::npos) << tls.out;

  // A closed case.
  s.f.ok("case", {"close", s.case_id, "--yes"});
  auto closed = h.run("write", {s.case_id, "--text", "after the end"});
  EXPECT_EQ(closed.status, 1);
  EXPECT_NE(closed.out.find("This case is closed"), std::string::npos) << closed.out;

  // A relay that cannot be reached.
  s.relay.stop();
  auto unreachable = h.run("cases", {});
  EXPECT_EQ(unreachable.status, 1);
  EXPECT_NE(unreachable.out.find("cannot be reached right now"), std::string::npos) << unreachable.out;

  // No profile, and --json errors.
  auto none = person{s.root / "nobody"}.run("cases", {"--json"}, false);
  EXPECT_EQ(none.status, 1);
  EXPECT_EQ(text(none.json(), "error"), "not_logged_in");
}

TEST(Cli, EveryCommandHasHelp) {
  person nobody{"/nonexistent"};
  auto top = nobody.run("--help", {});
  for (const std::string c : {"enrol", "whoami", "logout", "cases", "case", "invite", "attest", "withdraw", "rekey",
                              "write", "letters", "read", "decline", "revoke", "queue", "review", "claim", "approve",
                              "return", "note", "audit", "audit-verify", "watch", "unclaim", "tell-declined", "grant"}) {
    EXPECT_NE(top.out.find("  " + c + " "), std::string::npos) << c << " missing from shuttle --help";
    auto r = nobody.run(c, {"--help"});
    EXPECT_EQ(r.status, 0) << c;
    EXPECT_NE(r.out.find("--profile"), std::string::npos) << c << ": " << r.out;
  }
  // And the version, of the package and of the protocol it speaks.
  auto version = nobody.run("--version", {});
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out, "shuttle " SHUTTLE_VERSION " (protocol: Shuttle protocol, version 1)\n");
}

TEST(Cli, WatchPrintsEventsAsTheyCome) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  const std::string line = "SHUTTLE_PASSPHRASE=" + quoted(passphrase) + " " + quoted(SHUTTLE_CLI_BINARY) +
                           " watch --json --profile " + quoted(r.profile.string()) + " 2>" +
                           quoted((s.root / "watch.err").string());
  FILE* watcher = popen(("exec timeout 10 env " + line).c_str(), "r");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const std::string m = text(h.ok("write", {s.case_id, "--text", "x"}), "message");
  s.f.ok("review", {s.case_id, m});  // read before deciding, as a facilitator does
  s.f.ok("approve", {s.case_id, m});
  // Every line is one content-free event; the letter's release comes among
  // them (after, for a new profile, the events it missed, such as each
  // participant being confirmed).
  char buf[1024];
  json::value released;
  for (int lines = 0; lines < 20 && std::fgets(buf, sizeof buf, watcher); ++lines) {
    auto event = json::parse(buf);
    for (const auto& kv : event.as_object()) {
      EXPECT_TRUE(kv.key() == "seq" || kv.key() == "event" || kv.key() == "case" || kv.key() == "message" ||
                  kv.key() == "at")
          << kv.key();
    }
    if (text(event, "event") == "released") {
      released = event;
      break;
    }
  }
  if (released.is_null()) {
    std::ifstream err(s.root / "watch.err");
    ADD_FAILURE() << "watch printed no release; its errors: " << err.rdbuf();
    pclose(watcher);
    return;
  }
  EXPECT_EQ(text(released, "message"), m);
  EXPECT_EQ(released.as_object().size(), 5u);  // seq, event, case, message, at: no content
  pclose(watcher);  // the watcher's `timeout` ends it
}

}  // namespace
}  // namespace shuttle::testing
