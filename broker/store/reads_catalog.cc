// Reads of datasets, policy versions and principals.
#include "absl/strings/str_cat.h"
#include "broker/store/read_util.h"

namespace accord::store {

absl::StatusOr<accord::v1::Dataset> Store::GetDataset(
    absl::string_view id) const {
  return Parse<accord::v1::Dataset>(db_->Get(kDatasets, id), "dataset", id);
}

absl::StatusOr<Page<accord::v1::Dataset>> Store::ListDatasets(
    absl::string_view cursor, size_t limit) const {
  return List<accord::v1::Dataset>(
      *db_, kDatasets, "", cursor, limit,
      [](absl::string_view key, absl::string_view value,
         const rocksdb::Snapshot*) {
        return Parse<accord::v1::Dataset>(std::string(value), "dataset", key);
      });
}

absl::StatusOr<accord::v1::PolicyVersion> Store::GetPolicyVersion(
    absl::string_view dataset_id, uint64_t version) const {
  if (version == 0) {
    auto latest = ListPolicyVersions(dataset_id, "", 1);
    if (!latest.ok()) return latest.status();
    if (latest->records.empty()) {
      return absl::NotFoundError(
          absl::StrCat("dataset '", dataset_id, "' has no policy"));
    }
    return latest->records.front();
  }
  return Parse<accord::v1::PolicyVersion>(
      db_->Get(kPolicies, keys::Policy(dataset_id, version)), "policy version",
      absl::StrCat(dataset_id, "@", version));
}

absl::StatusOr<Page<accord::v1::PolicyVersion>> Store::ListPolicyVersions(
    absl::string_view dataset_id, absl::string_view cursor,
    size_t limit) const {
  limit = ClampLimit(limit);
  const std::string prefix = keys::PolicyPrefix(dataset_id);
  std::string before = keys::PrefixEnd(prefix);
  if (!cursor.empty()) {
    auto key = DecodeCursor(cursor, prefix);
    if (!key.ok()) return key.status();
    before = *std::move(key);
  }
  // Newest first: walk the versions backwards from the cursor.
  rocksdb::ReadOptions options;
  rocksdb::Slice lower(prefix);
  options.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->db()->NewIterator(options, db_->cf(kPolicies)));
  it->SeekForPrev(before);
  if (it->Valid() && it->key() == rocksdb::Slice(before)) it->Prev();
  Page<accord::v1::PolicyVersion> page;
  std::string last;
  for (; it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    if (page.records.size() == limit) {
      page.next_cursor = EncodeCursor(last);
      break;
    }
    last = it->key().ToString();
    auto v = Parse<accord::v1::PolicyVersion>(it->value().ToString(),
                                              "policy version", dataset_id);
    if (!v.ok()) return v.status();
    page.records.push_back(*std::move(v));
  }
  if (absl::Status s = FromRocks(it->status(), "scan"); !s.ok()) return s;
  return page;
}

absl::StatusOr<accord::v1::Principal> Store::GetPrincipal(
    absl::string_view id) const {
  return Parse<accord::v1::Principal>(db_->Get(kPrincipals, id), "principal",
                                      id);
}

absl::StatusOr<accord::v1::Principal> Store::FindPrincipalByCertificate(
    absl::string_view uri, absl::string_view sha256_hex) const {
  rocksdb::ManagedSnapshot snapshot(db_->db());
  const auto try_key =
      [&](const std::string& key,
          bool by_uri) -> absl::StatusOr<accord::v1::Principal> {
    auto id = db_->Get(kIndex, key, snapshot.snapshot());
    if (!id.ok()) return id.status();
    auto p = Parse<accord::v1::Principal>(
        db_->Get(kPrincipals, *id, snapshot.snapshot()), "principal", *id);
    if (!p.ok()) return p.status();
    // The record decides, not the index: a stale entry matches nobody.
    const bool matches = by_uri ? p->certificate_uri() == uri
                                : p->certificate_sha256() == sha256_hex;
    if (!matches) return absl::NotFoundError("stale certificate index entry");
    return p;
  };
  if (!uri.empty()) {
    auto p = try_key(keys::PrincipalByUri(uri), true);
    if (p.ok() || !absl::IsNotFound(p.status())) return p;
  }
  if (!sha256_hex.empty()) {
    auto p = try_key(keys::PrincipalBySha(sha256_hex), false);
    if (p.ok() || !absl::IsNotFound(p.status())) return p;
  }
  return absl::NotFoundError("certificate: no principal has this certificate");
}

absl::StatusOr<Page<accord::v1::Principal>> Store::ListPrincipals(
    absl::string_view cursor, size_t limit) const {
  return List<accord::v1::Principal>(
      *db_, kPrincipals, "", cursor, limit,
      [](absl::string_view key, absl::string_view value,
         const rocksdb::Snapshot*) {
        return Parse<accord::v1::Principal>(std::string(value), "principal",
                                            key);
      });
}

}  // namespace accord::store
