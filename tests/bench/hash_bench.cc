// SHA-256 and HMAC-SHA-256 of the short inputs the broker hashes (Merkle
// nodes, subject commitments and openings, pseudonyms): broker/crypto's
// Sha256 and HmacSha256 against the ways of computing them with OpenSSL 3's
// EVP interface, so that the fastest one is the one kept.
//
//   build/bin/accord-hash-bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "broker/crypto/hmac.h"
#include "broker/crypto/sha256.h"

namespace accord::crypto {
namespace {

// The sizes hashed on the grant path: a Merkle node (1 + 32 + 32 bytes),
// a log entry (about 200 bytes), a JWS signing input (about 1 KiB).
std::string Input(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 31 + 7);
  return s;
}

// A subject key (32 bytes) and an opening's input (domain and 16-byte salt).
const std::string& Key() {
  static const std::string* key = new std::string(Input(32));
  return *key;
}
const std::string& MacInput() {
  static const std::string* in =
      new std::string("accord-opening-v1" + Input(16));
  return *in;
}

const EVP_MD* Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// --- broker/crypto ---------------------------------------------------------

void BM_Sha256(benchmark::State& state) {
  const std::string in = Input(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(Sha256(in));
}
BENCHMARK(BM_Sha256)->Arg(65)->Arg(200)->Arg(1024);
BENCHMARK(BM_Sha256)->Arg(65)->Threads(2);

void BM_Sha256ThreeParts(benchmark::State& state) {
  const std::string left = Input(32), right = Input(32);
  for (auto _ : state) {
    benchmark::DoNotOptimize(Sha256(absl::string_view("\x01", 1), left, right));
  }
}
BENCHMARK(BM_Sha256ThreeParts);

void BM_HmacSha256(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(HmacSha256(Key(), MacInput()));
}
BENCHMARK(BM_HmacSha256);
BENCHMARK(BM_HmacSha256)->Threads(2);

// --- SHA-256 alternatives ----------------------------------------------------

// The one-shot EVP_Digest (what SHA256() does in OpenSSL 3): a context
// made, the digest fetched, and both freed, per call.
void BM_EvpDigestOneShot(benchmark::State& state) {
  const std::string in = Input(state.range(0));
  for (auto _ : state) {
    Digest out;
    EVP_Digest(in.data(), in.size(), out.data(), nullptr, EVP_sha256(),
               nullptr);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EvpDigestOneShot)->Arg(65);

// One context reused, the digest fetched once, EVP_DigestInit_ex2 per call.
void BM_EvpDigestReusedCtx(benchmark::State& state) {
  const std::string in = Input(state.range(0));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (auto _ : state) {
    Digest out;
    EVP_DigestInit_ex2(ctx, Md(), nullptr);
    EVP_DigestUpdate(ctx, in.data(), in.size());
    EVP_DigestFinal_ex(ctx, out.data(), nullptr);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
}
BENCHMARK(BM_EvpDigestReusedCtx)->Arg(65)->Arg(200)->Arg(1024);

// The same with EVP_DigestInit_ex (the older initializer).
void BM_EvpDigestReusedCtxInitEx(benchmark::State& state) {
  const std::string in = Input(state.range(0));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (auto _ : state) {
    Digest out;
    EVP_DigestInit_ex(ctx, Md(), nullptr);
    EVP_DigestUpdate(ctx, in.data(), in.size());
    EVP_DigestFinal_ex(ctx, out.data(), nullptr);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
}
BENCHMARK(BM_EvpDigestReusedCtxInitEx)->Arg(65);

// A context initialized once and copied into a reused one per call.
void BM_EvpDigestCopyTemplate(benchmark::State& state) {
  const std::string in = Input(state.range(0));
  EVP_MD_CTX* tmpl = EVP_MD_CTX_new();
  EVP_DigestInit_ex2(tmpl, Md(), nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (auto _ : state) {
    Digest out;
    EVP_MD_CTX_copy_ex(ctx, tmpl);
    EVP_DigestUpdate(ctx, in.data(), in.size());
    EVP_DigestFinal_ex(ctx, out.data(), nullptr);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_CTX_free(tmpl);
}
BENCHMARK(BM_EvpDigestCopyTemplate)->Arg(65);

// --- HMAC alternatives -------------------------------------------------------

// The one-shot HMAC(): the MAC and digest fetched, a context made, per call.
void BM_HmacOneShot(benchmark::State& state) {
  for (auto _ : state) {
    Digest out;
    unsigned int len = 0;
    HMAC(EVP_sha256(), Key().data(), static_cast<int>(Key().size()),
         reinterpret_cast<const unsigned char*>(MacInput().data()),
         MacInput().size(), out.data(), &len);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_HmacOneShot);

EVP_MAC* Mac() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

// One EVP_MAC context (digest set once) reused, keyed per call.
void BM_EvpMacReusedCtx(benchmark::State& state) {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(Mac());
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                         OSSL_PARAM_construct_end()};
  EVP_MAC_CTX_set_params(ctx, params);
  for (auto _ : state) {
    Digest out;
    size_t len = 0;
    EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(Key().data()),
                 Key().size(), nullptr);
    EVP_MAC_update(ctx,
                   reinterpret_cast<const unsigned char*>(MacInput().data()),
                   MacInput().size());
    EVP_MAC_final(ctx, out.data(), &len, out.size());
    benchmark::DoNotOptimize(out);
  }
  EVP_MAC_CTX_free(ctx);
}
BENCHMARK(BM_EvpMacReusedCtx);

// A context keyed once and duplicated per call (a key used many times).
void BM_EvpMacDupKeyed(benchmark::State& state) {
  EVP_MAC_CTX* keyed = EVP_MAC_CTX_new(Mac());
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                         OSSL_PARAM_construct_end()};
  EVP_MAC_init(keyed, reinterpret_cast<const unsigned char*>(Key().data()),
               Key().size(), params);
  for (auto _ : state) {
    Digest out;
    size_t len = 0;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(keyed);
    EVP_MAC_update(ctx,
                   reinterpret_cast<const unsigned char*>(MacInput().data()),
                   MacInput().size());
    EVP_MAC_final(ctx, out.data(), &len, out.size());
    EVP_MAC_CTX_free(ctx);
    benchmark::DoNotOptimize(out);
  }
  EVP_MAC_CTX_free(keyed);
}
BENCHMARK(BM_EvpMacDupKeyed);

// RFC 2104 from two digests (key ^ ipad, then key ^ opad) on one reused
// EVP_MD_CTX, the digest fetched once.
void BM_HmacTwoEvpDigests(benchmark::State& state) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (auto _ : state) {
    unsigned char pad[64] = {};
    std::memcpy(pad, Key().data(), Key().size());
    for (unsigned char& b : pad) b ^= 0x36;
    Digest inner, out;
    EVP_DigestInit_ex2(ctx, Md(), nullptr);
    EVP_DigestUpdate(ctx, pad, sizeof(pad));
    EVP_DigestUpdate(ctx, MacInput().data(), MacInput().size());
    EVP_DigestFinal_ex(ctx, inner.data(), nullptr);
    for (unsigned char& b : pad) b ^= 0x36 ^ 0x5c;
    EVP_DigestInit_ex2(ctx, Md(), nullptr);
    EVP_DigestUpdate(ctx, pad, sizeof(pad));
    EVP_DigestUpdate(ctx, inner.data(), inner.size());
    EVP_DigestFinal_ex(ctx, out.data(), nullptr);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
}
BENCHMARK(BM_HmacTwoEvpDigests);

// The inner and outer states keyed once (a key used many times) and
// copied into a reused context per call.
void BM_HmacKeyedTemplates(benchmark::State& state) {
  unsigned char pad[64] = {};
  std::memcpy(pad, Key().data(), Key().size());
  for (unsigned char& b : pad) b ^= 0x36;
  EVP_MD_CTX* inner_tmpl = EVP_MD_CTX_new();
  EVP_DigestInit_ex2(inner_tmpl, Md(), nullptr);
  EVP_DigestUpdate(inner_tmpl, pad, sizeof(pad));
  for (unsigned char& b : pad) b ^= 0x36 ^ 0x5c;
  EVP_MD_CTX* outer_tmpl = EVP_MD_CTX_new();
  EVP_DigestInit_ex2(outer_tmpl, Md(), nullptr);
  EVP_DigestUpdate(outer_tmpl, pad, sizeof(pad));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (auto _ : state) {
    Digest inner, out;
    EVP_MD_CTX_copy_ex(ctx, inner_tmpl);
    EVP_DigestUpdate(ctx, MacInput().data(), MacInput().size());
    EVP_DigestFinal_ex(ctx, inner.data(), nullptr);
    EVP_MD_CTX_copy_ex(ctx, outer_tmpl);
    EVP_DigestUpdate(ctx, inner.data(), inner.size());
    EVP_DigestFinal_ex(ctx, out.data(), nullptr);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_CTX_free(outer_tmpl);
  EVP_MD_CTX_free(inner_tmpl);
}
BENCHMARK(BM_HmacKeyedTemplates);

}  // namespace
}  // namespace accord::crypto

BENCHMARK_MAIN();
