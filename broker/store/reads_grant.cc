// Reads of grants and revocations.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/store/grant_index.h"
#include "broker/store/read_util.h"

namespace accord::store {

absl::StatusOr<GrantRecord> Store::GetGrant(absl::string_view id) const {
  return Parse<GrantRecord>(db_->Get(kGrants, id), "grant", id);
}

absl::StatusOr<uint64_t> Store::FindLogIndexOfGrant(
    absl::string_view grant_id) const {
  auto grant = GetGrant(grant_id);
  if (!grant.ok()) return grant.status();
  return grant->log_index();
}

absl::StatusOr<Page<GrantRecord>> Store::ListGrantsBySubject(
    absl::string_view subject, absl::string_view cursor, size_t limit) const {
  const std::string prefix = keys::GrantBySubjectPrefix(subject);
  return ListOf<GrantRecord>(
      *db_, prefix, cursor, limit,
      [&](absl::string_view after, const rocksdb::Snapshot* snapshot,
          auto visit) {
        return ScanGrantIndex(*db_, prefix, after, snapshot, visit);
      },
      [&](absl::string_view key, absl::string_view,
          const rocksdb::Snapshot* snapshot) -> absl::StatusOr<GrantRecord> {
        absl::StatusOr<absl::string_view> id = GrantIdOfEntry(key, prefix);
        if (!id.ok()) return id.status();
        return Parse<GrantRecord>(db_->Get(kGrants, *id, snapshot), "grant",
                                  *id);
      });
}

absl::StatusOr<std::vector<std::string>> Store::GrantIdsForSubjectAndDataset(
    absl::string_view subject, absl::string_view dataset_id,
    int64_t issued_after) const {
  // The subject's grants come newest first: the scan stops at the first one
  // issued before `issued_after`.
  const std::string prefix = keys::GrantBySubjectPrefix(subject);
  const uint64_t oldest =
      static_cast<uint64_t>(std::max<int64_t>(0, issued_after));
  std::vector<std::string> ids;
  absl::Status malformed;
  absl::Status s = ScanGrantIndex(
      *db_, prefix, "", nullptr,
      [&](absl::string_view key, absl::string_view value) {
        absl::StatusOr<absl::string_view> id = GrantIdOfEntry(key, prefix);
        if (!id.ok()) {
          malformed = id.status();
          return false;
        }
        if (~keys::ReadBE64(key.substr(prefix.size())) < oldest) return false;
        if (value == dataset_id) ids.emplace_back(*id);
        return true;
      });
  if (!s.ok()) return s;
  if (!malformed.ok()) return malformed;
  std::reverse(ids.begin(), ids.end());
  return ids;
}

absl::StatusOr<std::vector<GrantRecord>> Store::LiveGrantsOfPartner(
    absl::string_view partner, int64_t issued_after, int64_t now) const {
  rocksdb::ManagedSnapshot snapshot(db_->db());
  std::string prefix = keys::GrantByPartner(partner, 0, "");
  prefix.resize(prefix.size() - 8);  // without the issue time
  // No grant id is empty, so this key is before the first grant issued at
  // `issued_after`.
  const std::string start =
      keys::GrantByPartner(partner, std::max<int64_t>(0, issued_after), "");
  std::vector<GrantRecord> live;
  absl::Status error;
  absl::Status s = ScanGrantIndex(
      *db_, prefix, start, snapshot.snapshot(),
      [&](absl::string_view key, absl::string_view) {
        absl::StatusOr<absl::string_view> id = GrantIdOfEntry(key, prefix);
        if (!id.ok()) {
          error = id.status();
          return false;
        }
        auto g = Parse<GrantRecord>(db_->Get(kGrants, *id, snapshot.snapshot()),
                                    "grant", *id);
        if (!g.ok()) {
          error = g.status();
          return false;
        }
        if (g->released_at() == 0 && g->expires_at() > now) {
          live.push_back(*std::move(g));
        }
        return true;
      });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  return live;
}

absl::StatusOr<std::vector<accord::v1::Revocation>> Store::ListRevocationsAfter(
    uint64_t revision, size_t limit) const {
  limit = ClampLimit(limit);
  const std::string after = keys::Revocation(revision, 0xffffffffu);
  std::vector<accord::v1::Revocation> out;
  absl::Status error;
  absl::Status s = Scan(*db_, kIndex, keys::kRevocationPrefix, after, nullptr,
                        [&](absl::string_view key, absl::string_view value) {
                          if (out.size() >= limit) return false;
                          auto r = Parse<RevocationRecord>(std::string(value),
                                                           "revocation", key);
                          if (!r.ok()) {
                            error = r.status();
                            return false;
                          }
                          out.push_back(std::move(*r->mutable_revocation()));
                          return true;
                        });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  return out;
}

}  // namespace accord::store
