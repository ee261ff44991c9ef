// libFuzzer entry point: hostile bytes through what the grant verifier
// reads from a JWKS server before any grant is checked: the first line is
// taken as a Cache-Control value and as a JWKS URL, the rest as the JWKS
// document a JwksSource loads. Built only with -DACCORD_FUZZ=ON (clang);
// seeds in corpus/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/crypto/jwks.h"
#include "broker/jwks/jwks_source.h"
#include "broker/jwks/jwks_url.h"

namespace {

constexpr absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

void CheckCacheControl(absl::string_view value) {
  std::optional<absl::Duration> age = accord::jwks::CacheMaxAge(value);
  if (age.has_value() &&
      (*age < absl::ZeroDuration() || *age > absl::Hours(24))) {
    std::abort();
  }
}

void CheckUrl(absl::string_view url) {
  for (bool allow_http : {false, true}) {
    absl::StatusOr<accord::jwks::JwksUrl> parsed =
        accord::jwks::ParseJwksUrl(url, allow_http);
    if (!parsed.ok()) continue;
    // Plain http only when allowed, and towards loopback.
    if (!parsed->https &&
        (!allow_http || !accord::jwks::IsLoopbackHost(parsed->host))) {
      std::abort();
    }
    if (parsed->port < 1 || parsed->port > 65535 || parsed->host.empty() ||
        parsed->path.empty() || parsed->path[0] != '/') {
      std::abort();
    }
  }
}

void CheckDocument(absl::string_view document) {
  const std::string text(document);
  absl::Time now = kNow;
  accord::jwks::JwksSource::Options options;
  options.now = [&now] { return now; };
  options.min_refresh_interval = absl::ZeroDuration();
  auto source = accord::jwks::JwksSource::FromLoader(
      [text]() -> absl::StatusOr<accord::jwks::JwksDocument> {
        return accord::jwks::JwksDocument(text, absl::ZeroDuration());
      },
      options);
  absl::StatusOr<accord::crypto::Jwks> parsed =
      accord::crypto::Jwks::Parse(document);
  // The source accepts exactly what the parser accepts.
  if (source.ok() != parsed.ok()) std::abort();
  if (!source.ok()) return;
  const std::vector<std::string> kids = (*source)->Kids();
  if (kids.size() != parsed->keys().size()) std::abort();
  if (std::set<std::string>(kids.begin(), kids.end()).size() != kids.size()) {
    std::abort();
  }
  for (const std::string& kid : kids) {
    if (!(*source)->HasKey(kid)) std::abort();
  }
  // What the parser accepts re-serializes to a set with the same kids.
  absl::StatusOr<accord::crypto::Jwks> again =
      accord::crypto::Jwks::Parse(parsed->ToJson());
  if (!again.ok() || again->keys().size() != kids.size()) std::abort();
  for (size_t i = 0; i < kids.size(); ++i) {
    if (again->keys()[i].kid() != kids[i]) std::abort();
  }
  // A stale set (max-age zero, then a second later) loads again the same.
  now += absl::Seconds(1);
  absl::StatusOr<bool> refreshed = (*source)->RefreshIfStale();
  if (!refreshed.ok() || !*refreshed || (*source)->Kids() != kids) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const absl::string_view first = input.substr(0, newline);
  const absl::string_view rest = newline == absl::string_view::npos
                                     ? absl::string_view()
                                     : input.substr(newline + 1);
  CheckCacheControl(first);
  CheckUrl(first);
  CheckDocument(rest);
  return 0;
}
