#ifndef ACCORD_BROKER_SERVICE_VALIDATE_H_
#define ACCORD_BROKER_SERVICE_VALIDATE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace accord::service {

// Request checks done before any work. Each returns OK, or
// INVALID_ARGUMENT whose message starts with the field name. The bounds are
// in broker/service/limits.h.

// An identifier: [a-z0-9][a-z0-9._-]{0,127} (kMaxIdBytes).
absl::Status CheckId(absl::string_view field, absl::string_view value);

// Free text of 1..max_len bytes, valid UTF-8, no control characters.
absl::Status CheckText(absl::string_view field, absl::string_view value,
                       size_t max_len);

// Any bytes, 0..max_len of them (an optional field: empty is OK).
absl::Status CheckLength(absl::string_view field, absl::string_view value,
                         size_t max_len);

// A list of 0..max_items items.
absl::Status CheckCount(absl::string_view field, size_t count,
                        size_t max_items);

// A list of identifiers with 0..max_items items and no duplicates.
absl::Status CheckIdList(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<std::string>& values,
    size_t max_items);

// A page size of 0..kMaxPageSize (0 means kDefaultPageSize); returns the
// effective size via `out`.
absl::Status CheckPageSize(uint32_t page_size, uint32_t* out);

// A page request: the page size as CheckPageSize, and a page token of
// 0..kMaxPageTokenBytes bytes.
absl::Status CheckPage(uint32_t page_size, absl::string_view page_token,
                       uint32_t* out);

// A subject pseudonym: base64url, 1..kMaxSubjectBytes characters.
absl::Status CheckSubject(absl::string_view field, absl::string_view value);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_VALIDATE_H_
