// Monitoring with the real tools: the broker's /metrics through `promtool
// check metrics`, the alert rules (deploy/prometheus) through `promtool
// check rules` and their unit tests, the Grafana dashboard (deploy/grafana)
// and the rules naming only metrics the broker exports, and a real
// Prometheus scraping a real broker and answering queries on it.
//
// One ctest entry per case, named after its tag (label prometheus). All but
// prometheus_dashboard need Debian's `prometheus` package (prometheus and
// promtool): without it they exit 77 (reported as skipped), or fail when
// the environment variable CI is set.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "broker/build_info.h"
#include "broker/formats/json.h"
#include "broker/http/client.h"
#include "broker/testing/metrics_sample.h"
#include "policy/yaml_tree.h"
#include "tests/broker_harness.h"

namespace accord::testing {
namespace {

constexpr char kPrometheus[] = "/usr/bin/prometheus";
constexpr char kPromtool[] = "/usr/bin/promtool";

// Every wait below polls; this bounds a wait only so that a broken setup
// fails with its log instead of hanging.
constexpr absl::Duration kPatience = absl::Minutes(3);

std::string PrometheusDir() { return SourceDir() + "/deploy/prometheus"; }

// Exits 77 (skipped) when `program` is not installed, unless CI is set:
// then the case fails.
void RequireOrSkip(const char* program) {
  if (access(program, X_OK) == 0) return;
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0') {
    FAIL(program << " is not installed (Debian package prometheus; "
                    "ACCORD_TEST_DEPS=1 deploy/install-deps.sh installs it), "
                    "and CI is set, so this is a failure");
  }
  std::cout << "SKIPPED: " << program
            << " is not installed (Debian package prometheus)\n";
  std::exit(kSkipExitCode);
}

// Calls `done` until it holds or kPatience passes; returns whether it held.
bool PollUntil(const std::function<bool()>& done) {
  return WaitUntil(done, kPatience);
}

// Grants for partner-demo on a dev-mode dataset, through the real CLI.
void RequestGrants(const BrokerProcess& broker, int count) {
  for (int i = 0; i < count; ++i) {
    CliResult r = broker.Cli({"grant", "request", "--dataset",
                              "rennes.mobility.bike-stations", "--purpose",
                              "service-provision", "--audience", "svc", "--as",
                              "partner-demo", "--output", "json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const formats::JsonValue* grants = r.json.Find("grants");
    REQUIRE(grants != nullptr);
    REQUIRE(grants->AsArray() != nullptr);
    REQUIRE(grants->AsArray()->size() == 1);
  }
}

std::string Metrics(const BrokerProcess& broker) {
  auto page = broker.Get("/metrics");
  REQUIRE(page.ok());
  REQUIRE(page->status == 200);
  return page->body;
}

using ::accord::testing::Sample;

// The families of a /metrics page ("# TYPE" lines): name -> type.
std::map<std::string, std::string> Families(const std::string& text) {
  std::map<std::string, std::string> families;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, "# TYPE ")) continue;
    std::vector<std::string> parts = absl::StrSplit(line, ' ');
    if (parts.size() == 2) families[parts[0]] = parts[1];
  }
  return families;
}

// The series names `families` can hold: a histogram's are its _bucket,
// _sum and _count.
std::set<std::string> SeriesNames(
    const std::map<std::string, std::string>& families) {
  std::set<std::string> names;
  for (const auto& [name, type] : families) {
    if (type != "histogram") {
      names.insert(name);
      continue;
    }
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      names.insert(name + suffix);
    }
  }
  return names;
}

// The metric names a PromQL expression uses: identifiers starting with
// accord_ or process_, outside string literals, plus `up`.
std::set<std::string> NamesIn(absl::string_view expr) {
  std::set<std::string> names;
  std::string word;
  bool quoted = false;
  auto flush = [&] {
    if (absl::StartsWith(word, "accord_") ||
        absl::StartsWith(word, "process_") || word == "up") {
      names.insert(word);
    }
    word.clear();
  };
  for (size_t i = 0; i < expr.size(); ++i) {
    const char c = expr[i];
    if (quoted) {
      if (c == '\\') ++i;
      if (c == '"') quoted = false;
      continue;
    }
    if (c == '"') {
      flush();
      quoted = true;
    } else if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_') {
      word += c;
    } else {
      flush();
    }
  }
  flush();
  return names;
}

