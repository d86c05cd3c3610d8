// A relay whose data directory sits on a small file system (a tmpfs this
// test mounts, as root) that the test fills: the relay stays up, says what
// is wrong (503 with Retry-After, /healthz, /metrics), keeps room for
// revoking and logging in, loses no acknowledged letter, recovers by itself
// when space returns, and signs the audit heads a failure left unsigned.
#include "tests/integration/world.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mount.h>
#include <thread>
#include <unistd.h>

namespace shuttle::testing {
namespace {

using namespace std::chrono_literals;
using proto::role;

constexpr std::uint64_t mebibyte = 1024 * 1024;

// A tmpfs of its own at the relay's data directory, unmounted at the end.
class small_disk {
 public:
  void mount_at(const std::filesystem::path& dir) {
    point_ = dir / "data";
    std::filesystem::create_directories(point_);
    if (::mount("tmpfs", point_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=24m,mode=0700") != 0) {
      throw std::runtime_error("cannot mount a tmpfs at " + point_.string() + " (" + std::strerror(errno) +
                               "): this test runs as root, as the README's test command does");
    }
  }
  ~small_disk() {
    if (!point_.empty()) ::umount2(point_.c_str(), MNT_DETACH);
  }
  const std::filesystem::path& point() const { return point_; }

  // Fills the file system until at most `leave` bytes are free.
  void fill_leaving(std::uint64_t leave) {
    const auto filler = point_ / "filler";
    const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ASSERT_GE(fd, 0);
    const std::string block(64 * 1024, 'x');
    while (free_bytes() > leave) {
      const auto want = std::min<std::uint64_t>(block.size(), free_bytes() - leave);
      if (::write(fd, block.data(), want) <= 0) break;  // ENOSPC: full
    }
    ::fsync(fd);
    ::close(fd);
  }
  void empty() { std::filesystem::remove(point_ / "filler"); }

  std::uint64_t free_bytes() const { return std::filesystem::space(point_).available; }

 private:
  std::filesystem::path point_;
};

// Audit chains whose head no checkpoint signs.
int unsigned_heads(const std::filesystem::path& db) {
  SQLite::Database d(db.string(), SQLite::OPEN_READONLY);
  SQLite::Statement q(d,
                      "SELECT count(*) FROM (SELECT case_id, MAX(seq) AS head FROM audit_entries GROUP BY case_id) h "
                      "WHERE NOT EXISTS (SELECT 1 FROM audit_checkpoints c WHERE c.case_id = h.case_id AND c.seq = h.head)");
  q.executeStep();
  return q.getColumn(0).getInt();
}

template <class Check>
bool within(std::chrono::seconds limit, Check check) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return check();
}

void expect_storage_refusal(const reply& r) {
  EXPECT_EQ(r.status, 503u) << r.text;
  EXPECT_EQ(r.error(), "storage_full") << r.text;
  EXPECT_FALSE(r.header("Retry-After").empty());
  EXPECT_EQ(r.text.find("internal"), std::string::npos);
}

TEST(FullDisk, TheRelaySaysSoKeepsRoomForWhatMattersAndRecovers) {
  small_disk disk;
  exchange x(1, {"--storage-reserve-mib", "4"}, [&](const std::filesystem::path& dir) { disk.mount_at(dir); });
  const auto db = disk.point() / "relay.db";

  // Acknowledged before the disk fills: a released letter and one in review.
  auto released = x.w.send(x.h, x.case_id, x.pin, role::responsible, "This one was approved before.");
  ASSERT_EQ(released.answer.status, 200u) << released.answer.text;
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, released.id()).status, 200u);
  auto waiting = x.w.send(x.h, x.case_id, x.pin, role::responsible, "This one waits for review.");
  ASSERT_EQ(waiting.answer.status, 200u);
  EXPECT_EQ(x.w.http.get("/healthz").status, 200u);

