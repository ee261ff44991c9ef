// libFuzzer target over citizens' bearer tokens (CitizenTokens::Pseudonym),
// which every consent call presents in its metadata. Two issuers, one with
// the Ed25519 key of RFC 8037 A.1, one with the P-256 key whose scalar is
// SHA-256("accord fuzz p-256"), so seeds signed with those published private
// keys reach the claim checks.
// Built only with -DACCORD_FUZZ=ON (clang); seeds in fuzz/corpus/.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "broker/service/citizen_tokens.h"

namespace {

constexpr char kEdJwks[] =
    R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"ed",)"
    R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})";
constexpr char kEcJwks[] =
    R"({"keys":[{"kty":"EC","crv":"P-256","kid":"ec",)"
    R"("x":"wfGgXeV1exmkcaYNVWZWBqRx6njI5pPGQCef2G_ybhM",)"
    R"("y":"8ys8f0p2hO7-RghkXHcaA3CGcfPQh1V51jBW7z6Z9h8"}]})";

// The seeds are valid at this instant.
constexpr int64_t kNow = 1'700'000'000;

// Writes `text` to a fresh temporary file and returns its path.
std::string TempFile(const char* text) {
  char path[] = "/tmp/accord-citizen-fuzz-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) std::abort();
  close(fd);
  std::ofstream(path) << text;
  return path;
}

const accord::service::CitizenTokens& Tokens() {
  static const accord::service::CitizenTokens* tokens = [] {
    const std::string ed = TempFile(kEdJwks);
    const std::string ec = TempFile(kEcJwks);
    std::vector<accord::service::CitizenIssuer> issuers = {
        {"https://id.rennes.example", "accord", ed, {{"accord", {"app"}}}, ""},
        {"https://fc.example",
         "accord-citizens",
         ec,
         {{"accord-citizens", {"app"}}},
         ""}};
    auto loaded =
        accord::service::CitizenTokens::Load(issuers, std::string(32, 's'), 60);
    unlink(ed.c_str());
    unlink(ec.c_str());
    if (!loaded.ok()) std::abort();
    return loaded->release();
  }();
  return *tokens;
}

bool IsBase64Url(absl::string_view s) {
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return !s.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view token(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::string> pseudonym =
      Tokens().Pseudonym(token, "app", kNow);
  if (pseudonym.ok()) {
    // A pseudonym is 32 HMAC bytes in base64url, never the token's content.
    if (pseudonym->size() != 43 || !IsBase64Url(*pseudonym)) std::abort();
  } else if (!absl::IsUnauthenticated(pseudonym.status())) {
    std::abort();  // every refusal is UNAUTHENTICATED
  }
  return 0;
}
