// Reads of client request records (WriteSet::ClientRequestOp).
#include "broker/store/read_util.h"

namespace accord::store {

absl::StatusOr<ClientRequestRecord> Store::GetClientRequest(
    absl::string_view caller, absl::string_view method,
    absl::string_view id) const {
  return Parse<ClientRequestRecord>(
      db_->Get(kIndex, keys::ClientRequest(caller, method, id)),
      "client request record", id);
}

absl::StatusOr<std::vector<std::string>> Store::FindExpiredClientRequests(
    int64_t created_before, size_t limit) const {
  if (limit == 0 || limit > 10000) limit = 10000;
  std::vector<std::string> expired;
  const std::string prefix(keys::kClientRequestByAgePrefix);
  absl::Status s = Scan(*db_, kIndex, prefix, "", nullptr,
                        [&](absl::string_view key, absl::string_view) {
                          if (expired.size() >= limit) return false;
                          if (key.size() < prefix.size() + 8) return true;
                          const int64_t created = static_cast<int64_t>(
                              keys::ReadBE64(key.substr(prefix.size())));
                          if (created >= created_before) return false;
                          expired.emplace_back(key);
                          return true;
                        });
  if (!s.ok()) return s;
  return expired;
}

}  // namespace accord::store