  // Below the reserve: new letters are refused, calmly; what matters still works.
  disk.fill_leaving(2 * mebibyte);
  std::this_thread::sleep_for(1100ms);  // the relay looks at free space once a second
  expect_storage_refusal(x.w.send(x.h, x.case_id, x.pin, role::responsible, "A new letter.").answer);
  auto health = x.w.http.get("/healthz");
  EXPECT_EQ(health.status, 503u);
  EXPECT_EQ(health.error(), "storage_low");
  EXPECT_NE(x.w.relay.metrics().find("\nshuttle_storage_ok 0\n"), std::string::npos);
  EXPECT_FALSE(x.w.login(x.h).empty());
  EXPECT_EQ(x.w.revoke(x.h, x.case_id, waiting.id()).status, 200u) << "revoking must not depend on free space";

  // Full to the last byte: still no 500, and the relay stays up.
  disk.fill_leaving(0);
  expect_storage_refusal(x.w.send(x.h, x.case_id, x.pin, role::responsible, "Another new letter.").answer);
  for (int i = 0; i < 3; ++i) {
    auto claim = x.w.http.post(world::message_path(x.case_id, released.id(), "/receipt"), json::object{}, x.r.token);
    EXPECT_NE(claim.status, 500u) << claim.text;
  }
  EXPECT_EQ(x.w.http.get("/healthz").status, 503u);
  EXPECT_TRUE(x.w.relay.running());

  // Space returns: the relay recovers by itself.
  disk.empty();
  EXPECT_TRUE(within(10s, [&] { return x.w.http.get("/healthz").status == 200; }));
  auto after = x.w.send(x.h, x.case_id, x.pin, role::responsible, "Written after the disk was freed.");
  EXPECT_EQ(after.answer.status, 200u) << after.answer.text;
  EXPECT_NE(x.w.relay.metrics().find("\nshuttle_storage_ok 1\n"), std::string::npos);

  // A crash while the disk is full leaves the newest audit heads unsigned;
  // the next start signs them.
  disk.fill_leaving(0);
  x.w.relay.stop(SIGKILL);
  EXPECT_GT(unsigned_heads(db), 0);
  disk.empty();
  x.w.relay.restart();
  x.w.http = https_client(x.w.relay.port(), certificate_pin((disk.point() / "tls-certificate.pem").string()));
  EXPECT_TRUE(within(10s, [&] { return unsigned_heads(db) == 0; }));

  // Nothing acknowledged was lost: the released letter opens for its reader.
  auto opened = x.w.open_letter(x.r, x.case_id, x.pin, released.id());
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->content, client::document::text("This one was approved before."));
  EXPECT_EQ(x.w.fetch(x.f, x.case_id, after.id()).status, 200u);
  EXPECT_EQ(x.w.fetch(x.f, x.case_id, waiting.id()).error(), "revoked");
}

