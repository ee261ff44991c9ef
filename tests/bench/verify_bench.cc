// Grant signing and GrantVerifier verification, against a raw OpenSSL
// ECDSA P-256 verify measured in the same run (what `openssl speed
// ecdsap256` measures: one verify of a 32-byte digest, no hashing, no
// parsing). Prints the ratio verifier / raw at the end; the target is 0.85.
//
//   build/bin/verify_bench --benchmark_repetitions=5
//       --benchmark_min_time=1 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <time.h>

#include <cstdint>
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

// One P-256 key, a signature of a fixed digest and a context made once:
// the raw OpenSSL verify.
class RawEcdsaVerify {
 public:
  RawEcdsaVerify() : key_(EVP_EC_gen("P-256")) {
    for (int i = 0; i < 32; ++i) digest_[i] = static_cast<unsigned char>(i * 7);
    std::unique_ptr<EVP_PKEY_CTX, CtxFree> sign(
        EVP_PKEY_CTX_new(key_.get(), nullptr));
    ok_ = sign && EVP_PKEY_sign_init(sign.get()) == 1 &&
          EVP_PKEY_sign(sign.get(), sig_, &sig_len_, digest_,
                        sizeof(digest_)) == 1;
    verify_.reset(EVP_PKEY_CTX_new(key_.get(), nullptr));
    ok_ = ok_ && verify_ && EVP_PKEY_verify_init(verify_.get()) == 1;
  }
  // False when the setup failed.
  bool ready() const { return ok_; }
  bool Verify() {
    return EVP_PKEY_verify(verify_.get(), sig_, sig_len_, digest_,
                           sizeof(digest_)) == 1;
  }

 private:
  std::unique_ptr<EVP_PKEY, PkeyFree> key_;
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> verify_;
  unsigned char digest_[32];
  unsigned char sig_[80];
  size_t sig_len_ = sizeof(sig_);
  bool ok_ = false;
};

void BM_RawOpenSslEcdsaP256Verify(benchmark::State& state) {
  RawEcdsaVerify raw;
  if (!raw.ready()) {
    state.SkipWithError("EVP_PKEY_sign failed");
    return;
  }
  for (auto _ : state) {
    bool ok = raw.Verify();
    if (!ok) state.SkipWithError("verify failed");
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

// A GrantVerifier over a JWKS of one ES256 key, and a grant it signed.
struct VerifierFixture {
  SigningKey key = *SigningKey::Generate(Algorithm::kES256);
  std::unique_ptr<GrantVerifier> verifier;
  std::string token;

  VerifierFixture() {
    const std::string jwks = crypto::Jwks::FromKeys({&key}).ToJson();
    auto source = JwksSource::FromLoader(
        [jwks]() -> absl::StatusOr<std::string> { return jwks; }, {});
    GrantVerifierOptions options;
    options.audience = testing::kAudience;
    options.issuer = "accord";
    options.now = [] { return absl::FromUnixSeconds(testing::kNow); };
    verifier = std::make_unique<GrantVerifier>(*std::move(source), options);
    token =
        testing::Sign(key, testing::GrantClaims(testing::kNow, kThumbprint));
  }
  bool Verify() const {
    absl::StatusOr<Grant> grant =
        verifier->VerifyForThumbprint(token, kThumbprint);
    benchmark::DoNotOptimize(grant);
    return grant.ok();
  }
};

void BM_GrantVerifierVerify(benchmark::State& state) {
  VerifierFixture f;
  for (auto _ : state) {
    if (!f.Verify()) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GrantVerifierVerify)->Unit(benchmark::kMicrosecond);

int64_t ThreadCpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The raw verify and GrantVerifier in turns, blocks of kBlock each, timed
// with this thread's CPU clock: on a shared machine both see the same load
// from one millisecond to the next, which two benchmarks run one after the
// other do not. Reports both rates and their ratio as counters.
void BM_PairedVerify(benchmark::State& state) {
  constexpr int kBlock = 8;
  RawEcdsaVerify raw;
  VerifierFixture f;
  if (!raw.ready()) {
    state.SkipWithError("EVP_PKEY_sign failed");
    return;
  }
  int64_t raw_ns = 0, verifier_ns = 0, rounds = 0;
  for (auto _ : state) {
    bool ok = true;
    const int64_t t0 = ThreadCpuNanos();
    for (int i = 0; i < kBlock; ++i) ok &= raw.Verify();
    const int64_t t1 = ThreadCpuNanos();
    for (int i = 0; i < kBlock; ++i) ok &= f.Verify();
    const int64_t t2 = ThreadCpuNanos();
    if (!ok) state.SkipWithError("verify failed");
    raw_ns += t1 - t0;
    verifier_ns += t2 - t1;
    ++rounds;
  }
  if (raw_ns <= 0 || verifier_ns <= 0) return;
  const double n = static_cast<double>(rounds) * kBlock;
  state.counters["raw_per_s"] = n / (static_cast<double>(raw_ns) * 1e-9);
  state.counters["verifier_per_s"] =
      n / (static_cast<double>(verifier_ns) * 1e-9);
  state.counters["ratio"] =
      static_cast<double>(raw_ns) / static_cast<double>(verifier_ns);
}
BENCHMARK(BM_PairedVerify)->Unit(benchmark::kMicrosecond);

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
      const std::string name = run.run_name.function_name;
      if (name == "BM_PairedVerify") {
        for (const auto& [counter, value] : run.counters) {
          paired_[counter] = value.value;
        }
        continue;
      }
      const double micros = run.GetAdjustedCPUTime();
      if (micros <= 0) continue;
      if (run.run_type == Run::RT_Aggregate || !means_.count(name)) {
        rates_[name] = 1e6 / micros;
        if (run.run_type == Run::RT_Aggregate) means_[name] = true;
      }
    }
  }
  const std::map<std::string, double>& rates() const { return rates_; }
  // BM_PairedVerify's counters (the mean over repetitions when there are
  // several); empty when it did not run.
  const std::map<std::string, double>& paired() const { return paired_; }

 private:
  std::map<std::string, double> rates_;
  std::map<std::string, bool> means_;
  std::map<std::string, double> paired_;
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
  const auto& paired = reporter.paired();
  if (paired.count("ratio") != 0) {
    std::printf(
        "paired, in turns:       %.0f/s  GrantVerifier: %.0f/s  "
        "ratio: %.3f\n",
        paired.at("raw_per_s"), paired.at("verifier_per_s"),
        paired.at("ratio"));
  }
  benchmark::Shutdown();
  return 0;
}
