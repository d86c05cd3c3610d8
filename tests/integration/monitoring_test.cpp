// The relay's figures as operators see them: /metrics from its own listener
// passes `promtool check metrics`, deploy/monitoring/prometheus.yml (with its
// alert rules) passes `promtool check config`, the alerts pass `promtool
// test rules`, and every series the alerts and the Grafana dashboard ask for
// is one the relay exports.
#include "tests/integration/world.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <cctype>
#include <set>
#include <sstream>

namespace shuttle::testing {
namespace {

const std::filesystem::path monitoring = SHUTTLE_SOURCE_DIR "/deploy/monitoring";

// Runs a command; its exit status and what it printed (both streams).
std::pair<int, std::string> run(const std::string& command) {
  std::FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  return {::pclose(p), out};
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The metric families a PromQL text names (shuttle_* only), without the
// histogram's _bucket, _sum and _count suffixes.
std::set<std::string> families_in(const std::string& text) {
  std::set<std::string> out;
  for (std::size_t at = 0; (at = text.find("shuttle_", at)) != std::string::npos;) {
    std::size_t end = at;
    while (end < text.size() && (std::islower(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
    std::string name = text.substr(at, end - at);
    for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
      if (name.ends_with(suffix)) name.resize(name.size() - suffix.size());
    }
    out.insert(name);
    at = end;
  }
  return out;
}

std::string exported_metrics() {
  world w;
  actor f = w.facilitator();
  (void)w.http.get("/nowhere");  // a refusal, so every kind of series has a sample
  (void)w.http.get("/v1/me", f.token);
  return w.relay.metrics();
}

TEST(Monitoring, MetricsPassPromtool) {
  const auto text = exported_metrics();
  const auto file = std::filesystem::temp_directory_path() / ("shuttle-metrics-" + std::to_string(::getpid()));
  std::ofstream(file) << text;
  const auto [status, out] = run("promtool check metrics < " + file.string());
  std::filesystem::remove(file);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "") << "promtool's lint findings";
}

TEST(Monitoring, ThePrometheusConfigurationAndAlertsAreValid) {
  const auto [status, out] = run("promtool check config " + (monitoring / "prometheus.yml").string());
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("8 rules found"), std::string::npos) << out;
  const auto [rules_status, rules_out] = run("promtool check rules " + (monitoring / "shuttle-alerts.yml").string());
  EXPECT_EQ(rules_status, 0) << rules_out;
}

// shuttle-alerts.test.yml: two relays and more; each alert fires for the
// relay in trouble, names it, and stays quiet for the others.
TEST(Monitoring, TheAlertsFireForTheRelayInTrouble) {
  const auto [status, out] = run("promtool test rules " + (monitoring / "shuttle-alerts.test.yml").string());
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("SUCCESS"), std::string::npos) << out;
}

TEST(Monitoring, AlertsAndTheDashboardAskOnlyForExportedSeries) {
  const auto exported = families_in(exported_metrics());
  ASSERT_GE(exported.size(), 8u);
  const auto dashboard = boost::json::parse(read_file(monitoring / "grafana-dashboard.json"));
  std::set<std::string> asked;
  for (const auto& panel : dashboard.at("panels").as_array()) {
    for (const auto& target : panel.at("targets").as_array()) {
      const auto f = families_in(std::string(target.at("expr").as_string()));
      asked.insert(f.begin(), f.end());
    }
  }
  const auto alerts = families_in(read_file(monitoring / "shuttle-alerts.yml"));
  asked.insert(alerts.begin(), alerts.end());
  for (const auto& name : asked) EXPECT_TRUE(exported.count(name)) << name << " is not exported by the relay";
  // And every figure the relay exports is on the dashboard.
  for (const auto& name : exported) EXPECT_TRUE(asked.count(name)) << name << " is not on the dashboard or alerts";
}

// A series' value in the Prometheus text ("name{labels}" as written); 0 when absent.
double sample(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return 0;
  return std::stod(text.substr(at + series.size() + 2));
}

std::string stage_series(const std::string& stage, const std::string& what) {
  return "shuttle_write_stage_seconds_" + what + "{stage=\"" + stage + "\"}";
}

// A letter sent as a party sends it: each write's time shows stage by stage,
// and the stages the store and the route take in turn fit inside the whole
// write they are part of.
TEST(Monitoring, WritesShowWhereTheirTimeWent) {
  exchange x;
  const auto before = x.w.relay.metrics();
  auto sent = x.w.send(x.h, x.case_id, x.pin, proto::role::responsible, "I am sorry for what I did.");
  ASSERT_EQ(sent.answer.status, 200u) << sent.answer.body;
  const auto after = x.w.relay.metrics();
  const std::vector<std::string> in_turn{"queued", "ahead", "job", "commit", "handover", "resume"};
  double parts = 0;
  for (const auto& stage : in_turn) {
    EXPECT_GE(sample(after, stage_series(stage, "count")) - sample(before, stage_series(stage, "count")), 1) << stage;
    parts += sample(after, stage_series(stage, "sum")) - sample(before, stage_series(stage, "sum"));
  }
  const double writes = sample(after, stage_series("write", "count")) - sample(before, stage_series("write", "count"));
  const double whole = sample(after, stage_series("write", "sum")) - sample(before, stage_series("write", "sum"));
  EXPECT_GE(writes, 1);
  EXPECT_GT(parts, 0);
  // (Sums are nanoseconds printed as seconds: a nanosecond for each of the seven.)
  EXPECT_LE(parts, whole + 7e-9) << "the stages add up to more than the writes they are part of";
}

}  // namespace
}  // namespace shuttle::testing
