#ifndef ACCORD_BROKER_SERVICE_REQUEST_SPEC_H_
#define ACCORD_BROKER_SERVICE_REQUEST_SPEC_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "accord/v1/common.pb.h"
#include "accord/v1/requests.pb.h"
#include "policy/compiled.h"
#include "policy/taxonomy.h"

namespace accord::service {

// Bounds of a consent request's spec (requests.proto).
inline constexpr size_t kMaxRequestTitleBytes = 200;
inline constexpr size_t kMaxRequestDescriptionBytes = 4000;
inline constexpr size_t kMaxPublicBenefitBytes = 2000;
inline constexpr size_t kMaxReasonBytes = 2000;
inline constexpr size_t kMaxDatasetDescriptionBytes = 2000;
inline constexpr size_t kMaxFieldDescriptionBytes = 500;
inline constexpr int64_t kMinConsentDurationSeconds = 86400;
inline constexpr int64_t kMaxConsentDurationSeconds = 5 * 366 * 86400;

// A text in French and English: each language optional here, at most
// `max_len` bytes of UTF-8 without control characters. INVALID_ARGUMENT
// naming `field`.fr or `field`.en.
absl::Status CheckLocalized(absl::string_view field,
                            const accord::v1::LocalizedText& text,
                            size_t max_len);

// The same, with the French text required ("missing French text").
absl::Status CheckLocalizedWithFrench(absl::string_view field,
                                      const accord::v1::LocalizedText& text,
                                      size_t max_len);

// The descriptions of a dataset (`dataset.description`,
// `dataset.field_descriptions`): bounds, and keys that are its fields.
absl::Status CheckDatasetTexts(const accord::v1::Dataset& dataset);

// A spec as a partner puts it, against its dataset (which must be PERSONAL;
// the caller checks the legal basis), the taxonomy and the time `now`:
// every field named by requests.proto, each error INVALID_ARGUMENT naming
// the field (`spec.fields[2]`, `spec.title.fr`, `spec.closes_at`, ...).
absl::Status CheckRequestSpec(const accord::v1::ConsentRequestSpec& spec,
                              const accord::v1::Dataset& dataset,
                              const policy::Taxonomy& taxonomy, int64_t now);

// Whether two specs say the same to a citizen (every field counts).
bool SameSpec(const accord::v1::ConsentRequestSpec& a,
              const accord::v1::ConsentRequestSpec& b);

// What `compiled` would do, at `now`, for the data of a citizen who gave
// exactly the consent `spec` asks of them, to `partner` (of `category`):
// OK when it permits every field and the spec accepts every duty it
// imposes; otherwise FAILED_PRECONDITION naming the spec's field at fault.
absl::Status CheckSpecAgainstPolicy(const policy::CompiledPolicy& compiled,
                                    const std::string& partner,
                                    const std::string& category,
                                    const accord::v1::ConsentRequestSpec& spec,
                                    absl::Time now);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_REQUEST_SPEC_H_
