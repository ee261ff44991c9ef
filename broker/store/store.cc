#include "broker/store/store.h"

#include <filesystem>
#include <future>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "broker/store/db.h"
#include "broker/store/keys.h"
#include "rocksdb/utilities/checkpoint.h"

namespace accord::store {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxLimit = 1000;

template <typename T>
absl::StatusOr<T> Parse(absl::StatusOr<std::string> bytes,
                        absl::string_view what, absl::string_view id) {
  if (!bytes.ok()) {
    if (absl::IsNotFound(bytes.status())) {
      return absl::NotFoundError(absl::StrCat("no ", what, " '", id, "'"));
    }
    return bytes.status();
  }
  T record;
  if (!record.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("unreadable ", what, " '", id, "'"));
  }
  return record;
}

std::string EncodeCursor(absl::string_view key) {
  return absl::WebSafeBase64Escape(key);
}

absl::StatusOr<std::string> DecodeCursor(absl::string_view cursor) {
  std::string key;
  if (!absl::WebSafeBase64Unescape(cursor, &key)) {
    return absl::InvalidArgumentError("page_token: not a token of this list");
  }
  return key;
}

// Visits the keys of `f` starting with `prefix`, after the cursor key (if
// any), in order; `visit` returns false to stop.
template <typename Visit>
absl::Status Scan(const Db& db, Family f, absl::string_view prefix,
                  absl::string_view after, Visit visit) {
  rocksdb::ReadOptions options;
  const std::string end = keys::PrefixEnd(prefix);
  rocksdb::Slice upper(end);
  if (!end.empty()) options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(options, db.cf(f)));
  if (after.empty()) {
    it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
  } else {
    it->Seek(rocksdb::Slice(after.data(), after.size()));
    if (it->Valid() && it->key() == rocksdb::Slice(after.data(), after.size())) {
      it->Next();
    }
  }
  for (; it->Valid(); it->Next()) {
    if (!it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) {
      break;
    }
    if (!visit(absl::string_view(it->key().data(), it->key().size()),
               absl::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scan");
}

// One page of records of `f` under `prefix`, where `load` turns an entry
// into a record.
template <typename T, typename Load>
absl::StatusOr<Page<T>> List(const Db& db, Family f, absl::string_view prefix,
                             absl::string_view cursor, size_t limit, Load load) {
  if (limit == 0 || limit > kMaxLimit) limit = kMaxLimit;
  std::string after;
  if (!cursor.empty()) {
    auto key = DecodeCursor(cursor);
    if (!key.ok()) return key.status();
    after = *std::move(key);
  }
  Page<T> page;
  absl::Status error;
  std::string last;
  bool more = false;
  absl::Status s = Scan(db, f, prefix, after,
                        [&](absl::string_view key, absl::string_view value) {
                          if (page.records.size() == limit) {
                            more = true;
                            return false;
                          }
                          absl::StatusOr<T> record = load(key, value);
                          if (!record.ok()) {
                            error = record.status();
                            return false;
                          }
                          page.records.push_back(*std::move(record));
                          last = std::string(key);
                          return true;
                        });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  if (more) page.next_cursor = EncodeCursor(last);
  return page;
}

// The id at the end of an index key: what follows the prefix and, for keys
// with a be64 part, the 8 bytes after it.
absl::string_view Tail(absl::string_view key, size_t prefix_len) {
  return key.substr(prefix_len);
}

}  // namespace

Store::Store(std::unique_ptr<Db> db) : db_(std::move(db)) {}
Store::~Store() { Close(); }

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const StoreOptions& options) {
  auto db = Db::Open(path, options);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Store>(new Store(*std::move(db)));
}

absl::Status Store::RestoreFrom(const std::string& backup_dir,
                                const std::string& data_dir) {
  std::error_code ec;
  if (!fs::exists(fs::path(backup_dir) / "CURRENT", ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(backup_dir, " is not an Accord backup"));
  }
  if (fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to restore over the non-empty directory ", data_dir));
  }
  fs::create_directories(data_dir, ec);
  fs::copy(backup_dir, data_dir, fs::copy_options::recursive, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("restoring into ", data_dir, ": ", ec.message()));
  }
  return absl::OkStatus();
}

void Store::SetLogAppender(LogAppender* appender) { db_->SetAppender(appender); }

void Store::Commit(WriteSet ws,
                   absl::AnyInvocable<void(absl::StatusOr<CommitResult>)> done) {
  db_->Submit(std::move(ws), std::move(done));
}

absl::StatusOr<CommitResult> Store::CommitAndWait(WriteSet ws) {
  std::promise<absl::StatusOr<CommitResult>> promise;
  auto future = promise.get_future();
  Commit(std::move(ws), [&promise](absl::StatusOr<CommitResult> r) {
    promise.set_value(std::move(r));
  });
  return future.get();
}

void Store::Close() {
  if (db_ != nullptr) db_->Close();
}

uint64_t Store::revision() const { return db_->revision(); }

