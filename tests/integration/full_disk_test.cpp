// A relay whose data directory sits on a small file system (a tmpfs this
// test mounts, as root) that the test fills: the relay stays up, says what
// is wrong (503 with Retry-After, /healthz, /metrics), keeps room for
// revoking and logging in, loses no acknowledged letter, recovers by itself
// when space returns, and signs the audit heads a failure left unsigned.
#include "tests/integration/world.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace shuttle::testing
