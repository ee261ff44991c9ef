// Reads of consent requests.
#include "broker/store/read_util.h"

namespace accord::store {

absl::StatusOr<accord::v1::ConsentRequest> Store::GetConsentRequest(
    absl::string_view id) const {
  return Parse<accord::v1::ConsentRequest>(
      db_->Get(kIndex, keys::ConsentRequest(id)), "consent request", id);
}

absl::StatusOr<Page<accord::v1::ConsentRequest>> Store::ListConsentRequests(
    absl::string_view cursor, size_t limit) const {
  const absl::string_view prefix = keys::kConsentRequestPrefix;
  return List<accord::v1::ConsentRequest>(
      *db_, kIndex, prefix, cursor, limit,
      [&](absl::string_view key, absl::string_view value,
          const rocksdb::Snapshot*) {
        return Parse<accord::v1::ConsentRequest>(
            std::string(value), "consent request", key.substr(prefix.size()));
      });
}

}  // namespace accord::store
