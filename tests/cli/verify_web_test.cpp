// `shuttle verify-web` as a careful person (or a journalist, or the service's
// auditor) runs it against a relay: the release is signed with a key the
// relay never sees, and any file the relay serves otherwise is named.
#include "tests/cli/cli_person.hpp"
#include "tests/cli/stand_in_relay.hpp"

#include "proto/base64.hpp"
#include "proto/statements.hpp"
#include "proto/web_manifest.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <fstream>

namespace shuttle::testing {
namespace {

std::string command_output(const std::string& line) {
  std::string out;
  FILE* p = popen((line + " 2>&1").c_str(), "r");
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  EXPECT_EQ(pclose(p), 0) << line << ": " << out;
  return out;
}

// The relay's self-signed certificate pin, as the relay prints it at start.
std::string certificate_pin(const std::filesystem::path& pem) {
  FILE* f = std::fopen(pem.c_str(), "r");
  X509* cert = f ? PEM_read_X509(f, nullptr, nullptr, nullptr) : nullptr;
  if (f) std::fclose(f);
  proto::hash digest{};
  unsigned n = 0;
  if (cert) X509_digest(cert, EVP_sha256(), digest.data(), &n);
  X509_free(cert);
  return proto::base64url_encode(digest);
}

// A copy of the built web client, signed by a fresh release key.
struct signed_release {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("shuttle-verify-web-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  std::filesystem::path root = dir / "web";
  std::string release_key;

  explicit signed_release(bool sign = true) {
    std::filesystem::create_directories(dir);
    std::filesystem::copy(SHUTTLE_WEB_ROOT, root, std::filesystem::copy_options::recursive);
    std::filesystem::remove(root / "web-manifest.json");
    if (!sign) return;
    release_key = command_output(quoted(SHUTTLE_RELEASE_BINARY) + " keygen " + quoted((dir / "release.key").string()));
    release_key.erase(release_key.find_last_not_of('\n') + 1);
    command_output(quoted(SHUTTLE_RELEASE_BINARY) + " sign-web --key " + quoted((dir / "release.key").string()) +
                   " --web-root " + quoted(root.string()) + " --version 1.0.0-test");
  }
  ~signed_release() { std::filesystem::remove_all(dir); }

  std::filesystem::path asset(std::string_view ending) const {
    for (const auto& e : std::filesystem::directory_iterator(root / "assets")) {
      if (e.path().filename().string().ends_with(ending)) return e.path();
    }
    ADD_FAILURE() << "no asset ending in " << ending;
    return {};
  }
};

struct verifier {
  relay_process& relay;
  person someone{relay.data_dir() / "verifier"};
  std::string pin = certificate_pin(relay.data_dir() / "data" / "tls-certificate.pem");

