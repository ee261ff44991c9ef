#include "broker/service/validate.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "broker/service/limits.h"

namespace accord::service {
namespace {

bool IsIdChar(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return !first && (c == '.' || c == '_' || c == '-');
}

// Strict UTF-8 (RFC 3629), as protobuf checks proto3 string fields: no
// overlong forms, no surrogates, nothing above U+10FFFF. Text that passes
// here can be stored and sent back in any string field.
bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    // The allowed range of the second byte depends on the first.
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      if (c == 0xe0) lo = 0xa0;  // overlong
      if (c == 0xed) hi = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      if (c == 0xf0) lo = 0x90;  // overlong
      if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
    } else {
      return false;  // continuation byte, 0xc0, 0xc1, 0xf5..0xff
    }
    if (i + extra >= s.size()) return false;
    const unsigned char second = s[i + 1];
    if (second < lo || second > hi) return false;
    for (size_t k = 2; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace

absl::Status CheckId(absl::string_view field, absl::string_view value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  if (value.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": longer than ", kMaxIdBytes, " characters"));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (!IsIdChar(value[i], i == 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field,
          ": not an identifier (lowercase letters, digits, '.', '_', "
          "'-'; starting with a letter or digit)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view field, absl::string_view value,
                       size_t max_len) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  if (value.size() > max_len) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": longer than ", max_len, " bytes"));
  }
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": control characters are not allowed"));
    }
  }
  if (!IsValidUtf8(value)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not valid UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status CheckLength(absl::string_view field, absl::string_view value,
                         size_t max_len) {
  if (value.size() > max_len) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": longer than ", max_len, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckCount(absl::string_view field, size_t count,
                        size_t max_items) {
  if (count > max_items) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": more than ", max_items, " items"));
  }
  return absl::OkStatus();
}

absl::Status CheckIdList(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<std::string>& values,
    size_t max_items) {
  if (absl::Status s = CheckCount(field, values.size(), max_items); !s.ok()) {
    return s;
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (int i = 0; i < values.size(); ++i) {
    const std::string name = absl::StrCat(field, "[", i, "]");
    if (absl::Status s = CheckId(name, values[i]); !s.ok()) return s;
    if (!seen.insert(values[i]).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": duplicate '", values[i], "'"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPageSize(uint32_t page_size, uint32_t* out) {
  if (page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: at most ", kMaxPageSize));
  }
  *out = page_size == 0 ? kDefaultPageSize : page_size;
  return absl::OkStatus();
}

absl::Status CheckPage(uint32_t page_size, absl::string_view page_token,
                       uint32_t* out) {
  if (absl::Status s =
          CheckLength("page_token", page_token, kMaxPageTokenBytes);
      !s.ok()) {
    return s;
  }
  return CheckPageSize(page_size, out);
}

absl::Status CheckSubject(absl::string_view field, absl::string_view value) {
  if (value.empty() || value.size() > kMaxSubjectBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": a pseudonym of 1..", kMaxSubjectBytes, " characters"));
  }
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": a pseudonym is base64url"));
    }
  }
  return absl::OkStatus();
}

}  // namespace accord::service
