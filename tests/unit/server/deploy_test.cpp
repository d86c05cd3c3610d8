// deploy/'s systemd units: every hardening line is there exactly, the files
// pass `systemd-analyze verify` without a single complaint, and systemd's
// own exposure score stays low.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace {

const std::filesystem::path deploy = std::filesystem::path(SHUTTLE_SOURCE_DIR) / "deploy";

std::set<std::string> lines_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  EXPECT_TRUE(in) << file;
  std::set<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.front() != '#') out.insert(line);
  }
  return out;
}

std::pair<int, std::string> run(const std::string& command) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// The units, with ExecStart pointing at a program that exists here.
std::filesystem::path staged_units() {
  const auto dir = std::filesystem::temp_directory_path() / ("shuttle-units-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const char* name : {"shuttle-relay.service", "shuttle-relay-purge.service", "shuttle-relay-purge.timer"}) {
    std::ifstream in(deploy / name);
    std::stringstream text;
    text << in.rdbuf();
    std::ofstream(dir / name) << std::regex_replace(text.str(), std::regex("/usr/bin/shuttle-relay"), "/bin/true");
  }
  return dir;
}

TEST(Deploy, TheUnitIsHardened) {
  const auto unit = lines_of(deploy / "shuttle-relay.service");
  for (const std::string expected : {
           "User=shuttle",
           "Group=shuttle",
           "ExecStart=/usr/bin/shuttle-relay serve --config /etc/shuttle/relay.conf",
           "StateDirectory=shuttle",
           "StateDirectoryMode=0700",
           "ReadWritePaths=/var/lib/shuttle",
           "UMask=0077",
           "LimitCORE=0",
           "NoNewPrivileges=yes",
           "ProtectSystem=strict",
           "ProtectHome=yes",
           "PrivateTmp=yes",
           "PrivateDevices=yes",
           "DevicePolicy=closed",
           "ProtectKernelTunables=yes",
           "ProtectKernelModules=yes",
           "ProtectKernelLogs=yes",
           "ProtectControlGroups=yes",
           "ProtectClock=yes",
           "ProtectHostname=yes",
           "ProtectProc=invisible",
           "ProcSubset=pid",
           "KeyringMode=private",
           "RestrictNamespaces=yes",
           "RestrictRealtime=yes",
           "RestrictSUIDSGID=yes",
           "LockPersonality=yes",
           "MemoryDenyWriteExecute=yes",
           "RemoveIPC=yes",
           "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
           "SystemCallArchitectures=native",
           "SystemCallFilter=@system-service",
           "SystemCallFilter=~@privileged @resources",
           "SystemCallErrorNumber=EPERM",
           "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
           "AmbientCapabilities=CAP_NET_BIND_SERVICE",
       }) {
    EXPECT_TRUE(unit.contains(expected)) << "deploy/shuttle-relay.service lacks: " << expected;
  }
  // Nothing loosens it again.
  for (const auto& line : unit) {
    EXPECT_FALSE(line.starts_with("ReadWritePaths=") && line != "ReadWritePaths=/var/lib/shuttle") << line;
    EXPECT_FALSE(line.starts_with("User=root")) << line;
  }
  const auto purge = lines_of(deploy / "shuttle-relay-purge.service");
  // It reads the relay's configuration and reaches its store, PostgreSQL's over the network included.
  for (const std::string expected : {"User=shuttle", "ProtectSystem=strict", "ReadWritePaths=/var/lib/shuttle",
                                     "NoNewPrivileges=yes", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                                     "CapabilityBoundingSet=", "LimitCORE=0", "MemoryDenyWriteExecute=yes",
                                     "ExecStart=/usr/bin/shuttle-relay purge --config /etc/shuttle/relay.conf "
                                     "--retention-days 90"}) {
    EXPECT_TRUE(purge.contains(expected)) << "deploy/shuttle-relay-purge.service lacks: " << expected;
  }
}

TEST(Deploy, SystemdAnalyzeFindsNothingToSay) {
  const auto dir = staged_units();
  const auto [status, out] = run("cd " + dir.string() +
                                 " && systemd-analyze verify --man=no ./shuttle-relay.service "
                                 "./shuttle-relay-purge.service ./shuttle-relay-purge.timer");
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "") << "systemd-analyze verify complained";

  const auto [s2, security] = run("systemd-analyze security --offline=true " + (dir / "shuttle-relay.service").string());
  EXPECT_EQ(s2, 0) << security;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(security, m, std::regex(R"(Overall exposure level for shuttle-relay\.service: ([0-9.]+))")))
      << security;
  EXPECT_LE(std::stod(m[1]), 2.0) << "systemd rates the relay's exposure " << m[1];
  const auto [s3, purging] = run("systemd-analyze security --offline=true " + (dir / "shuttle-relay-purge.service").string());
  ASSERT_TRUE(std::regex_search(purging, m, std::regex(R"(Overall exposure level for shuttle-relay-purge\.service: ([0-9.]+))")))
      << purging;
  EXPECT_LE(std::stod(m[1]), 2.0) << "systemd rates the purge's exposure " << m[1];
  std::filesystem::remove_all(dir);
}

}  // namespace