  ran check(const std::string& key, const std::string& url_tail = "/") const {
    return someone.run("verify-web", {"https://127.0.0.1:" + std::to_string(relay.port()) + url_tail, "--release-key",
                                      key, "--relay-pin", pin, "--json"},
                       false);
  }
};

TEST(VerifyWeb, ARelayServingTheSignedReleaseVerifies) {
  signed_release release;
  relay_process relay({"--web-root", release.root.string()});
  verifier v{relay};

  const auto ok = v.check(release.release_key);
  ASSERT_EQ(ok.status, 0) << ok.out;
  EXPECT_TRUE(ok.json().at("verified").as_bool());
  EXPECT_EQ(text(ok.json(), "version"), "1.0.0-test");
  // The page, and the script and the style sheet each plain, brotli and gzip.
  EXPECT_GE(ok.json().at("checked").as_int64(), 7);

  // A joining link pasted whole: its code is never sent, the check is the same.
  const auto link = v.check(release.release_key, "/#join=SOMECODE");
  EXPECT_EQ(link.status, 0) << link.out;

  // The sentence a person reads.
  const auto words = v.someone.run("verify-web", {"https://127.0.0.1:" + std::to_string(relay.port()) + "/",
                                                 "--release-key", release.release_key, "--relay-pin", v.pin});
  EXPECT_NE(words.out.find("exactly as it was signed"), std::string::npos) << words.out;
}

// A relay that serves the files on its disk as they are, unchecked, as a
// relay serving other code would: the signed manifest, the page, and each
// asset with its compressed copy when the request takes that coding.
stand_in_relay::answer_fn serving_files(const std::filesystem::path& root) {
  return [root](const stand_in_relay::request& req) {
    namespace http = boost::beast::http;
    stand_in_relay::response res{http::status::ok, 11};
    const std::string target(req.target());
    const std::string accepts(req[http::field::accept_encoding]);
    std::filesystem::path file;
    if (target == "/.well-known/shuttle/web-manifest.json") {
      file = root / "web-manifest.json";
    } else if (target == "/") {
      file = root / "index.html";
    } else if (target.starts_with("/assets/")) {
      file = root / "assets" / target.substr(8);
      for (const auto& [coding, suffix] : {std::pair{"br", ".br"}, std::pair{"gzip", ".gz"}}) {
        if (accepts.find(coding) != std::string::npos && std::filesystem::exists(file.string() + suffix)) {
          file += suffix;
          res.set(http::field::content_encoding, coding);
          break;
        }
      }
    }
    std::ifstream in(file, std::ios::binary);
    if (file.empty() || !in) {
      res.result(http::status::not_found);
      return res;
    }
    res.body().assign(std::istreambuf_iterator<char>(in), {});
    res.set("Content-Security-Policy", std::string(proto::web_csp));
    return res;
  };
}

TEST(VerifyWeb, AScriptChangedOnTheRelayIsNamed) {
  signed_release release;
  // The relay's copy of the script differs from what was signed, in the
  // brotli copy only: what most browsers would run.
  std::ofstream(release.asset(".js.br"), std::ios::binary | std::ios::app) << "x";
  relay_process relay({"--web-root", release.root.string()});
  verifier v{relay};
  // The relay itself serves only what the release signed: it leaves the
  // changed copy out, and what it serves verifies.
  const auto honest = v.check(release.release_key);
  EXPECT_EQ(honest.status, 0) << honest.out;

  // A relay that serves the changed copy is named for it.
  const auto port = relay.port();
  relay.stop();
  stand_in_relay other_code(port, relay.data_dir() / "data", serving_files(release.root));
  const auto refused = v.check(release.release_key);
  EXPECT_EQ(refused.status, 1) << refused.out;
  EXPECT_FALSE(refused.json().at("verified").as_bool());
  EXPECT_EQ(text(refused.json(), "error"), "hash_mismatch");
  EXPECT_NE(text(refused.json(), "message").find(".js (br) differs from the signed release"), std::string::npos)
      << refused.out;

  const auto words = v.someone.run("verify-web", {"https://127.0.0.1:" + std::to_string(port) + "/",
                                                 "--release-key", release.release_key, "--relay-pin", v.pin});
  EXPECT_NE(words.out.find("does NOT serve the signed release"), std::string::npos) << words.out;
}

TEST(VerifyWeb, AManifestSignedByAnotherKeyOrNoneIsRefused) {
  signed_release release;
  signed_release other;
  relay_process relay({"--web-root", release.root.string()});
  verifier v{relay};
  const auto wrong_key = v.check(other.release_key);
  EXPECT_EQ(wrong_key.status, 1);
  EXPECT_EQ(text(wrong_key.json(), "error"), "bad_signature") << wrong_key.out;

  signed_release unsigned_release(false);
  relay_process plain({"--web-root", unsigned_release.root.string()});
  verifier w{plain};
  const auto none = w.check(release.release_key);
  EXPECT_EQ(none.status, 1);
  EXPECT_EQ(text(none.json(), "error"), "not_found") << none.out;

  // A relay whose certificate is not the pinned one is not asked anything.
  verifier mispinned{relay};
  mispinned.pin = w.pin;
  EXPECT_EQ(text(mispinned.check(release.release_key).json(), "error"), "tls_failure");
}

}  // namespace
}  // namespace shuttle::testing
