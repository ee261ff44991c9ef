#include "broker/store/read_util.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace accord::store {

std::string EncodeCursor(absl::string_view key) {
  return absl::WebSafeBase64Escape(key);
}

absl::StatusOr<std::string> DecodeCursor(absl::string_view cursor,
                                         absl::string_view prefix) {
  std::string key;
  if (!absl::WebSafeBase64Unescape(cursor, &key) ||
      key.size() <= prefix.size() || !absl::StartsWith(key, prefix)) {
    return absl::InvalidArgumentError("page_token: not a token of this list");
  }
  return key;
}

}  // namespace accord::store