absl::Status Store::WaitForRevision(uint64_t rev, absl::Duration timeout) const {
  return db_->WaitForRevision(rev, timeout);
}

absl::Status Store::Health() const { return db_->health(); }

absl::StatusOr<accord::v1::Dataset> Store::GetDataset(absl::string_view id) const {
  return Parse<accord::v1::Dataset>(db_->Get(kDatasets, id), "dataset", id);
}

absl::StatusOr<Page<accord::v1::Dataset>> Store::ListDatasets(
    absl::string_view cursor, size_t limit) const {
  return List<accord::v1::Dataset>(
      *db_, kDatasets, "", cursor, limit,
      [](absl::string_view key, absl::string_view value) {
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
  // Newest first: versions are few, so read them all and page in memory.
  std::vector<accord::v1::PolicyVersion> all;
  absl::Status error;
  absl::Status s = Scan(*db_, kPolicies, keys::PolicyPrefix(dataset_id), "",
                        [&](absl::string_view key, absl::string_view value) {
                          auto v = Parse<accord::v1::PolicyVersion>(
                              std::string(value), "policy version", key);
                          if (!v.ok()) {
                            error = v.status();
                            return false;
                          }
                          all.push_back(*std::move(v));
                          return true;
                        });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  if (limit == 0 || limit > kMaxLimit) limit = kMaxLimit;
  size_t start = 0;
  if (!cursor.empty()) {
    auto key = DecodeCursor(cursor);
    if (!key.ok() || key->size() != 8) {
      return absl::InvalidArgumentError("page_token: not a token of this list");
    }
    start = keys::ReadBE64(*key);
  }
  Page<accord::v1::PolicyVersion> page;
  for (size_t i = start; i < all.size() && page.records.size() < limit; ++i) {
    page.records.push_back(all[all.size() - 1 - i]);
  }
  if (start + page.records.size() < all.size()) {
    page.next_cursor = EncodeCursor(keys::BE64(start + page.records.size()));
  }
  return page;
}

absl::StatusOr<accord::v1::Principal> Store::GetPrincipal(
    absl::string_view id) const {
  return Parse<accord::v1::Principal>(db_->Get(kPrincipals, id), "principal", id);
}

absl::StatusOr<accord::v1::Principal> Store::FindPrincipalByCertificate(
    absl::string_view uri, absl::string_view sha256_hex) const {
  for (const std::string& key :
       {uri.empty() ? std::string() : keys::PrincipalByUri(uri),
        sha256_hex.empty() ? std::string() : keys::PrincipalBySha(sha256_hex)}) {
    if (key.empty()) continue;
    auto id = db_->Get(kIndex, key);
    if (id.ok()) return GetPrincipal(*id);
    if (!absl::IsNotFound(id.status())) return id.status();
  }
  return absl::NotFoundError("no principal has this certificate");
}

absl::StatusOr<Page<accord::v1::Principal>> Store::ListPrincipals(
    absl::string_view cursor, size_t limit) const {
  return List<accord::v1::Principal>(
      *db_, kPrincipals, "", cursor, limit,
      [](absl::string_view key, absl::string_view value) {
        return Parse<accord::v1::Principal>(std::string(value), "principal", key);
      });
}

absl::StatusOr<accord::v1::Consent> Store::GetConsent(absl::string_view id) const {
  auto consent = Parse<accord::v1::Consent>(db_->Get(kConsents, id), "consent", id);
  if (!consent.ok()) return consent;
  absl::Status error;
  absl::Status s = Scan(*db_, kConsentEvents, keys::ConsentEventPrefix(id), "",
                        [&](absl::string_view key, absl::string_view value) {
                          if (!consent->add_events()->ParseFromArray(
                                  value.data(), static_cast<int>(value.size()))) {
                            error = absl::DataLossError(absl::StrCat(
                                "unreadable consent event of '", id, "'"));
                            return false;
                          }
                          (void)key;
                          return true;
                        });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  return consent;
}

absl::StatusOr<Page<accord::v1::Consent>> Store::ListConsentsBySubject(
    absl::string_view subject, absl::string_view dataset_id,
    absl::string_view cursor, size_t limit) const {
  const std::string prefix = keys::ConsentBySubjectPrefix(subject);
  if (limit == 0 || limit > kMaxLimit) limit = kMaxLimit;
  // Filtering by dataset happens while scanning, so pages stay full.
  Page<accord::v1::Consent> page;
  std::string after;
  if (!cursor.empty()) {
    auto key = DecodeCursor(cursor);
    if (!key.ok()) return key.status();
    after = *std::move(key);
  }
  absl::Status error;
  std::string last;
  bool more = false;
  absl::Status s = Scan(*db_, kIndex, prefix, after,
                        [&](absl::string_view key, absl::string_view) {
                          if (page.records.size() == limit) {
                            more = true;
                            return false;
                          }
                          auto consent = GetConsent(Tail(key, prefix.size()));
                          if (!consent.ok()) {
                            error = consent.status();
                            return false;
                          }
                          last = std::string(key);
                          if (dataset_id.empty() ||
                              consent->dataset_id() == dataset_id) {
                            page.records.push_back(*std::move(consent));
                          }
                          return true;
                        });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  if (more) page.next_cursor = EncodeCursor(last);
  return page;
}

absl::StatusOr<std::vector<accord::v1::Consent>> Store::ConsentsForSubjects(
    absl::string_view dataset_id, absl::Span<const std::string> subjects) const {
  std::vector<accord::v1::Consent> out;
  for (const std::string& subject : subjects) {
    const std::string prefix = keys::ConsentByDatasetSubjectPrefix(dataset_id, subject);
    absl::Status error;
    absl::Status s = Scan(*db_, kIndex, prefix, "",
                          [&](absl::string_view key, absl::string_view) {
                            auto consent = GetConsent(Tail(key, prefix.size()));
                            if (!consent.ok()) {
                              error = consent.status();
                              return false;
                            }
                            out.push_back(*std::move(consent));
                            return true;
                          });
    if (!s.ok()) return s;
    if (!error.ok()) return error;
  }
  return out;
}

absl::StatusOr<GrantRecord> Store::GetGrant(absl::string_view id) const {
  return Parse<GrantRecord>(db_->Get(kGrants, id), "grant", id);
}

absl::StatusOr<Page<GrantRecord>> Store::ListGrantsBySubject(
    absl::string_view subject, absl::string_view cursor, size_t limit) const {
  const std::string prefix = keys::GrantBySubjectPrefix(subject);
  return List<GrantRecord>(
      *db_, kIndex, prefix, cursor, limit,
      [this, &prefix](absl::string_view key, absl::string_view) {
        return GetGrant(Tail(key, prefix.size() + 8));
      });
}

absl::StatusOr<std::vector<std::string>> Store::GrantIdsForSubjectAndDataset(
    absl::string_view subject, absl::string_view dataset_id,
    int64_t issued_after) const {
  const std::string prefix = keys::GrantBySubjectDatasetPrefix(subject, dataset_id);
  std::string start = prefix;
  keys::AppendBE64(&start, static_cast<uint64_t>(std::max<int64_t>(0, issued_after)));
  std::vector<std::string> ids;
  rocksdb::ReadOptions options;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->db()->NewIterator(options, db_->cf(kIndex)));
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ids.emplace_back(it->key().data() + prefix.size() + 8,
                     it->key().size() - prefix.size() - 8);
  }
  if (absl::Status s = FromRocks(it->status(), "scan"); !s.ok()) return s;
  return ids;
}

