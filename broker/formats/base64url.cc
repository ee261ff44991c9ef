#include "broker/formats/base64url.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace accord::formats {
namespace {

// Which of the two RFC 4648 alphabets a text is held to.
enum class Alphabet { kUrl, kStandard };

bool InAlphabet(char c, Alphabet alphabet) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  return alphabet == Alphabet::kUrl ? (c == '-' || c == '_')
                                    : (c == '+' || c == '/');
}

// Abseil decodes; what Abseil tolerates (padding where there should be
// none, whitespace, non-zero unused bits) is refused here: `body` holds
// only alphabet characters and has a possible length, and `text` must be
// exactly the encoding of what it decodes to, so that each byte string has
// one accepted encoding. `text` is `body` plus its padding, if any.
absl::StatusOr<std::string> DecodeStrict(absl::string_view text,
                                         absl::string_view body,
                                         Alphabet alphabet,
                                         absl::string_view name) {
  if (body.size() % 4 == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": impossible length ", body.size()));
  }
  for (size_t i = 0; i < body.size(); ++i) {
    if (!InAlphabet(body[i], alphabet)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": invalid character at offset ", i));
    }
  }
  std::string out;
  const bool url = alphabet == Alphabet::kUrl;
  const bool decoded = url ? absl::WebSafeBase64Unescape(text, &out)
                           : absl::Base64Unescape(text, &out);
  // With the alphabet and the length checked, only the unused low bits of
  // the last character can keep `text` from being the canonical encoding.
  if (!decoded || (url ? absl::WebSafeBase64Escape(out)
                       : absl::Base64Escape(out)) != text) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": non-zero trailing bits"));
  }
  return out;
}

}  // namespace

std::string Base64UrlEncode(absl::string_view data) {
  return absl::WebSafeBase64Escape(data);
}

absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text) {
  return DecodeStrict(text, text, Alphabet::kUrl, "base64url");
}

std::string Base64Encode(absl::string_view data) {
  return absl::Base64Escape(data);
}

absl::StatusOr<std::string> Base64Decode(absl::string_view text) {
  if (text.size() % 4 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "base64: length ", text.size(), " is not a multiple of 4"));
  }
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') {
    ++pad;
    if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  }
  absl::string_view body = text.substr(0, text.size() - pad);
  // A remaining '=' is refused by the alphabet check; padding must make the
  // unpadded length a possible one.
  if (pad > 0 && body.size() % 4 != 4 - pad) {
    return absl::InvalidArgumentError("base64: invalid padding");
  }
  return DecodeStrict(text, body, Alphabet::kStandard, "base64");
}

}  // namespace accord::formats
