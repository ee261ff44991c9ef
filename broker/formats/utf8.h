// Internal to broker/crypto: strict UTF-8 decoding (RFC 3629).
#ifndef ACCORD_BROKER_FORMATS_UTF8_H_
#define ACCORD_BROKER_FORMATS_UTF8_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace accord::formats::internal {

// Decodes the code point starting at s[pos]. Returns its length in bytes
// (1-4) and sets *cp, or returns 0 for an invalid sequence: truncated,
// overlong, a surrogate, or above U+10FFFF.
size_t DecodeUtf8(absl::string_view s, size_t pos, uint32_t* cp);

}  // namespace accord::formats::internal

#endif  // ACCORD_BROKER_FORMATS_UTF8_H_
