#include "client-lib/keystore.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>

namespace shuttle::client {
namespace {

namespace json = boost::json;

// Argon2id at MODERATE costs about a second: the tests seal once and share it.
struct sealed_keystore {
  keystore original = keystore::create();
  proto::id case_id = new_id();
  std::string file;
  sealed_keystore() {
    original.case_key_for(case_id);
    file = original.seal("the right passphrase");
  }
};
const sealed_keystore& sealed() {
  static const sealed_keystore s;
  return s;
}

TEST(Keystore, OpensWithTheRightPassphrase) {
  auto ks = keystore::open(sealed().file, "the right passphrase");
  ASSERT_TRUE(ks) << ks.error().message();
  EXPECT_EQ(ks->identity().public_key(), sealed().original.identity().public_key());
  ASSERT_NE(ks->find_case_key(sealed().case_id), nullptr);
  EXPECT_EQ(ks->find_case_key(sealed().case_id)->public_key(),
            sealed().original.find_case_key(sealed().case_id)->public_key());
}

TEST(Keystore, AWrongPassphraseFailsClearly) {
  auto ks = keystore::open(sealed().file, "the wrong passphrase");
  ASSERT_FALSE(ks);
  EXPECT_EQ(ks.error().code, errc::wrong_passphrase);
  EXPECT_EQ(ks.error().message(), "wrong_passphrase: the passphrase does not open this keystore");
}

TEST(Keystore, UsesAtLeastModerateArgon2idLimits) {
  auto f = parse_keystore_file(sealed().file);
  ASSERT_TRUE(f);
  EXPECT_GE(f->opslimit, crypto_pwhash_OPSLIMIT_MODERATE);
  EXPECT_GE(f->memlimit, crypto_pwhash_MEMLIMIT_MODERATE);
}

TEST(Keystore, RefusesWeakOrHugeLimitsBeforeDerivingAnything) {
  auto o = json::parse(sealed().file).as_object();
  o["memlimit"] = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  EXPECT_EQ(parse_keystore_file(json::serialize(o)).error().code, errc::keystore_corrupt);
  o = json::parse(sealed().file).as_object();
  o["memlimit"] = std::uint64_t{1} << 40;
  EXPECT_EQ(parse_keystore_file(json::serialize(o)).error().code, errc::keystore_corrupt);
  o = json::parse(sealed().file).as_object();
  o["memlimit"] = 32 * 1024 * 1024;  // below the memory floor, however many passes
  o["opslimit"] = 16;
  EXPECT_EQ(parse_keystore_file(json::serialize(o)).error().code, errc::keystore_corrupt);
  o = json::parse(sealed().file).as_object();
  o["opslimit"] = 1;
  EXPECT_EQ(keystore::open(json::serialize(o), "the right passphrase").error().code, errc::keystore_corrupt);
}

TEST(Keystore, ATamperedParameterIsCaughtByTheAead) {
  // Changing the nonce (bound as additional data and used by the cipher) fails like a wrong passphrase.
  auto o = json::parse(sealed().file).as_object();
  std::string nonce(o["nonce"].as_string());
  nonce[0] = nonce[0] == 'A' ? 'B' : 'A';
  o["nonce"] = nonce;
  EXPECT_EQ(keystore::open(json::serialize(o), "the right passphrase").error().code, errc::wrong_passphrase);
}

TEST(Keystore, RefusesWhatIsNotAKeystore) {
  for (std::string_view bad : {"", "{}", "[1]", "{\"v\":1,\"type\":\"keystore\"}", "not json"}) {
    EXPECT_EQ(keystore::open(bad, "x").error().code, errc::keystore_corrupt) << bad;
  }
}

TEST(Keystore, SavesAtomicallyWithOwnerOnlyPermissions) {
  const auto dir = std::filesystem::temp_directory_path() / ("shuttle-keystore-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "keys.json";
  keystore ks = keystore::create();
  ASSERT_TRUE(ks.save(path, "pass phrase"));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  auto loaded = keystore::load(path, "pass phrase");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->identity().public_key(), ks.identity().public_key());
  std::filesystem::remove_all(dir);
}

TEST(Keystore, ForgettingACaseDeletesItsKey) {
  keystore ks = keystore::create();
  const proto::id c = new_id();
  ks.case_key_for(c);
  EXPECT_EQ(ks.case_count(), 1u);
  ks.forget_case(c);
  EXPECT_EQ(ks.find_case_key(c), nullptr);
}

}  // namespace
}  // namespace shuttle::client
