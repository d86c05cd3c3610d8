// shuttle-release: the release manager's tool, run where the release key is
// kept, never on a relay. It makes the release key and signs the browser
// client's manifest (proto/SPEC.md 16.6) into a built web root:
//
//   shuttle-release keygen KEYFILE
//   shuttle-release sign-web --key KEYFILE --web-root DIR --version V
//
// scripts/package runs sign-web with $SHUTTLE_RELEASE_KEY, or with a
// throwaway key it deletes when none is given.
#include "client-lib/keys.hpp"
#include "proto/base64.hpp"
#include "proto/web_manifest.hpp"

#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace {

using namespace shuttle;

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

client::identity_key load_key(const std::filesystem::path& file) {
  std::string text = read_all(file);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto seed = proto::base64url_decode(text);
  if (!seed || seed->size() != 32) throw std::runtime_error(file.string() + " is not a release key");
  auto key = client::identity_key::from_seed(*seed);
  sodium_memzero(seed->data(), seed->size());
  return key;
}

int keygen(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + file.string() + " (it must not exist yet)");
  const auto key = client::identity_key::generate();
  const std::string text = proto::base64url_encode(key.seed()) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write " + file.string());
  std::cout << proto::base64url_encode(key.public_key()) << "\n";
  return 0;
}

int sign_web(const std::filesystem::path& key_file, const std::filesystem::path& root, const std::string& version) {
  proto::web_manifest m;
  m.version = version;
  m.csp = std::string(proto::web_csp);
  const std::string index = read_all(root / "index.html");
  m.files["/"] = proto::web_file_digest(index);
  if (std::filesystem::is_directory(root / "assets")) {
    for (const auto& entry : std::filesystem::directory_iterator(root / "assets")) {
      const std::string path = "/assets/" + entry.path().filename().string();
      if (!entry.is_regular_file() || !proto::web_manifest_path(path)) {
        throw std::runtime_error(entry.path().string() + " cannot be part of a release");
      }
      m.files[path] = proto::web_file_digest(read_all(entry.path()));
    }
  }
  // All code is listed: everything the page names must be in the release.
  const std::regex reference(R"re((?:src|href)=["']?(/[^"' >]*))re");
  for (std::sregex_iterator it(index.begin(), index.end(), reference), end; it != end; ++it) {
    if (!m.files.contains((*it)[1].str())) {
      throw std::runtime_error("index.html names " + (*it)[1].str() + ", which the web root does not hold");
    }
  }
  const auto key = load_key(key_file);
  m.key = key.public_key();
  m.sig = key.sign(proto::web_manifest_transcript(m));
  const std::string text = proto::to_json(m);
  if (!proto::parse_web_manifest(text)) throw std::runtime_error("the manifest does not verify after signing");
  std::ofstream(root / "web-manifest.json", std::ios::binary | std::ios::trunc) << text;
  std::cout << "signed " << m.files.size() << " files of release " << version << " with "
            << proto::base64url_encode(m.key) << "\n";
  return 0;
}

void usage(std::ostream& out) {
  out << "shuttle-release: the release key and the browser client's signed manifest\n\n"
         "  shuttle-release keygen KEYFILE\n"
         "      makes a release key (mode 0600) and prints its public key\n"
         "  shuttle-release sign-web --key KEYFILE --web-root DIR --version V\n"
         "      writes DIR/web-manifest.json: every file of DIR, signed\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 2 && args[0] == "keygen") return keygen(args[1]);
    if (!args.empty() && args[0] == "sign-web") {
      std::string key, root, version;
      for (std::size_t i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == "--key") key = args[i + 1];
        else if (args[i] == "--web-root") root = args[i + 1];
        else if (args[i] == "--version") version = args[i + 1];
        else throw std::runtime_error("unknown option " + args[i]);
      }
      if (key.empty() || root.empty() || version.empty() || args.size() % 2 == 0) {
        throw std::runtime_error("sign-web takes --key, --web-root and --version");
      }
      return sign_web(key, root, version);
    }
    usage(args.empty() ? std::cerr : std::cout);
    return args.size() == 1 && (args[0] == "--help" || args[0] == "help") ? 0 : 2;
  } catch (const std::exception& e) {
    std::cerr << "shuttle-release: " << e.what() << "\n";
    return 1;
  }
}