// Every `expr` of the Grafana dashboard's panels (rows' nested panels
// included).
std::vector<std::string> DashboardExprs(const formats::JsonValue& dashboard) {
  std::vector<std::string> exprs;
  std::vector<const formats::JsonValue*> todo = {&dashboard};
  while (!todo.empty()) {
    const formats::JsonValue* v = todo.back();
    todo.pop_back();
    const formats::JsonValue* panels = v->Find("panels");
    if (panels != nullptr && panels->AsArray() != nullptr) {
      for (const auto& p : *panels->AsArray()) todo.push_back(&p);
    }
    const formats::JsonValue* targets = v->Find("targets");
    if (targets == nullptr || targets->AsArray() == nullptr) continue;
    for (const auto& t : *targets->AsArray()) {
      const formats::JsonValue* expr = t.Find("expr");
      if (expr != nullptr && expr->AsString() != nullptr) {
        exprs.push_back(*expr->AsString());
      }
    }
  }
  return exprs;
}

formats::JsonValue Dashboard() {
  const std::string text = ReadAll(SourceDir() + "/deploy/grafana/accord.json");
  REQUIRE(!text.empty());
  auto dashboard = formats::ParseJson(text);
  INFO(dashboard.status().ToString());
  REQUIRE(dashboard.ok());
  return *std::move(dashboard);
}

// The value of `key` in a YAML map, or null when absent.
const policy::YamlNode* Get(const policy::YamlNode& map,
                            absl::string_view key) {
  if (!map.IsMap()) return nullptr;
  for (size_t i = 0; i < map.size(); ++i) {
    if (map.key(i).scalar == key) return &map.value(i);
  }
  return nullptr;
}

// alert name -> expr of every rule of deploy/prometheus/alerts.yml.
std::vector<std::pair<std::string, std::string>> AlertExprs() {
  const std::string path = PrometheusDir() + "/alerts.yml";
  auto root = policy::ParseYamlTree(ReadAll(path), path);
  INFO(root.status().ToString());
  REQUIRE(root.ok());
  std::vector<std::pair<std::string, std::string>> rules;
  const policy::YamlNode* groups = Get(*root, "groups");
  REQUIRE(groups != nullptr);
  for (const policy::YamlNode& group : groups->children) {
    const policy::YamlNode* list = Get(group, "rules");
    REQUIRE(list != nullptr);
    for (const policy::YamlNode& rule : list->children) {
      const policy::YamlNode* alert = Get(rule, "alert");
      const policy::YamlNode* expr = Get(rule, "expr");
      REQUIRE(alert != nullptr);
      REQUIRE(expr != nullptr);
      rules.emplace_back(alert->scalar, expr->scalar);
    }
  }
  return rules;
}