// Another process fills the disk as fast as it can while letters arrive;
// then a person's essential writes (a thousand: logging in and out, taking
// letters back, declining, leaving, closing) all go through, in the space
// the relay held for them, while letters are refused calmly until space returns.
TEST(FullDisk, AThousandEssentialWritesSucceedOnADiskAnotherProcessFilled) {
  small_disk disk;
  exchange x(1, {"--storage-reserve-mib", "8"}, [&](const std::filesystem::path& dir) { disk.mount_at(dir); });
  const auto later_case = x.w.open_case(x.f);
  actor later_writer = x.w.party(x.f, later_case, role::harmed);

  // What the person will take back and decline once the disk is full.
  std::vector<proto::id> to_revoke, to_decline;
  for (int i = 0; i < 30; ++i) {
    auto s = x.w.send(x.h, x.case_id, x.pin, role::responsible, "A letter to take back, " + std::to_string(i));
    ASSERT_EQ(s.answer.status, 200u) << s.answer.text;
    to_revoke.push_back(s.id());
  }
  for (int i = 0; i < 10; ++i) {
    auto s = x.w.send(x.h, x.case_id, x.pin, role::responsible, "A letter to decline, " + std::to_string(i));
    ASSERT_EQ(s.answer.status, 200u);
    ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, s.id()).status, 200u);
    to_decline.push_back(s.id());
  }

  // Letters keep coming while another process fills the disk.
  std::atomic<bool> filling{true};
  std::atomic<int> accepted{0}, refused{0}, other{0};
  std::thread letters([&] {
    https_client c(x.w.relay.port(), certificate_pin((disk.point() / "tls-certificate.pem").string()));
    const auto roster = x.w.roster(x.case_id, x.h, x.pin);
    while (filling) {
      auto sealed = world::seal(x.h, roster, x.case_id, role::responsible, std::string(16 * 1024, 'l'));
      auto r = c.post(world::case_path(x.case_id, "/messages"),
                      json::object{{"envelope", as_json(sealed->envelope)},
                                   {"ciphertext", proto::base64url_encode(sealed->ciphertext)}},
                      x.h.token);
      if (r.status == 200) {
        ++accepted;
      } else if (r.status == 503 && r.error() == "storage_full" && !r.header("Retry-After").empty()) {
        ++refused;
      } else {
        ++other;
      }
    }
  });
  ASSERT_TRUE(within(30s, [&] { return accepted >= 3; })) << "letters arrive before the disk fills";
  const auto filled = run_command("dd if=/dev/zero of=" + (disk.point() / "filler").string() + " bs=1M 2>&1");
  EXPECT_NE(filled.output.find("No space left on device"), std::string::npos) << filled.output;
  std::this_thread::sleep_for(500ms);
  filling = false;
  letters.join();
  EXPECT_GT(accepted.load(), 0);
  EXPECT_GT(refused.load(), 0);
  EXPECT_EQ(other.load(), 0) << "every letter is either kept or refused with storage_full";
  ASSERT_LT(disk.free_bytes(), 64 * 1024u) << "the disk is full";

  // A thousand essential writes, each one as a person makes it.
  int essential = 0;
  auto expect_ok = [&](const reply& r, const std::string& what) {
    EXPECT_EQ(r.status, 200u) << what << ": " << r.text;
    ++essential;
  };
  for (const auto& id : to_revoke) expect_ok(x.w.revoke(x.h, x.case_id, id), "revoke");
  for (const auto& id : to_decline) {
    expect_ok(x.w.http.post(world::message_path(x.case_id, id, "/decline"), json::object{}, x.r.token), "decline");
  }
  actor* people[] = {&x.h, &x.r, &x.f};
  for (int i = 0; essential < 998; ++i) {
    actor& who = *people[i % 3];
    who.token = x.w.login(who);
    ++essential;
    ASSERT_FALSE(who.token.empty()) << "login " << i;
    expect_ok(x.w.http.post("/v1/logout", json::object{}, who.token), "logout");
  }
  for (actor* who : people) who->token = x.w.login(*who);

  // Still full: letters are refused, and /healthz says why.
  expect_storage_refusal(x.w.send(later_writer, later_case, x.pin, role::responsible, "Not now.").answer);
  auto health = x.w.http.get("/healthz");
  EXPECT_EQ(health.status, 503u);
  EXPECT_TRUE(health.error() == "storage_low" || health.error() == "storage_full") << health.text;

  expect_ok(x.w.withdraw(x.r, x.case_id), "withdraw");
  proto::close cl;
  cl.header = client::header_for(x.case_id);
  expect_ok(x.w.http.post(world::case_path(x.case_id, "/close"),
                          json::object{{"close", as_json(*client::sign(cl, x.f.identity))}}, x.f.token),
            "close");
  EXPECT_GE(essential, 1000);

  // Space returns: the relay takes its reserve back and letters go through.
  disk.empty();
  EXPECT_TRUE(within(10s, [&] { return x.w.http.get("/healthz").status == 200; }));
  auto after = x.w.send(later_writer, later_case, x.pin, role::responsible, "Written once there was room.");
  EXPECT_EQ(after.answer.status, 200u) << after.answer.text;
  EXPECT_EQ(std::filesystem::file_size(disk.point() / "space-reserve"), 8 * mebibyte);
}

}  // namespace
}  // namespace shuttle::testing
