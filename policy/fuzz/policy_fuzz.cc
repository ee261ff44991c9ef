// libFuzzer target over the policy parser, compiler, canonical encoding and
// evaluator, and the taxonomy parser. Inputs are policy documents (JSON when
// they start with '{', YAML otherwise); the seed corpus is fuzz/corpus/.
//
//   cmake -DACCORD_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...
//   accord-policy-fuzz -max_len=70000 policy/fuzz/corpus

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "policy/canonical.h"
#include "policy/compiled.h"
#include "policy/decide.h"
#include "policy/parse.h"
#include "policy/taxonomy.h"

namespace {

using namespace accord::policy;  // NOLINT: a fuzz entry point.

struct Context {
  Context() : taxonomy(*Taxonomy::Default()) {
    directory.principal_categories = {{"partner-demo", "academic"},
                                      {"adtech", "company"}};
    directory.categories = {"academic", "public-service", "association",
                            "company"};
    personal = {
        "rennes.energy.household-consumption",
        Classification::kPersonal,
        {"household_id", "subject", "day", "kwh", "tariff", "district"}};
    restricted = {
        "rennes.environment.air-quality",
        Classification::kRestricted,
        {"sensor_id", "lat", "lon", "pm25", "pm10", "no2", "measured_at"}};
  }
  Taxonomy taxonomy;
  Directory directory;
  DatasetInfo personal, restricted;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Context* context = new Context();
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t first = text.find_first_not_of(" \t\r\n");
  const SourceFormat format =
      first != absl::string_view::npos && text[first] == '{'
          ? SourceFormat::kJson
          : SourceFormat::kYaml;
  const DatasetInfo& dataset = absl::StrContains(text, "legal_basis")
                                   ? context->personal
                                   : context->restricted;
  absl::StatusOr<Policy> policy = ParsePolicy(
      text, format, "fuzz", dataset, context->taxonomy, context->directory);
  if (policy.ok()) {
    (void)CanonicalEncoding(*policy);
    absl::StatusOr<CompiledPolicy> compiled =
        Compile(*policy, dataset, context->taxonomy, context->directory);
    if (compiled.ok()) {
      const std::vector<std::string> subjects = {"s1", "s2", "s1"};
      const std::vector<ConsentView> consents = {
          {"c1",
           "s1",
           "public-benefit",
           "partner-demo",
           "",
           true,
           0,
           false,
           {"consumption"}},
          {"c2", "s2", "", "", "", true, 0, true, {}}};
      Request request;
      request.partner = "partner-demo";
      request.partner_category = "academic";
      request.purpose = "public-benefit.energy";
      request.subjects = subjects;
      (void)Decide(request, *compiled, consents, absl::FromUnixSeconds(1.7e9));
      (void)CouldEverPermit(*compiled, "public-benefit", "", "academic");
    }
  }
  // The same bytes as an operator's taxonomy extension.
  Taxonomy extended = context->taxonomy;
  (void)extended.Extend(text, "fuzz");
  return 0;
}
