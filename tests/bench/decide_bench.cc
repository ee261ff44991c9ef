// Micro-benchmark of policy evaluation: Decide on realistic PERSONAL-data
// policies of 10, 50 and 200 rules with 20 subjects' consents.
//
//   accord-decide-bench --benchmark_filter=BM_Decide
//
// The `allocs/decision` counter counts heap allocations inside the timed
// loop (the engine reuses the Decision, so it should be 0).

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "policy/compiled.h"
#include "policy/decide.h"
#include "policy/parse.h"
#include "policy/taxonomy.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// Counting replacements of the global allocation functions. GCC cannot see
// that these new/delete definitions are a matched malloc/free pair.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  std::abort();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace accord::policy {
namespace {

const char* const kCategories[] = {"academic", "public-service", "association",
                                   "company"};
const char* const kPurposes[] = {"public-benefit.improve-transport-mobility",
                                 "public-benefit.air-quality",
                                 "public-benefit.official-statistics",
                                 "public-benefit.public-policy-making",
                                 "research-and-development.commercial-research",
                                 "service-provision.service-optimisation",
                                 "commercial.advertising",
                                 "public-benefit.urban-planning"};

DatasetInfo Dataset() {
  return {"rennes.energy.household-consumption",
          Classification::kPersonal,
          {"household_id", "subject", "day", "kwh", "tariff", "district"}};
}

Directory MakeDirectory() {
  Directory d;
  for (int i = 0; i < 40; ++i) {
    d.principal_categories[absl::StrCat("partner-", i)] = kCategories[i % 4];
  }
  d.principal_categories["partner-demo"] = "academic";
  d.categories.assign(std::begin(kCategories), std::end(kCategories));
  return d;
}

// A policy of `n` rules in which the request below is matched by the last
// permit rule only, so every rule is evaluated and reported; a few
// prohibitions, time windows, locations and field projections are mixed in.
std::string PolicyYaml(int n) {
  std::string y = "legal_basis: consent\nmax_subjects: 100\nrules:\n";
  for (int i = 0; i < n - 1; ++i) {
    absl::StrAppend(&y, "  - id: rule-", i,
                    "\n    effect: ", i % 7 == 3 ? "prohibit" : "permit", "\n");
    if (i % 3 == 0) {
      absl::StrAppend(&y, "    assignees: {principals: [partner-", i % 40,
                      ", partner-", (i + 11) % 40, "]}\n");
    } else {
      absl::StrAppend(&y, "    assignees: {categories: [",
                      kCategories[1 + i % 3], "]}\n");
    }
    absl::StrAppend(&y, "    purposes: [", kPurposes[i % 8], "]\n");
    if (i % 7 == 3) continue;
    absl::StrAppend(&y, "    fields: [day, kwh", i % 2 ? ", district" : "",
                    "]\n");
    if (i % 5 == 0) {
      y += "    not_before: 2025-01-01T00:00:00Z\n"
           "    not_after: 2027-01-01T00:00:00Z\n";
    }
    if (i % 4 == 0) y += "    locations: [eu]\n";
    if (i % 2 == 0) y += "    duties: {delete_after: 30d, attribute: Rennes}\n";
  }
  y += "  - id: energy-studies\n    effect: permit\n"
       "    assignees: {principals: [partner-demo], categories: [academic]}\n"
       "    purposes: [public-benefit.energy, research-and-development]\n"
       "    fields: [day, kwh, district, subject]\n    max_subjects: 100\n"
       "    quota: {grants: 1000, per: 1d}\n"
       "    duties: {delete_after: 30d, aggregate_min_k: 10,"
       " no_onward_transfer: true}\n";
  return y;
}

struct Fixture {
  explicit Fixture(int rules) {
    taxonomy = *Taxonomy::Default();
    directory = MakeDirectory();
    absl::StatusOr<Policy> p =
        ParsePolicy(PolicyYaml(rules), SourceFormat::kYaml, "bench.yaml",
                    Dataset(), taxonomy, directory);
    if (!p.ok()) std::abort();
    compiled = *Compile(*p, Dataset(), taxonomy, directory);
    for (int i = 0; i < 20; ++i) {
      subjects.push_back(absl::StrCat("pseudonym-", 1000 + i));
      ids.push_back(absl::StrCat("consent-", i));
    }
    for (int i = 0; i < 20; ++i) {
      ConsentView c;
      c.id = ids[i];
      c.subject = subjects[i];
      // Most consent to the partner's category for all public benefit; a
      // few are withdrawn or for another purpose.
      c.purpose = i % 6 == 5 ? "commercial" : "public-benefit";
      c.recipient_partner = i % 2 ? "partner-demo" : "";
      c.recipient_category = i % 2 ? "" : "academic";
      c.live = i % 9 != 8;
      c.expires_at = 1893456000;
      consents.push_back(c);
    }
    fields = {"day", "kwh", "district", "tariff"};
    request.partner = "partner-demo";
    request.partner_category = "academic";
    request.purpose = "public-benefit.energy";
    request.fields = fields;
    request.subjects = subjects;
    request.lifetime_seconds = 600;
  }

  Taxonomy taxonomy;
  Directory directory;
  CompiledPolicy compiled;
  std::vector<std::string> subjects, ids, fields;
  std::vector<ConsentView> consents;
  Request request;
};

void BM_Decide(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  const absl::Time now = absl::FromUnixSeconds(1748779200);
  Decision d;
  Decide(f.request, f.compiled, f.consents, now, &d);
  if (d.outcome != Outcome::kPermit || d.subjects.size() != 16) std::abort();
  const long before = g_allocations.load();
  for (auto _ : state) {
    Decide(f.request, f.compiled, f.consents, now, &d);
    benchmark::DoNotOptimize(d.outcome);
  }
  state.counters["allocs/decision"] =
      benchmark::Counter(static_cast<double>(g_allocations.load() - before),
                         benchmark::Counter::kAvgIterations);
  state.counters["rules"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_Decide)->Arg(10)->Arg(50)->Arg(200);

void BM_DecideFresh(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  const absl::Time now = absl::FromUnixSeconds(1748779200);
  for (auto _ : state) {
    Decision d = Decide(f.request, f.compiled, f.consents, now);
    benchmark::DoNotOptimize(d.outcome);
  }
}
BENCHMARK(BM_DecideFresh)->Arg(50);

void BM_ParseAndCompile(benchmark::State& state) {
  const Taxonomy taxonomy = *Taxonomy::Default();
  const Directory directory = MakeDirectory();
  const std::string yaml = PolicyYaml(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    absl::StatusOr<Policy> p = ParsePolicy(yaml, SourceFormat::kYaml, "b.yaml",
                                           Dataset(), taxonomy, directory);
    absl::StatusOr<CompiledPolicy> c =
        Compile(*p, Dataset(), taxonomy, directory);
    benchmark::DoNotOptimize(c.ok());
  }
}
BENCHMARK(BM_ParseAndCompile)->Arg(50);

}  // namespace
}  // namespace accord::policy

BENCHMARK_MAIN();