absl::StatusOr<std::vector<accord::v1::Revocation>> Store::ListRevocationsAfter(
    uint64_t revision, size_t limit) const {
  std::string after = keys::Revocation(revision, 0xffffffffu);
  std::vector<accord::v1::Revocation> out;
  absl::Status error;
  absl::Status s = Scan(*db_, kIndex, keys::kRevocationPrefix, after,
                        [&](absl::string_view key, absl::string_view value) {
                          if (out.size() >= limit) return false;
                          auto r = Parse<accord::v1::Revocation>(
                              std::string(value), "revocation", key);
                          if (!r.ok()) {
                            error = r.status();
                            return false;
                          }
                          out.push_back(*std::move(r));
                          return true;
                        });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  return out;
}

uint64_t Store::LogSize() const { return db_->log_size(); }

absl::StatusOr<std::string> Store::GetLogEntry(uint64_t index) const {
  auto entry = db_->Get(kAuditLeaves, keys::BE64(index));
  if (absl::IsNotFound(entry.status())) {
    return absl::NotFoundError(absl::StrCat("no log entry ", index));
  }
  return entry;
}

absl::StatusOr<std::string> Store::GetTreeNode(uint8_t level,
                                               uint64_t index) const {
  auto node = db_->Get(kAuditHashes, keys::AuditNode(level, index));
  if (absl::IsNotFound(node.status())) {
    return absl::NotFoundError(
        absl::StrCat("no tree node at level ", level, " index ", index));
  }
  return node;
}

absl::StatusOr<std::pair<uint64_t, std::string>> Store::LatestCheckpoint() const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->db()->NewIterator(rocksdb::ReadOptions(), db_->cf(kCheckpoints)));
  it->SeekToLast();
  if (!it->Valid()) {
    if (absl::Status s = FromRocks(it->status(), "scan"); !s.ok()) return s;
    return absl::NotFoundError("no checkpoint yet");
  }
  if (it->key().size() != 8) return absl::DataLossError("bad checkpoint key");
  return std::make_pair(keys::ReadBE64(absl::string_view(it->key().data(), 8)),
                        it->value().ToString());
}

absl::Status Store::Backup(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_->db(), &raw);
  if (!s.ok()) return FromRocks(s, "backup");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // Flushing first makes the copy self-contained without replaying a WAL.
  return FromRocks(checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0),
                   absl::StrCat("backup into ", dir));
}

}  // namespace accord::store