// Percent-encodes a query parameter value (RFC 3986 unreserved kept).
std::string UrlEncode(absl::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

// One process started with Spawn, stopped (SIGTERM, then waited for) when
// this goes out of scope, on failure too.
class Child {
 public:
  Child(const std::string& program, const std::vector<std::string>& args,
        const std::string& log)
      : pid_(Spawn(program, args, log, log)) {}
  ~Child() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // Whether the process has exited (it is then reaped).
  bool Exited() {
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;
    return pid_ <= 0;
  }

 private:
  pid_t pid_;
};

// A Prometheus server of its own on a free loopback port.
class Prometheus {
 public:
  // Scrapes `target` (host:port of the broker's HTTP listener) every
  // second as job "accord", with the rules of deploy/prometheus/alerts.yml
  // evaluated every second.
  Prometheus(const std::string& dir, const std::string& target)
      : address_(absl::StrCat("127.0.0.1:", FreePort())),
        log_(dir + "/prometheus.log") {
    const std::string config = dir + "/prometheus.yml";
    std::ofstream(config) << "global:\n"
                             "  scrape_interval: 1s\n"
                             "  scrape_timeout: 1s\n"
                             "  evaluation_interval: 1s\n"
                             "rule_files:\n"
                             "  - "
                          << PrometheusDir()
                          << "/alerts.yml\n"
                             "scrape_configs:\n"
                             "  - job_name: accord\n"
                             "    static_configs:\n"
                             "      - targets: ['"
                          << target << "']\n";
    child_ = std::make_unique<Child>(
        kPrometheus,
        std::vector<std::string>{"--config.file=" + config,
                                 "--storage.tsdb.path=" + dir + "/data",
                                 "--web.listen-address=" + address_},
        log_);
  }

  // Waits until /-/ready answers 200.
  bool WaitReady() {
    const bool answered = PollUntil([&] {
      if (child_->Exited()) return true;  // no use waiting: see the log
      auto r = http::HttpGet(address_, "/-/ready", absl::Seconds(5));
      return r.ok() && r->status == 200;
    });
    return answered && !child_->Exited();
  }

  // GET `path` of the HTTP API, parsed; null JSON when it fails.
  formats::JsonValue Api(const std::string& path) const {
    auto r = http::HttpGet(address_, path, absl::Seconds(10));
    if (!r.ok()) return formats::JsonValue();
    auto json = formats::ParseJson(r->body);
    return json.ok() ? *std::move(json) : formats::JsonValue();
  }

  // /api/v1/query of `promql`: the response, parsed.
  formats::JsonValue Query(const std::string& promql) const {
    return Api("/api/v1/query?query=" + UrlEncode(promql));
  }

  // The instant vector `promql` evaluates to, as values (empty when the
  // query failed or matched nothing).
  std::vector<double> Values(const std::string& promql) const {
    std::vector<double> values;
    const formats::JsonValue response = Query(promql);
    const formats::JsonValue* data = response.Find("data");
    const formats::JsonValue* result =
        data != nullptr ? data->Find("result") : nullptr;
    if (result == nullptr || result->AsArray() == nullptr) return values;
    for (const auto& series : *result->AsArray()) {
      const formats::JsonValue* value = series.Find("value");
      if (value == nullptr || value->AsArray() == nullptr ||
          value->AsArray()->size() != 2) {
        continue;
      }
      const std::string* text = value->AsArray()->at(1).AsString();
      double v = 0;
      if (text != nullptr && absl::SimpleAtod(*text, &v)) values.push_back(v);
    }
    return values;
  }

  std::string log() const { return ReadAll(log_); }

 private:
  std::string address_;
  std::string log_;
  std::unique_ptr<Child> child_;
};

std::string Status(const formats::JsonValue& response) {
  const formats::JsonValue* status = response.Find("status");
  return status != nullptr && status->AsString() != nullptr
             ? *status->AsString()
             : "";
}

TEST_CASE("the broker's /metrics passes promtool check metrics",
          "[promtool_check_metrics]") {
  RequireOrSkip(kPromtool);
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  // Calls, decisions and grants, so that every family has samples.
  RequestGrants(broker, 2);
  const std::string page = Metrics(broker);
  const std::string file = dir.path() + "/metrics.txt";
  std::ofstream(file) << page;

  CliResult lint =
      Run("/bin/sh", {"-c", absl::StrCat("exec ", kPromtool,
                                         " check metrics < '", file, "'")});
  INFO(page);
  INFO("promtool: " << lint.out << lint.err);
  CHECK(lint.exit_code == 0);
  CHECK(lint.out.empty());
  CHECK(lint.err.empty());

  // The standard process metrics, about this broker.
  CHECK(Sample(page, "process_cpu_seconds_total") > 0);
  CHECK(Sample(page, "process_resident_memory_bytes") > 0);
  CHECK(Sample(page, "process_virtual_memory_bytes") >=
        Sample(page, "process_resident_memory_bytes"));
  CHECK(Sample(page, "process_open_fds") > 0);
  CHECK(Sample(page, "process_max_fds") >= Sample(page, "process_open_fds"));
  const double now = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  const double start = Sample(page, "process_start_time_seconds");
  CHECK(start > now - 600);
  CHECK(start <= now + 2);
  // The build, and the gauges of the broker's state.
  CHECK(
      Sample(page, absl::StrCat("accord_build_info{version=\"", BuildVersion(),
                                "\",commit=\"", BuildCommit(), "\"}")) == 1);
  // The binary says the same of itself.
  const CliResult version = Run(BinDir() + "/accord-broker", {"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == VersionLine("accord-broker"));
  CHECK(Sample(page, "accord_ready") == 1);
  CHECK(Sample(page, "accord_store_free_bytes") >
        Sample(page, "accord_store_reserve_bytes"));
  CHECK(Sample(page, "accord_store_reserve_bytes") == 64 << 20);
  CHECK(Sample(page, "accord_grants_issued_total") >= 2);
  // Dev mode's certificates (ten years) and keys (made at this start).
  CHECK(
      Sample(page,
             "accord_certificate_expiry_timestamp_seconds{cert=\"tls_cert\"}") >
      now + 9 * 365 * 86400.0);
  CHECK(Sample(page,
               "accord_certificate_expiry_timestamp_seconds{cert=\"tls_ca\"}") >
        now + 9 * 365 * 86400.0);
  CHECK(Sample(page,
               "accord_signing_key_created_timestamp_seconds{ring=\"grant\"}") >
        now - 600);
  CHECK(
      Sample(page,
             "accord_signing_key_created_timestamp_seconds{ring=\"receipt\"}") >
      now - 600);
  // The newest checkpoint covers the log within a few seconds.
  CHECK(PollUntil([&] {
    const std::string later = Metrics(broker);
    return Sample(later, "accord_checkpoint_size") ==
               Sample(later, "accord_log_size") &&
           Sample(later, "accord_checkpoint_timestamp_seconds") > now - 600;
  }));
}

TEST_CASE(
    "the alert rules and the sample config pass promtool, with their "
    "unit tests",
    "[promtool_rules]") {
  RequireOrSkip(kPromtool);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"check", "rules", PrometheusDir() + "/alerts.yml"},
           {"test", "rules", PrometheusDir() + "/alerts_test.yml"},
           {"check", "config", PrometheusDir() + "/prometheus.yml"}}) {
    CliResult r = Run(kPromtool, args);
    INFO("promtool " << args[0] << " " << args[1] << " " << args[2] << ":\n"
                     << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(absl::StrContains(r.out + r.err, "SUCCESS"));
  }
}

TEST_CASE(
    "the dashboard and the alert rules name only metrics the broker "
    "exports",
    "[prometheus_dashboard]") {
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  const std::map<std::string, std::string> families = Families(Metrics(broker));
  std::set<std::string> exported = SeriesNames(families);
  exported.insert("up");  // Prometheus's own, per target

  const formats::JsonValue dashboard = Dashboard();
  const formats::JsonValue* panels = dashboard.Find("panels");
  REQUIRE(panels != nullptr);
  REQUIRE(panels->AsArray() != nullptr);
  CHECK(panels->AsArray()->size() >= 10);
  const std::vector<std::string> exprs = DashboardExprs(dashboard);
  CHECK(exprs.size() >= 10);
  std::set<std::string> used;
  for (const std::string& expr : exprs) {
    INFO("dashboard expr: " << expr);
    const std::set<std::string> names = NamesIn(expr);
    CHECK(!names.empty());
    for (const std::string& name : names) {
      INFO("metric: " << name);
      CHECK(exported.contains(name));
      used.insert(name);
    }
  }
  const auto rules = AlertExprs();
  CHECK(rules.size() == 11);
  for (const auto& [alert, expr] : rules) {
    INFO("alert " << alert << ": " << expr);
    const std::set<std::string> names = NamesIn(expr);
    CHECK(!names.empty());
    for (const std::string& name : names) {
      INFO("metric: " << name);
      CHECK(exported.contains(name));
    }
  }
  // Every family the broker exports is on the dashboard.
  for (const auto& [name, type] : families) {
    INFO("exported, not on the dashboard: " << name);
    if (type == "histogram") {
      CHECK((used.contains(name + "_bucket") || used.contains(name + "_sum")));
    } else {
      CHECK(used.contains(name));
    }
  }
}

TEST_CASE("a real Prometheus scrapes the broker and sees grants counted",
          "[prometheus_scrape]") {
  RequireOrSkip(kPrometheus);
  TempDir dir;
  BrokerProcess broker(dir.path() + "/var");
  REQUIRE(broker.Start().ok());
  Prometheus prometheus(dir.path(), broker.http_address());
  {
    INFO(prometheus.log());
    REQUIRE(prometheus.WaitReady());
  }

  // The target is up once scraped.
  const bool up = PollUntil([&] {
    std::vector<double> v = prometheus.Values("up{job=\"accord\"} == 1");
    return v.size() == 1 && v[0] == 1;
  });
  {
    INFO(prometheus.log());
    INFO(prometheus.Api("/api/v1/targets").Serialize());
    REQUIRE(up);
  }
  // A first value of the grant counter, then grants, then a larger one.
  double before = -1;
  REQUIRE(PollUntil([&] {
    std::vector<double> v =
        prometheus.Values("accord_grants_issued_total{job=\"accord\"}");
    if (v.size() != 1) return false;
    before = v[0];
    return true;
  }));
  RequestGrants(broker, 3);
  const std::string grown = absl::StrCat(
      "accord_grants_issued_total{job=\"accord\"} >= ", before + 3);
  CHECK(PollUntil([&] { return prometheus.Values(grown).size() == 1; }));
  CHECK(PollUntil([&] {
    return prometheus
               .Values(
                   "increase(accord_grants_issued_total{job=\"accord\"}"
                   "[1m]) > 0")
               .size() == 1;
  }));
  // Other signals of the same scrape.
  CHECK(prometheus.Values("accord_ready{job=\"accord\"} == 1").size() == 1);
  CHECK(prometheus.Values("accord_build_info{job=\"accord\"}").size() == 1);
  CHECK(prometheus.Values("process_open_fds{job=\"accord\"} > 0").size() == 1);

  // The alert rules loaded, and each evaluated without error.
  const bool rules_ok = PollUntil([&] {
    const formats::JsonValue rules = prometheus.Api("/api/v1/rules");
    const formats::JsonValue* data = rules.Find("data");
    const formats::JsonValue* groups =
        data != nullptr ? data->Find("groups") : nullptr;
    if (groups == nullptr || groups->AsArray() == nullptr) return false;
    size_t healthy = 0;
    for (const auto& group : *groups->AsArray()) {
      const formats::JsonValue* list = group.Find("rules");
      if (list == nullptr || list->AsArray() == nullptr) return false;
      for (const auto& rule : *list->AsArray()) {
        const formats::JsonValue* health = rule.Find("health");
        if (health == nullptr || health->AsString() == nullptr ||
            *health->AsString() != "ok") {
          return false;
        }
        ++healthy;
      }
    }
    return healthy == 11;
  });
  {
    INFO(prometheus.Api("/api/v1/rules").Serialize());
    CHECK(rules_ok);
  }
  // A healthy broker fires nothing (pending at most: every rule waits).
  CHECK(prometheus.Values("ALERTS{alertstate=\"firing\"}").empty());

  // Every dashboard query is valid PromQL for this Prometheus, with the
  // dashboard's variables filled in as Grafana would.
  for (const std::string& expr : DashboardExprs(Dashboard())) {
    const std::string promql = absl::StrReplaceAll(
        expr, {{"$__rate_interval", "1m"}, {"$instance", ".*"}});
    const formats::JsonValue response = prometheus.Query(promql);
    INFO(promql << "\n" << response.Serialize());
    CHECK(Status(response) == "success");
  }
}

}  // namespace
}  // namespace accord::testing
