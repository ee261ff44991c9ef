// accord-bench: a load generator for the real broker over mutual TLS.
//
//   accord-bench [--broker-bin PATH] [--data-dir DIR] [--scenarios LIST]
//                [--duration S] [--warmup S] [--in-flight N] [--channels N]
//                [--rate R] [--rounds N] [--json FILE] [--min-ratio X]
//                [--broker-arg FLAG]... [--floor-bin PATH]
//                [--min-floor-ratio X]
//   accord-bench --attach HOST:PORT --http-addr HOST:PORT --data-dir DIR
//                [--broker-pid PID] ...
//
// Scenarios (default: all, in this order): health, grant-open,
// grant-restricted, grant-personal-10, floor, grant-personal-100,
// consent-give, consent-give-withdraw, consent-renew-1, consent-renew-10,
// consent-renew-100, mixed, health-open,
// grant-personal-10-open, floor-open. The floor scenarios run against
// accord-floor-server (accord_bench_floor.h), the others against the broker.
// tests/bench/README.md says what each does and how the figures there were
// made.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "broker/cmdline/flags.h"
#include "tests/bench/accord_bench_floor.h"
#include "tests/bench/accord_bench_ratios.h"
#include "tests/bench/accord_bench_report.h"
#include "tests/bench/accord_bench_setup.h"
#include "tests/bench/accord_bench_stats.h"
#include "tests/bench/accord_bench_workloads.h"

