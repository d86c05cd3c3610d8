// The relay serves the browser client from --web-root: the page and its
// content-hashed assets, from memory, with the security headers of SPEC 16.5,
// and nothing else from the file system.
#include "tests/integration/world.hpp"

#include "proto/web_manifest.hpp"

#include <sodium.h>

#include <cstdlib>
#include <fstream>

#include <unistd.h>

namespace shuttle::testing {
namespace {

std::string header(const reply& r, const std::string& name) {
  const std::string key = "\r\n" + name + ": ";
  const auto at = r.headers.find(key);
  if (at == std::string::npos) return "";
  const auto start = at + key.size();
  return r.headers.substr(start, r.headers.find("\r\n", start) - start);
}

// A web root as web/build.mjs lays it out.
std::filesystem::path make_web_root(const std::filesystem::path& dir) {
  const auto root = dir / "web";
  std::filesystem::create_directories(root / "assets");
  std::ofstream(root / "index.html") << "<!doctype html><title>Shuttle</title>"
                                        "<script type=module src=/assets/app-3f2a9c.js integrity=sha384-x></script>";
  std::ofstream(root / "assets" / "app-3f2a9c.js") << "console.log('hello');";
  std::ofstream(root / "secret.txt") << "not served";
  return root;
}

struct temporary_dir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("shuttle-web-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  temporary_dir() { std::filesystem::create_directories(path); }
  ~temporary_dir() { std::filesystem::remove_all(path); }
};

TEST(Web, ThePageAndItsAssetsGoOutWithTheSecurityHeaders) {
  temporary_dir tmp;
  const auto root = make_web_root(tmp.path);
  world w({"--web-root", root.string()});

  auto page = w.http.get("/");
  ASSERT_EQ(page.status, 200u) << page.text;
  EXPECT_EQ(page.text.substr(0, 15), "<!doctype html>");
  EXPECT_EQ(header(page, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(header(page, "Cache-Control"), "no-store");
  const std::string csp = header(page, "Content-Security-Policy");
  for (const char* part : {"default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'",
                           "img-src 'self' blob:", "style-src 'self'", "base-uri 'none'", "form-action 'none'",
                           "frame-ancestors 'none'", "require-trusted-types-for 'script'"}) {
    EXPECT_NE(csp.find(part), std::string::npos) << part << " missing from " << csp;
  }
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(header(page, "Integrity-Policy"), "blocked-destinations=(script)");
  EXPECT_EQ(header(page, "Cross-Origin-Opener-Policy"), "same-origin");
  EXPECT_EQ(header(page, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(page, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(header(page, "Strict-Transport-Security"), "max-age=63072000");

  auto script = w.http.get("/assets/app-3f2a9c.js");
  ASSERT_EQ(script.status, 200u);
  EXPECT_EQ(script.text, "console.log('hello');");
  EXPECT_EQ(header(script, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(header(script, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(script, "Content-Security-Policy"), csp);

  // Only the page and the assets: nothing else of the directory, no other spelling.
  for (const char* other : {"/secret.txt", "/index.html", "/assets/missing.js", "/assets/..%2fsecret.txt",
                            "/assets/../secret.txt", "/assets/.hidden", "/assets/", "/assets"}) {
    EXPECT_EQ(w.http.get(other).status, 404u) << other;
  }
  // The API beside it is unchanged.
  EXPECT_EQ(w.http.get("/healthz").status, 200u);
}

TEST(Web, TheReleasesSignedManifestIsServedAsItIsAndIsNotFoundWithoutOne) {
  temporary_dir tmp;
  const auto root = make_web_root(tmp.path);
  {
    world unsigned_release({"--web-root", root.string()});
    EXPECT_EQ(unsigned_release.http.get("/.well-known/shuttle/web-manifest.json").status, 404u);
  }

  // Signed as scripts/package does it (shuttle-release sign-web), with a key of this test.
  auto sha256 = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    const std::string body{std::istreambuf_iterator<char>(in), {}};
    proto::hash h{};
    crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(body.data()), body.size());
    return h;
  };
  proto::web_manifest m;
  m.version = "1.0.0";
  m.csp = std::string(proto::web_csp);
  m.files["/"] = sha256(root / "index.html");
  m.files["/assets/app-3f2a9c.js"] = sha256(root / "assets" / "app-3f2a9c.js");
  fixed<64> secret{};
  crypto_sign_keypair(m.key.data(), secret.data());
  const bytes t = proto::web_manifest_transcript(m);
  crypto_sign_detached(m.sig.data(), nullptr, t.data(), t.size(), secret.data());
  const std::string file = proto::to_json(m);
  std::ofstream(root / "web-manifest.json", std::ios::binary) << file;

  world w({"--web-root", root.string()});
  auto served = w.http.get("/.well-known/shuttle/web-manifest.json");
  ASSERT_EQ(served.status, 200u) << served.text;
  EXPECT_EQ(served.text, file);
  EXPECT_EQ(header(served, "Content-Type"), "application/json");
  EXPECT_EQ(header(served, "Cache-Control"), "no-store");  // a new release replaces it
  EXPECT_TRUE(proto::parse_web_manifest(served.text));
}

TEST(Web, AssetsGoCompressedToABrowserThatTakesThem) {
  temporary_dir tmp;
  const auto root = make_web_root(tmp.path);
  std::ofstream(root / "assets" / "app-3f2a9c.js.br", std::ios::binary) << "BROTLI";
  std::ofstream(root / "assets" / "app-3f2a9c.js.gz", std::ios::binary) << "GZIP";
  world w({"--web-root", root.string()});
  auto fetch = [&](const std::string& accept) {
    https_client c(w.relay.port(), certificate_pin((w.relay.data_dir() / "data" / "tls-certificate.pem").string()));
    if (!accept.empty()) c.set_header("Accept-Encoding", accept);
    return c.get("/assets/app-3f2a9c.js");
  };
  auto br = fetch("gzip, deflate, br, zstd");
  EXPECT_EQ(br.text, "BROTLI");
  EXPECT_EQ(header(br, "Content-Encoding"), "br");
  EXPECT_EQ(header(br, "Vary"), "Accept-Encoding");
  auto gz = fetch("gzip");
  EXPECT_EQ(gz.text, "GZIP");
  EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
  auto plain = fetch("");
  EXPECT_EQ(plain.text, "console.log('hello');");
  EXPECT_EQ(header(plain, "Content-Encoding"), "");
  EXPECT_EQ(fetch("br;q=0, gzip;q=0").text, "console.log('hello');");
  // The compressed copies are no names of their own.
  EXPECT_EQ(w.http.get("/assets/app-3f2a9c.js.br").status, 404u);
}

TEST(Web, WithoutAWebRootThereIsNoPage) {
  world w;
  auto page = w.http.get("/");
  EXPECT_EQ(page.status, 404u);
  EXPECT_EQ(page.body.at("error"), "not_found");
  EXPECT_EQ(w.http.get("/assets/app.js").status, 404u);
}

}  // namespace
}  // namespace shuttle::testing
