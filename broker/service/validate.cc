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

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    size_t extra;
    if (c < 0x80) {
      extra = 0;
    } else if ((c >> 5) == 0x6) {
      extra = 1;
    } else if ((c >> 4) == 0xe) {
      extra = 2;
    } else if ((c >> 3) == 0x1e) {
      extra = 3;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
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
          field, ": not an identifier (lowercase letters, digits, '.', '_', "
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
  if (absl::Status s = CheckLength("page_token", page_token, kMaxPageTokenBytes);
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
