// The relay's configuration: flags, the INI file, and deploy/'s example
// file, which must parse and name every option the binary has.
#include "server/config.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <fstream>

namespace shuttle::relay {
namespace {

const std::string example = std::string(SHUTTLE_SOURCE_DIR) + "/deploy/shuttle-relay.conf";

std::optional<config> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "serve");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_serve_options(static_cast<int>(argv.size()), argv.data());
}

std::set<std::string> options_in_help() {
  std::ostringstream captured;
  auto* old = std::cout.rdbuf(captured.rdbuf());
  parse({"--help"});
  std::cout.rdbuf(old);
  std::set<std::string> names;
  const std::string help = captured.str();
  const std::regex option(R"(\n  --([a-z-]+))");
  for (auto it = std::sregex_iterator(help.begin(), help.end(), option); it != std::sregex_iterator(); ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

TEST(Config, TheExampleFileParsesAndNamesEveryOption) {
  auto c = parse({"--config", example});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->data_dir, "/var/lib/shuttle");
  EXPECT_EQ(c->listen.port, 8443);

  std::ifstream in(example);
  std::stringstream text;
  text << in.rdbuf();
  const auto names = options_in_help();
  EXPECT_GT(names.size(), 15u);
  for (const auto& name : names) {
    if (name == "help" || name == "version" || name == "config") continue;  // flags only
    EXPECT_TRUE(std::regex_search(text.str(), std::regex("\n(# )?" + name + " = "))) << name << " is not in " << example;
  }
}

TEST(Config, FlagsWinOverTheFile) {
  auto c = parse({"--config", example, "--idle-timeout-seconds", "5", "--listen", "[::1]:0"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->listen.idle_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c->listen.read_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->listen.address, "::1");
  EXPECT_EQ(c->listen.port, 0);
}

TEST(Config, BadValuesAreRefusedWithAMessage) {
  EXPECT_THROW(parse({"--read-timeout-seconds", "0"}), std::runtime_error);
  EXPECT_THROW(parse({"--listen", "localhost"}), std::runtime_error);
  EXPECT_THROW(parse({"--tls-certificate", "a.pem"}), std::runtime_error);
  EXPECT_THROW(parse({"--no-such-option"}), std::runtime_error);
  EXPECT_THROW(parse({"--config", "/nonexistent/relay.conf"}), std::runtime_error);
  EXPECT_THROW(parse({"--service-name", std::string(65, 'x')}), std::runtime_error);
  EXPECT_THROW(parse({"--service-name", "Two\nlines"}), std::runtime_error);
}

TEST(Config, TheServiceNameIsKeptAsGiven) {
  auto c = parse({"--service-name", "Konfliktrådet Øst"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->service.name, "Konfliktrådet Øst");
  EXPECT_EQ(parse({})->service.name, "");
}

}  // namespace
}  // namespace shuttle::relay
