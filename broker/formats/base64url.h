#ifndef ACCORD_BROKER_FORMATS_BASE64URL_H_
#define ACCORD_BROKER_FORMATS_BASE64URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::formats {

// Returns the base64url encoding of `data` (RFC 4648 §5) without padding,
// as JOSE requires. Never fails.
std::string Base64UrlEncode(absl::string_view data);

// Decodes unpadded base64url. Strict: rejects '=' padding, characters
// outside the URL-safe alphabet (including whitespace), an impossible length
// and non-zero unused trailing bits, so each byte string has exactly one
// accepted encoding. Returns the bytes, or INVALID_ARGUMENT naming the
// problem (never the input).
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text);

// Returns the standard base64 encoding of `data` (RFC 4648 §4) with '='
// padding. Never fails.
std::string Base64Encode(absl::string_view data);

// Decodes padded standard base64, strictly: length a multiple of 4, correct
// padding, standard alphabet only, zero trailing bits. Returns the bytes, or
// INVALID_ARGUMENT naming the problem.
absl::StatusOr<std::string> Base64Decode(absl::string_view text);

}  // namespace accord::formats

#endif  // ACCORD_BROKER_FORMATS_BASE64URL_H_
