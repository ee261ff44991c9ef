// The claims of one grant as the broker writes them (GrantClaimsWriter:
// shared parts serialized once per request, then one string per grant)
// against the same claims built as a formats::JsonValue and serialized
// (GrantClaimsJson), for a request shaped like accord-bench's
// grant-personal-10 and one of 100 subjects. Both give the same bytes
// (grant_claims_test).
//
//   build/bin/accord-claims-bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "broker/service/grant_claims.h"
#include "broker/service/grant_claims_json.h"

namespace accord::service {
namespace {

struct Request {
  GrantOrder order;
  AccessAnswer answer;
};

Request PersonalRequest(int subjects) {
  Request r;
  r.order.issuer = "https://accord.example/broker";
  r.order.partner = "partner-demo";
  r.order.audience = "rennes.energy.household-consumption";
  r.order.purpose = "research-and-development";
  r.order.cert_thumbprint = "q3Vq8m0sZy0Qk6l6wGQ9oX1pZ4mT5b7yJd2nE8cRf0A";
  r.order.now = 1796300000;
  auto policy = std::make_shared<DatasetPolicy>();
  policy->dataset.set_id("rennes.energy.household-consumption");
  policy->info.classification = policy::Classification::kPersonal;
  policy->ref.set_version(2);
  policy->ref.set_hash(std::string(64, 'a'));
  r.answer.policy = policy;
  policy::Decision& d = r.answer.decision;
  d.fields = {"household_id", "day", "kwh", "tariff"};
  for (int i = 0; i < subjects; ++i) {
    d.subjects.push_back("ps-bench-subject-" + std::to_string(i) +
                         "-0123456789abcdef");
  }
  d.lifetime_seconds = 3600;
  d.duties = {{policy::DutyKind::kDeleteAfter, "2592000"},
              {policy::DutyKind::kAggregateMinK, "5"},
              {policy::DutyKind::kAttribute, "Source : Ville de Rennes"},
              {policy::DutyKind::kNoOnwardTransfer, ""}};
  r.answer.revision = 123456;
  return r;
}

constexpr char kJti[] = "b3nC4m9xQ2a7ZkLp0sVt1w";

void BM_ClaimsWriter(benchmark::State& state) {
  const Request r = PersonalRequest(static_cast<int>(state.range(0)));
  std::string claims;
  for (auto _ : state) {
    const GrantClaimsWriter writer(r.order, r.answer);
    writer.Write(kJti, r.answer.decision.subjects, &claims);
    benchmark::DoNotOptimize(claims.data());
  }
  state.counters["bytes"] = static_cast<double>(claims.size());
}
BENCHMARK(BM_ClaimsWriter)->Arg(10)->Arg(100);

void BM_ClaimsJsonValue(benchmark::State& state) {
  const Request r = PersonalRequest(static_cast<int>(state.range(0)));
  std::string claims;
  for (auto _ : state) {
    claims =
        GrantClaimsJson(r.order, r.answer, kJti, r.answer.decision.subjects)
            .Serialize();
    benchmark::DoNotOptimize(claims.data());
  }
  state.counters["bytes"] = static_cast<double>(claims.size());
}
BENCHMARK(BM_ClaimsJsonValue)->Arg(10)->Arg(100);

}  // namespace
}  // namespace accord::service

BENCHMARK_MAIN();
