// The relay serves the browser client from --web-root: the page and its
// content-hashed assets, from memory, with the security headers of SPEC 16.5,
// and nothing else from the file system.
#include "tests/integration/world.hpp"

#include "proto/web_manifest.hpp"

#include <sodium.h>

#include <cstdlib>
#include <fstream>

#include <sys/stat.h>
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

std::string read_whole(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Signs the page and the script of make_web_root's layout as scripts/package
// does it (shuttle-release sign-web), with a key of this test; returns the file.
std::string sign_release(const std::filesystem::path& root) {
  proto::web_manifest m;
  m.version = "1.0.0";
  m.csp = std::string(proto::web_csp);
  m.files["/"] = proto::web_file_digest(read_whole(root / "index.html"));
  m.files["/assets/app-3f2a9c.js"] = proto::web_file_digest(read_whole(root / "assets" / "app-3f2a9c.js"));
  fixed<64> secret{};
  crypto_sign_keypair(m.key.data(), secret.data());
  const bytes t = proto::web_manifest_transcript(m);
  crypto_sign_detached(m.sig.data(), nullptr, t.data(), t.size(), secret.data());
  const std::string file = proto::to_json(m);
  std::ofstream(root / "web-manifest.json", std::ios::binary) << file;
  return file;
}

// Starts a relay on `root` and expects it to refuse, saying `words`.
void expect_start_refused(const temporary_dir& tmp, const std::filesystem::path& root, std::string_view words) {
  const auto started = run_command(relay_process::binary() + " serve --listen 127.0.0.1:0 --data-dir " +
                                   (tmp.path / "data").string() + " --web-root " + root.string() + " 2>&1");
  EXPECT_NE(started.status, 0);
  EXPECT_NE(started.output.find(words), std::string::npos) << started.output;
}

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
                           "frame-ancestors 'none'", "require-trusted-types-for 'script'",
                           "trusted-types shuttle-worker"}) {
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

  const std::string file = sign_release(root);

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

// What an outside prober planted in a web root: links to the relay's own TLS
// key, a FIFO, hidden files, a linked directory; and the spellings of a path
// out of the root. None of it is served, and the relay starts all the same.
TEST(Web, NothingButThePlainFilesOfTheWebRootIsServed) {
  temporary_dir tmp;
  const auto root = make_web_root(tmp.path);
  world w({"--web-root", root.string()});
  const auto key = w.relay.data_dir() / "data" / "tls-key.pem";
  ASSERT_TRUE(std::filesystem::exists(key));
  ASSERT_NE(read_whole(key).find("PRIVATE KEY"), std::string::npos);

  const auto assets = root / "assets";
  std::filesystem::create_symlink(key, assets / "key.js");
  std::filesystem::create_symlink("../../../data/tls-key.pem", assets / "relative.js");
  std::filesystem::copy_file(key, tmp.path / "key-copy.pem");
  std::filesystem::create_hard_link(tmp.path / "key-copy.pem", assets / "hard.js");
  ASSERT_EQ(::mkfifo((assets / "fifo.js").c_str(), 0600), 0);
  std::ofstream(assets / ".hidden.js") << "hidden";
  std::filesystem::create_directory_symlink(key.parent_path(), assets / "data");
  std::filesystem::create_directories(assets / "sub");
  std::ofstream(assets / "sub" / "inner.js") << "inner";
  std::filesystem::create_symlink(key, root / "web-manifest.json.link");
  w.relay.stop();
  w.relay.restart();  // the web root is read at start
  w.http = https_client(w.relay.port(), certificate_pin((key.parent_path() / "tls-certificate.pem").string()));

  EXPECT_EQ(w.http.get("/assets/app-3f2a9c.js").status, 200u);
  for (const std::string target :
       {"/assets/key.js", "/assets/relative.js", "/assets/hard.js", "/assets/fifo.js", "/assets/.hidden.js",
        "/assets/data", "/assets/data/tls-key.pem", "/assets/sub/inner.js", "/assets/sub", "/assets/..%2fsecret.txt",
        "/assets/%2e%2e/secret.txt", "/assets/.%2e/secret.txt", "/%2e%2e/secret.txt", "/assets/..%5csecret.txt",
        "/assets/..\\secret.txt", "/assets/key.js%00", "/assets/./app-3f2a9c.js", "/./assets/app-3f2a9c.js",
        "/assets/../index.html", "/secret.txt", "/web-manifest.json.link",
        "/.well-known/shuttle/web-manifest.json"}) {
    auto r = w.http.get(target);
    EXPECT_EQ(r.status, 404u) << target;
    EXPECT_EQ(r.text.find("PRIVATE KEY"), std::string::npos) << target;
  }
  const std::string logged = read_whole(w.relay.data_dir() / "relay.log");
  for (const char* left_out : {"key.js is not served (a symbolic link)", "hard.js is not served (a file with more",
                               "fifo.js is not served (not a regular file)", ".hidden.js is not served"}) {
    EXPECT_NE(logged.find(left_out), std::string::npos) << left_out;
  }
}

TEST(Web, APageThatIsALinkStopsTheStartInWords) {
  temporary_dir tmp;
  const auto root = make_web_root(tmp.path);
  std::filesystem::rename(root / "index.html", tmp.path / "elsewhere.html");
  std::filesystem::create_symlink(tmp.path / "elsewhere.html", root / "index.html");
  expect_start_refused(tmp, root, "has no index.html the relay may serve (a symbolic link");
}

// With the release's signed manifest, the relay serves what was signed: an
// asset that differs from it or that it does not list stays unserved (and
// the letters go on), a page that differs stops the start.
TEST(Web, AWebRootIsHeldToItsSignedManifest) {
  temporary_dir tmp;
  const auto root = make_web_root(tmp.path);
  std::ofstream(root / "assets" / "extra.js") << "not in the release";
  sign_release(root);
  {
    world w({"--web-root", root.string()});
    EXPECT_EQ(w.http.get("/assets/app-3f2a9c.js").status, 200u);
    EXPECT_EQ(w.http.get("/assets/extra.js").status, 404u) << "a file the release does not list";
  }
  std::ofstream(root / "assets" / "app-3f2a9c.js") << "console.log('changed');";
  {
    world w({"--web-root", root.string()});
    EXPECT_EQ(w.http.get("/assets/app-3f2a9c.js").status, 404u) << "code the release did not sign";
    EXPECT_EQ(w.http.get("/").status, 200u);
    EXPECT_EQ(w.http.get("/healthz").status, 200u);
    const std::string logged = read_whole(w.relay.data_dir() / "relay.log");
    EXPECT_NE(logged.find("/assets/app-3f2a9c.js is not served: it differs from the signed web-manifest.json"),
              std::string::npos)
        << logged;
  }
  std::ofstream(root / "index.html", std::ios::app) << "<script>alert(1)</script>";
  expect_start_refused(tmp, root, "index.html differs from its signed web-manifest.json");
}

TEST(Web, HeadAnswersWhereGetDoes) {
  temporary_dir tmp;
  const auto root = make_web_root(tmp.path);
  world w({"--web-root", root.string()});
  for (const std::string target : {"/", "/assets/app-3f2a9c.js", "/healthz"}) {
    const auto got = w.http.get(target);
    const auto head = w.http.raw("HEAD " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(head.starts_with("HTTP/1.1 200")) << target << ": " << head.substr(0, 100);
    EXPECT_NE(head.find("Content-Length: " + std::to_string(got.text.size()) + "\r\n"), std::string::npos) << head;
    EXPECT_TRUE(head.ends_with("\r\n\r\n")) << "no body: " << head;
  }
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