namespace accord::bench {
namespace {

const std::vector<std::string> kAllScenarios = {"health",
                                                "grant-open",
                                                "grant-restricted",
                                                "grant-personal-10",
                                                "floor",
                                                "grant-personal-100",
                                                "consent-give",
                                                "consent-give-withdraw",
                                                "consent-renew-1",
                                                "consent-renew-10",
                                                "consent-renew-100",
                                                "mixed",
                                                "health-open",
                                                "grant-personal-10-open",
                                                "floor-open"};

bool IsFloor(const std::string& name) {
  return name == "floor" || name == "floor-open";
}

struct Flags {
  std::string broker_bin;
  std::string floor_bin;
  std::string data_dir;
  std::string attach;
  std::string http_addr;
  pid_t broker_pid = -1;
  std::vector<std::string> broker_args;
  std::vector<std::string> scenarios = kAllScenarios;
  double duration = 5;
  double warmup = 1;
  int in_flight = 128;
  int channels = 4;
  double rate = 0;  // 0: half of grant-personal-10's closed-loop rate
  int rounds = 1;
  std::string json;
  double min_ratio = 0;
  double min_floor_ratio = 0;
};

std::string SelfDir() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string path(buf, n);
  return path.substr(0, path.rfind('/'));
}

using cmdline::FlagSpec;

std::vector<FlagSpec> Specs() {
  using A = FlagSpec::Arity;
  std::vector<FlagSpec> specs = {
      {"broker-bin",
       A::kValue,
       "PATH",
       "the broker to start (default: beside accord-bench)",
       {}},
      {"floor-bin",
       A::kValue,
       "PATH",
       "accord-floor-server (default: beside accord-bench)",
       {}},
      {"data-dir", A::kValue, "DIR", "the broker's data directory", {}},
      {"attach",
       A::kValue,
       "HOST:PORT",
       "drive a running dev-mode broker instead of starting one",
       {}},
      {"http-addr",
       A::kValue,
       "HOST:PORT",
       "with --attach: the broker's HTTP listener",
       {}},
      {"broker-pid",
       A::kValue,
       "PID",
       "with --attach: the broker's pid, for its RSS and CPU",
       {}},
      {"broker-arg",
       A::kValue,
       "FLAG",
       "one more flag for the started broker (repeatable)",
       {}},
      {"scenarios",
       A::kValue,
       "LIST",
       "comma-separated scenarios (default: all)",
       {}},
      {"duration",
       A::kValue,
       "S",
       "seconds measured per scenario (default 5)",
       {}},
      {"warmup", A::kValue, "S", "seconds of warm-up before (default 1)", {}},
      {"in-flight",
       A::kValue,
       "N",
       "closed loop: calls always outstanding (default 128)",
       {}},
      {"channels",
       A::kValue,
       "N",
       "gRPC connections per certificate (default 4)",
       {}},
      {"rate",
       A::kValue,
       "R",
       "calls/s of the open-loop scenarios (default: half of "
       "grant-personal-10's closed-loop rate)",
       {}},
      {"rounds", A::kValue, "N", "rounds of every scenario (default 1)", {}},
      {"json", A::kValue, "FILE", "write the results as JSON", {}},
      {"min-ratio",
       A::kValue,
       "X",
       "fail below this median ratio of grant to health-check throughput",
       {}},
      {"min-floor-ratio",
       A::kValue,
       "X",
       "fail below this median ratio of grant to floor throughput",
       {}},
      cmdline::HelpFlag()};
  // As given: a flag given again counts the last time; --broker-arg adds.
  for (FlagSpec& spec : specs) spec.repeatable = true;
  return specs;
}

std::string Usage() {
  return absl::StrCat(
      "usage: accord-bench [flags]\n"
      "       accord-bench --attach HOST:PORT --http-addr HOST:PORT "
      "--data-dir DIR [--broker-pid PID] [flags]\n"
      "Load on the real broker over mutual TLS (tests/bench/README.md).\n"
      "Scenarios: ",
      absl::StrJoin(kAllScenarios, ","), "\n\nflags:\n",
      cmdline::FlagsUsage(Specs()));
}

// Flags from the command line, with their defaults.
absl::StatusOr<Flags> ReadFlags(const cmdline::ParsedArgs& args) {
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  Flags f;
  f.broker_bin = args.GetOr("broker-bin", SelfDir() + "/accord-broker");
  f.floor_bin = args.GetOr("floor-bin", SelfDir() + "/accord-floor-server");
  f.data_dir = args.GetOr("data-dir", "");
  f.attach = args.GetOr("attach", "");
  f.http_addr = args.GetOr("http-addr", "");
  f.json = args.GetOr("json", "");
  f.broker_args = args.GetAll("broker-arg");
  for (auto [name, out] :
       {std::pair<const char*, double*>{"duration", &f.duration},
        {"warmup", &f.warmup},
        {"rate", &f.rate},
        {"min-ratio", &f.min_ratio},
        {"min-floor-ratio", &f.min_floor_ratio}}) {
    absl::StatusOr<std::optional<double>> value = args.GetDouble(name);
    if (!value.ok()) return value.status();
    if (value->has_value()) *out = **value;
  }
  int broker_pid = 0;
  for (auto [name, out] :
       {std::pair<const char*, int*>{"broker-pid", &broker_pid},
        {"in-flight", &f.in_flight},
        {"channels", &f.channels},
        {"rounds", &f.rounds}}) {
    std::optional<std::string> text = args.Get(name);
    if (!text.has_value()) continue;
    if (!absl::SimpleAtoi(*text, out) || *out <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, ": not a positive integer"));
    }
  }
  if (broker_pid > 0) f.broker_pid = broker_pid;
  if (std::optional<std::string> list = args.Get("scenarios")) {
    f.scenarios = absl::StrSplit(*list, ',', absl::SkipEmpty());
    for (const std::string& name : f.scenarios) {
      if (std::find(kAllScenarios.begin(), kAllScenarios.end(), name) ==
          kAllScenarios.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--scenarios: unknown '", name,
                         "'; known: ", absl::StrJoin(kAllScenarios, ",")));
      }
    }
  }
  if (!f.attach.empty() && (f.http_addr.empty() || f.data_dir.empty())) {
    return absl::InvalidArgumentError(
        "--attach needs --http-addr and --data-dir (for the dev PKI)");
  }
  if (f.duration <= 0 || f.warmup < 0) {
    return absl::InvalidArgumentError("--duration > 0, --warmup >= 0");
  }
  return f;
}

