// `shuttle verify-web`: whether a relay serves the browser client as its
// release signed it.
#include "client-lib/cli/cli.hpp"
#include "client-lib/web_verify.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <fstream>
#include <iostream>

namespace shuttle::cli {
namespace {

// The release key `verify-web` trusts without --release-key: the one the
// package this program came from was signed with (scripts/package).
constexpr const char* packaged_release_key = "/usr/share/shuttle/web-release-key";

int cmd_verify_web(int argc, char** argv) {
  common c;
  std::string url, key_text, pin_text;
  po::options_description d(
      "shuttle verify-web URL [--release-key KEY] [--relay-pin PIN]: check that a relay serves the browser client "
      "exactly as the release signed it");
  add_common(d, c);
  d.add_options()("url", po::value(&url)->required(), "the relay's address, https://HOST:PORT/ (a link's #... is ignored)")
      ("release-key", po::value(&key_text),
       "the release's public key (base64url); otherwise the one in /usr/share/shuttle/web-release-key")
      ("relay-pin", po::value(&pin_text),
       "the SHA-256 pin of a self-signed relay certificate (base64url, as the relay prints it); otherwise the "
       "system's certificate authorities check it");
  po::positional_options_description pos;
  pos.add("url", 1);
  if (!parse(argc, argv, d, pos)) return 0;

  std::string address = url.substr(0, url.find('#'));  // the fragment (a joining code) is never used or sent
  if (address.starts_with("https://")) address = address.substr(8);
  else if (address.find("://") != std::string::npos) throw std::runtime_error("the relay is reached over https:// only");
  address = address.substr(0, address.find('/'));
  if (address.find(':') == std::string::npos || address.back() == ']') address += ":443";

  if (key_text.empty()) {
    std::ifstream in(packaged_release_key);
    if (!in) throw std::runtime_error("which release key? Pass --release-key (this system has none at " +
                                      std::string(packaged_release_key) + ")");
    std::getline(in, key_text);
  }
  proto::public_key key{};
  auto raw_key = proto::base64url_decode(key_text);
  if (!raw_key || raw_key->size() != key.size()) throw std::runtime_error("the release key is not a public key");
  std::copy(raw_key->begin(), raw_key->end(), key.begin());

  relay_connection relay(need(relay_address::parse(address, relay_pin(pin_text))));
  const auto done = verify_web(relay, key);
  if (!done) {
    if (c.as_json) {
      print_json(json::object{{"verified", false}, {"error", to_string(done.error().code)}, {"message", done.error().detail}});
    } else {
      std::cerr << "The relay at " << address << " does NOT serve the signed release: " << done.error().detail
                << ".\nDo not use its web page; use the shuttle program and tell the service that runs the relay.\n";
    }
    return 1;
  }
  if (c.as_json) {
    print_json(json::object{{"verified", true}, {"version", done->version}, {"checked", done->checked}});
  } else {
    std::cout << "The relay at " << address << " serves the web client of release " << done->version
              << " exactly as it was signed (" << done->checked << " answers checked).\n";
  }
  return 0;
}

const registered these{
    {"verify-web", "Checks", "check that a relay serves the browser client as the release signed it", cmd_verify_web},
};

}  // namespace
}  // namespace shuttle::cli
