// Grant signing and GrantVerifier verification, against a raw OpenSSL
// ECDSA P-256 verify measured in the same run (what `openssl speed
// ecdsap256` measures: one verify of a 32-byte digest, no hashing, no
// parsing). Prints the ratio verifier / raw at the end; the target is 0.85.
//
//   build/bin/verify_bench --benchmark_repetitions=5
//       --benchmark_min_time=1 --benchmark_report_aggregates_only=true
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "broker/crypto/jwks.h"
#include "broker/crypto/signing_key.h"
#include "clients/verifier/grant_verifier.h"
#include "clients/verifier/test_grants.h"

namespace accord::verifier {
namespace {

using crypto::Algorithm;
using crypto::SigningKey;

constexpr char kThumbprint[] = "bench-certificate-thumbprint";

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

void BM_RawOpenSslEcdsaP256Verify(benchmark::State& state) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  unsigned char digest[32];
  for (int i = 0; i < 32; ++i) digest[i] = static_cast<unsigned char>(i * 7);
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> sign(EVP_PKEY_CTX_new(key.get(), nullptr));
  EVP_PKEY_sign_init(sign.get());
  unsigned char sig[80];
  size_t sig_len = sizeof(sig);
  if (EVP_PKEY_sign(sign.get(), sig, &sig_len, digest, sizeof(digest)) != 1) {
    state.SkipWithError("EVP_PKEY_sign failed");
    return;
  }
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> verify(EVP_PKEY_CTX_new(key.get(), nullptr));
  EVP_PKEY_verify_init(verify.get());
  for (auto _ : state) {
    int ok = EVP_PKEY_verify(verify.get(), sig, sig_len, digest, sizeof(digest));
    if (ok != 1) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawOpenSslEcdsaP256Verify)->Unit(benchmark::kMicrosecond);

// The signature check alone through broker/crypto's VerifyingKey (hashing,
// r||s to DER, the thread's cached context for the key), to see where the
// verifier's time goes.
void BM_VerifyingKeyVerify(benchmark::State& state) {
  SigningKey key = *SigningKey::Generate(Algorithm::kES256);
  // Parsed from JSON, as a data service gets it.
  const crypto::Jwks jwks =
      *crypto::Jwks::Parse(crypto::Jwks::FromKeys({&key}).ToJson());
  const crypto::VerifyingKey& public_key = *jwks.Find(key.kid());
  const std::string data(600, 'x');
  const std::string sig = *key.Sign(data);
  for (auto _ : state) {
    absl::Status s = public_key.Verify(data, sig);
    if (!s.ok()) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyingKeyVerify)->Unit(benchmark::kMicrosecond);

void BM_SignGrant(benchmark::State& state) {
  SigningKey key = *SigningKey::Generate(Algorithm::kES256);
  const std::string claims =
      testing::GrantClaims(testing::kNow, kThumbprint).Serialize();
  for (auto _ : state) {
    absl::StatusOr<std::string> token =
        crypto::SignJws(key, "grant+jwt", claims);
    if (!token.ok()) state.SkipWithError("sign failed");
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignGrant)->Unit(benchmark::kMicrosecond);

void BM_GrantVerifierVerify(benchmark::State& state) {
  SigningKey key = *SigningKey::Generate(Algorithm::kES256);
  const std::string jwks = crypto::Jwks::FromKeys({&key}).ToJson();
  auto source = JwksSource::FromLoader(
      [jwks]() -> absl::StatusOr<std::string> { return jwks; }, {});
  GrantVerifierOptions options;
  options.audience = testing::kAudience;
  options.issuer = "accord";
  options.now = [] { return absl::FromUnixSeconds(testing::kNow); };
  GrantVerifier verifier(*std::move(source), options);
  const std::string token =
      testing::Sign(key, testing::GrantClaims(testing::kNow, kThumbprint));
  for (auto _ : state) {
    absl::StatusOr<Grant> grant =
        verifier.VerifyForThumbprint(token, kThumbprint);
    if (!grant.ok()) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(grant);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GrantVerifierVerify)->Unit(benchmark::kMicrosecond);

// Console output as usual, plus the verify rates kept for the ratio.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred || run.iterations == 0) continue;
      // Repetitions: keep the mean when there is one, else the last run.
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "mean") {
        continue;
      }
      const double micros = run.GetAdjustedCPUTime();
      if (micros <= 0) continue;
      const std::string name = run.run_name.function_name;
      if (run.run_type == Run::RT_Aggregate || !means_.count(name)) {
        rates_[name] = 1e6 / micros;
        if (run.run_type == Run::RT_Aggregate) means_[name] = true;
      }
    }
  }
  const std::map<std::string, double>& rates() const { return rates_; }

 private:
  std::map<std::string, double> rates_;
  std::map<std::string, bool> means_;
};

}  // namespace
}  // namespace accord::verifier

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  accord::verifier::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const auto& rates = reporter.rates();
  auto raw = rates.find("BM_RawOpenSslEcdsaP256Verify");
  auto ours = rates.find("BM_GrantVerifierVerify");
  if (raw != rates.end() && ours != rates.end()) {
    std::printf(
        "\nraw ECDSA P-256 verify: %.0f/s  GrantVerifier: %.0f/s  "
        "ratio: %.3f (target >= 0.85)\n",
        raw->second, ours->second, ours->second / raw->second);
  }
  benchmark::Shutdown();
  return 0;
}