// Samples the broker's RSS every 50 ms while it lives.
class RssSampler {
 public:
  explicit RssSampler(pid_t pid) : pid_(pid) {
    if (pid_ > 0) thread_ = std::thread([this] { Loop(); });
  }
  ~RssSampler() { Stop(); }
  uint64_t Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return max_;
  }

 private:
  void Loop() {
    while (!stop_.load()) {
      if (auto s = ReadProc(pid_); s.ok()) max_ = std::max(max_, s->rss_bytes);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  const pid_t pid_;
  std::atomic<bool> stop_{false};
  uint64_t max_ = 0;
  std::thread thread_;
};

class Bench {
 public:
  explicit Bench(Flags flags) : flags_(std::move(flags)) {}

  absl::Status Setup();
  absl::Status Run();
  int Conclude();

 private:
  absl::StatusOr<ScenarioReport> RunScenario(const std::string& name,
                                             int round);
  std::unique_ptr<Workload> MakeWorkload(const std::string& name);
  absl::StatusOr<std::vector<Citizen>> Pool(const std::string& label, size_t n);
  // consent-renew-N: a pool of citizens whose consents have N events each
  // (on average) before the first round, made by renewing them unmeasured.
  std::unique_ptr<Workload> RenewWorkload(int history);

  Flags flags_;
  BrokerUnderTest broker_;
  std::unique_ptr<FloorProcess> floor_;  // when a floor scenario runs
  std::vector<std::unique_ptr<Endpoint>> partner_;
  std::vector<std::unique_ptr<Endpoint>> citizen_app_;
  std::vector<std::vector<Endpoint*>> groups_;
  std::vector<std::string> subjects_;  // 100 consenting pseudonyms
  std::map<std::string, std::vector<Citizen>> pools_;
  std::string run_id_;
  double personal10_rate_ = 0;
  std::vector<ScenarioReport> reports_;
};

absl::Status Bench::Setup() {
  if (flags_.attach.empty()) {
    auto b =
        StartBroker(flags_.broker_bin, flags_.data_dir, flags_.broker_args);
    if (!b.ok()) return b.status();
    broker_ = *std::move(b);
  } else {
    broker_.data_dir = flags_.data_dir;
    broker_.grpc_address = flags_.attach;
    broker_.http_address = flags_.http_addr;
    broker_.pid = flags_.broker_pid;
  }
  std::cerr << "broker: grpc " << broker_.grpc_address << ", http "
            << broker_.http_address << ", pid " << broker_.pid << ", data "
            << broker_.data_dir << "\n";
  auto partner = OpenEndpoints(broker_.data_dir, broker_.grpc_address, kPartner,
                               flags_.channels);
  if (!partner.ok()) return partner.status();
  partner_ = *std::move(partner);
  auto app = OpenEndpoints(broker_.data_dir, broker_.grpc_address,
                           "citizen-app", flags_.channels);
  if (!app.ok()) return app.status();
  citizen_app_ = *std::move(app);
  if (absl::Status s = Connect(partner_); !s.ok()) return s;
  if (absl::Status s = Connect(citizen_app_); !s.ok()) return s;
  groups_.resize(2);
  for (auto& e : partner_) groups_[kPartnerGroup].push_back(e.get());
  for (auto& e : citizen_app_) groups_[kCitizenAppGroup].push_back(e.get());

  auto producer =
      OpenEndpoints(broker_.data_dir, broker_.grpc_address, kProducer, 1);
  if (!producer.ok()) return producer.status();
  if (absl::Status s = PutBenchPolicy(*producer->front()); !s.ok()) return s;

  std::vector<std::string> names;
  for (int i = 0; i < 100; ++i)
    names.push_back(absl::StrCat("bench-subject-", i));
  auto citizens = MintCitizens(broker_.data_dir, names);
  if (!citizens.ok()) return citizens.status();
  auto subjects = GiveConsents(citizen_app_, *citizens);
  if (!subjects.ok()) return subjects.status();
  subjects_ = *std::move(subjects);
  run_id_ = absl::StrCat(absl::ToUnixSeconds(absl::Now()), "-", getpid());
  if (std::any_of(flags_.scenarios.begin(), flags_.scenarios.end(), IsFloor)) {
    auto floor = FloorProcess::Start(flags_.floor_bin, broker_.data_dir,
                                     flags_.channels);
    if (!floor.ok()) return floor.status();
    floor_ = *std::move(floor);
    std::cerr << "floor: grpc " << floor_->address() << ", pid "
              << floor_->pid() << "\n";
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Citizen>> Bench::Pool(const std::string& label,
                                                 size_t n) {
  auto it = pools_.find(label);
  if (it != pools_.end()) return it->second;
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) {
    names.push_back(absl::StrCat("bench-", run_id_, "-", label, "-", i));
  }
  auto citizens = MintCitizens(broker_.data_dir, names);
  if (!citizens.ok()) return citizens.status();
  return pools_[label] = *std::move(citizens);
}

accord::v1::RequestGrantRequest GrantRequest(
    const std::string& dataset, const std::vector<std::string>& subjects,
    size_t n) {
  accord::v1::RequestGrantRequest r;
  r.set_dataset_id(dataset);
  r.set_purpose(kPurpose);
  r.set_audience(kAudience);
  for (size_t i = 0; i < n; ++i) r.add_subjects(subjects[i]);
  return r;
}

std::unique_ptr<Workload> Bench::MakeWorkload(const std::string& name) {
  // Citizen pools are large enough for every call in flight, and fresh
  // names per run so consent records start without history.
  const size_t pool = std::max<size_t>(2048, 4 * flags_.in_flight);
  auto consent = [&](const std::string& label,
                     bool withdraw) -> std::unique_ptr<Workload> {
    auto citizens = Pool(label, pool);
    if (!citizens.ok()) {
      std::cerr << "citizens: " << citizens.status() << "\n";
      return nullptr;
    }
    return ConsentWorkload(*citizens, kPersonalDataset, kPurpose, kPartner,
                           withdraw);
  };
  if (name == "health" || name == "health-open") return HealthWorkload();
  if (name == "grant-open") {
    return GrantWorkload(GrantRequest(kOpenDataset, subjects_, 0), 0);
  }
  if (name == "grant-restricted") {
    return GrantWorkload(GrantRequest(kRestrictedDataset, subjects_, 0), 0);
  }
  if (name == "grant-personal-10" || name == "grant-personal-10-open" ||
      IsFloor(name)) {
    return GrantWorkload(GrantRequest(kPersonalDataset, subjects_, 10), 10);
  }
  if (name == "grant-personal-100") {
    return GrantWorkload(GrantRequest(kPersonalDataset, subjects_, 100), 100);
  }
  if (name == "consent-give") return consent("give", false);
  if (name == "consent-give-withdraw") return consent("churn", true);
  int history = 0;
  if (absl::SimpleAtoi(absl::StripPrefix(name, "consent-renew-"), &history) &&
      history > 0) {
    return RenewWorkload(history);
  }
  if (name == "mixed") {
    // Mostly grants on personal data, some open and restricted ones, and
    // citizens changing their minds (disjoint from the granted subjects).
    std::vector<std::unique_ptr<Workload>> parts;
    parts.push_back(
        GrantWorkload(GrantRequest(kPersonalDataset, subjects_, 10), 10));
    parts.push_back(GrantWorkload(GrantRequest(kOpenDataset, subjects_, 0), 0));
    parts.push_back(
        GrantWorkload(GrantRequest(kRestrictedDataset, subjects_, 0), 0));
    parts.push_back(consent("mixed", true));
    if (parts.back() == nullptr) return nullptr;
    return MixedWorkload(std::move(parts), {12, 3, 3, 2},
                         {"personal-10", "open", "restricted", "consent"});
  }
  return nullptr;
}

std::unique_ptr<Workload> Bench::RenewWorkload(int history) {
  // Enough citizens that a measured window adds few events to each.
  constexpr size_t kCitizens = 1024;
  const std::string label = absl::StrCat("renew-", history);
  const bool fresh = pools_.find(label) == pools_.end();
  auto citizens = Pool(label, kCitizens);
  if (!citizens.ok()) {
    std::cerr << "citizens: " << citizens.status() << "\n";
    return nullptr;
  }
  if (fresh) {
    // Each call gives the consent (the first) or renews it, adding one
    // event: `history` calls a citizen, unmeasured.
    std::unique_ptr<Workload> fill =
        ConsentWorkload(*citizens, kPersonalDataset, kPurpose, kPartner, false);
    LoadOptions options;
    options.in_flight = flags_.in_flight;
    options.warmup = absl::ZeroDuration();
    options.duration = absl::Seconds(1);
    const uint64_t want = kCitizens * static_cast<uint64_t>(history);
    uint64_t ok = 0;
    double rate = 0;  // calls/s of the last batch; 0 before the first
    const absl::Time start = absl::Now();
    while (ok < want) {
      // Short batches, sized on the last one's rate, so the pool ends
      // close to `history` events a consent (calls in flight at the end of
      // a batch still finish: at most --in-flight more).
      const double seconds =
          rate <= 0 ? 0.05
                    : std::clamp(0.9 * static_cast<double>(want - ok) / rate,
                                 0.02, 1.0);
      options.duration = absl::Seconds(seconds);
      LoadResult r = RunLoad(groups_, *fill, options);
      if (r.calls_all > 0 && r.errors == r.calls_all) {
        std::cerr << "consent-renew-" << history << ": every call failed\n";
        return nullptr;
      }
      const uint64_t done = r.calls_all - r.errors - r.not_sent;
      rate = static_cast<double>(done) / seconds;
      ok += done;
    }
    std::cerr << "consent-renew-" << history << ": " << ok
              << " consent calls by " << kCitizens << " citizens beforehand ("
              << absl::StrFormat("%.1f", static_cast<double>(ok) / kCitizens)
              << " events a consent) in "
              << absl::StrFormat("%.1f",
                                 absl::ToDoubleSeconds(absl::Now() - start))
              << " s\n";
  }
  return ConsentWorkload(*citizens, kPersonalDataset, kPurpose, kPartner,
                         false);
}

absl::StatusOr<ScenarioReport> Bench::RunScenario(const std::string& name,
                                                  int round) {
  std::unique_ptr<Workload> workload = MakeWorkload(name);
  if (workload == nullptr) {
    return absl::InternalError(absl::StrCat(name, ": no workload"));
  }
  ScenarioReport r;
  r.name = name;
  r.round = flags_.rounds > 1 ? round : 0;
  LoadOptions options;
  options.warmup = absl::Seconds(flags_.warmup);
  options.duration = absl::Seconds(flags_.duration);
  options.in_flight = flags_.in_flight;
  if (name == "grant-personal-10-open" || name == "health-open" ||
      name == "floor-open") {
    options.open_loop = true;
    options.rate = flags_.rate > 0 ? flags_.rate : personal10_rate_ / 2;
    if (options.rate <= 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(name, ": give --rate or run grant-personal-10 first"));
    }
  }
  r.open_loop = options.open_loop;
  r.in_flight = options.in_flight;
  r.rate = options.rate;

  // The floor has no /metrics: its grants are not counted by the broker.
  const bool floor = IsFloor(name);
  const pid_t pid = floor ? floor_->pid() : broker_.pid;
  absl::StatusOr<std::string> metrics_before =
      floor ? absl::NotFoundError("floor")
            : ScrapeMetrics(broker_.http_address);
  absl::StatusOr<ProcSample> proc_before = ReadProc(pid);
  const double self_before = SelfCpuSeconds();
  const absl::Time start = absl::Now();
  RssSampler rss(pid);
  r.load = RunLoad(floor ? floor_->groups() : groups_, *workload, options);
  r.broker_rss_max = rss.Stop();
  r.wall_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  r.bench_cpu_seconds = SelfCpuSeconds() - self_before;
  absl::StatusOr<ProcSample> proc_after = ReadProc(pid);
  if (proc_before.ok() && proc_after.ok()) {
    r.broker_measured = true;
    r.broker_cpu_seconds = proc_after->cpu_seconds - proc_before->cpu_seconds;
    r.broker_hwm = proc_after->hwm_bytes;
    r.broker_rss_max = std::max(r.broker_rss_max, proc_after->rss_bytes);
  }
  absl::StatusOr<std::string> metrics_after =
      floor ? absl::NotFoundError("floor")
            : ScrapeMetrics(broker_.http_address);
  if (metrics_before.ok() && metrics_after.ok()) {
    auto before =
        PrometheusValue(*metrics_before, "accord_grants_issued_total");
    auto after = PrometheusValue(*metrics_after, "accord_grants_issued_total");
    if (before.ok() && after.ok()) r.metric_grants = *after - *before;
  }
  if (name == "grant-personal-10") personal10_rate_ = r.ok_per_second();
  return r;
}

absl::Status Bench::Run() {
  for (int round = 1; round <= flags_.rounds; ++round) {
    for (const std::string& name : flags_.scenarios) {
      auto r = RunScenario(name, round);
      if (!r.ok()) return r.status();
      std::cerr << TableRow(*r);
      reports_.push_back(*std::move(r));
    }
  }
  return absl::OkStatus();
}

int Bench::Conclude() {
  std::cout << FormatTable(reports_);
  int exit_code = 0;
  for (const ScenarioReport& r : reports_) {
    if (r.load.errors + r.load.not_sent > 0 || !r.load.error_counts.empty()) {
      std::vector<std::string> labels;
      for (const auto& [label, n] : r.load.error_counts) {
        labels.push_back(absl::StrCat(label, " x", n));
      }
      std::cout << "FAIL " << r.name << ": errors "
                << absl::StrJoin(labels, ", ") << ", not sent "
                << r.load.not_sent << "\n";
      exit_code = 1;
    }
    if (!r.metrics_agree()) {
      std::cout << "FAIL " << r.name << ": the broker counted "
                << r.metric_grants << " grants, the responses held "
                << r.load.grants_all_calls << "\n";
      exit_code = 1;
    }
  }
  // Grant throughput relative to the health check and to the floor, per
  // round.
  const std::vector<double> ratios =
      RoundRatios(reports_, flags_.rounds, "grant-personal-10", "health");
  const std::vector<double> floor_ratios =
      RoundRatios(reports_, flags_.rounds, "grant-personal-10", "floor");
  formats::JsonValue json = formats::JsonValue::Object();
  formats::JsonValue scenarios = formats::JsonValue::Array();
  for (const ScenarioReport& r : reports_) scenarios.Push(ToJson(r));
  formats::JsonValue ratio_list = formats::JsonValue::Array();
  for (double x : ratios) ratio_list.Push(x);
  formats::JsonValue floor_ratio_list = formats::JsonValue::Array();
  for (double x : floor_ratios) floor_ratio_list.Push(x);
  json.Set("broker_pid", static_cast<long long>(broker_.pid))
      .Set("in_flight", flags_.in_flight)
      .Set("channels", flags_.channels)
      .Set("duration_seconds", flags_.duration)
      .Set("warmup_seconds", flags_.warmup)
      .Set("scenarios", std::move(scenarios))
      .Set("grant_to_health_ratios", std::move(ratio_list))
      .Set("grant_to_floor_ratios", std::move(floor_ratio_list))
      .Set("open_loop", OpenLoopJson(reports_, flags_.rounds));
  std::cout << RatioLine("grant-personal-10", "health", ratios, 0.25)
            << RatioLine("grant-personal-10", "floor", floor_ratios, 0.8);
  if (!ratios.empty()) {
    const double median = Median(ratios);
    json.Set("grant_to_health_ratio", median);
    if (flags_.min_ratio > 0 && median < flags_.min_ratio) {
      std::cout << absl::StrFormat("FAIL ratio %.3f is below %.3f\n", median,
                                   flags_.min_ratio);
      exit_code = 1;
    }
  } else if (flags_.min_ratio > 0) {
    std::cout << "FAIL --min-ratio needs health and grant-personal-10\n";
    exit_code = 1;
  }
  if (!floor_ratios.empty()) {
    const double median = Median(floor_ratios);
    json.Set("grant_to_floor_ratio", median);
    if (flags_.min_floor_ratio > 0 && median < flags_.min_floor_ratio) {
      std::cout << absl::StrFormat("FAIL floor ratio %.3f is below %.3f\n",
                                   median, flags_.min_floor_ratio);
      exit_code = 1;
    }
  } else if (flags_.min_floor_ratio > 0) {
    std::cout << "FAIL --min-floor-ratio needs floor and grant-personal-10\n";
    exit_code = 1;
  }
  // GiveConsent's throughput relative to the health check, per round.
  formats::JsonValue consent_ratios = formats::JsonValue::Object();
  for (const std::string& name : ConsentScenarios(reports_)) {
    const std::vector<double> r =
        RoundRatios(reports_, flags_.rounds, name, "health");
    if (r.empty()) continue;
    std::cout << RatioLine(name, "health", r, 0.25);
    formats::JsonValue list = formats::JsonValue::Array();
    for (double x : r) list.Push(x);
    consent_ratios.Set(name, std::move(list));
  }
  json.Set("consent_to_health_ratios", std::move(consent_ratios));
  std::cout << OpenLoopSummary(reports_, flags_.rounds);
  if (!flags_.json.empty()) {
    std::ofstream out(flags_.json);
    out << json.Serialize() << "\n";
    if (!out) {
      std::cerr << "cannot write " << flags_.json << "\n";
      exit_code = 1;
    }
  }
  return exit_code;
}

}  // namespace
}  // namespace accord::bench

int main(int argc, char** argv) {
  auto args = accord::cmdline::ParseFlags(argc, argv, accord::bench::Specs());
  if (args.ok() && args->Has("help")) {
    std::cout << accord::bench::Usage();
    return 0;
  }
  auto flags = args.ok() ? accord::bench::ReadFlags(*args)
                         : absl::StatusOr<accord::bench::Flags>(args.status());
  if (!flags.ok()) {
    std::cerr << "accord-bench: " << flags.status().message() << "\n";
    return 2;
  }
  accord::bench::Bench bench(*std::move(flags));
  if (absl::Status s = bench.Setup(); !s.ok()) {
    std::cerr << "accord-bench: setup: " << s << "\n";
    return 2;
  }
  if (absl::Status s = bench.Run(); !s.ok()) {
    std::cerr << "accord-bench: " << s << "\n";
    return 2;
  }
  return bench.Conclude();
}
