#ifndef ACCORD_BROKER_STORE_READ_UTIL_H_
#define ACCORD_BROKER_STORE_READ_UTIL_H_

// Helpers shared by the read paths: record parsing, cursors, prefix scans
// and paging. Only store/*.cc include this header.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "broker/store/db.h"
#include "broker/store/keys.h"
#include "broker/store/store.h"
#include "rocksdb/db.h"

namespace accord::store {

inline constexpr size_t kMaxLimit = 1000;

// 0 or too large means the largest page.
inline size_t ClampLimit(size_t limit) {
  return (limit == 0 || limit > kMaxLimit) ? kMaxLimit : limit;
}

// Parses a stored record. NOT_FOUND (naming `what` and `id`) when `bytes`
// is NOT_FOUND; DATA_LOSS when the bytes do not parse.
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
    return absl::DataLossError(
        absl::StrCat("unreadable ", what, " '", id, "'"));
  }
  return record;
}

// A cursor is the last key of the page it ends, URL-safe base64.
std::string EncodeCursor(absl::string_view key);
// The key inside `cursor`; INVALID_ARGUMENT unless it is a key under
// `prefix` (a cursor of another list, subject or dataset is refused).
absl::StatusOr<std::string> DecodeCursor(absl::string_view cursor,
                                         absl::string_view prefix);

// Visits the keys of `f` that start with `prefix` and come after `after`
// (all of them when empty), in key order, at `snapshot` (if not null);
// `visit(key, value)` returns false to stop. Returns the iterator's status.
template <typename Visit>
absl::Status Scan(const Db& db, Family f, absl::string_view prefix,
                  absl::string_view after, const rocksdb::Snapshot* snapshot,
                  Visit visit) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  const std::string end = keys::PrefixEnd(prefix);
  rocksdb::Slice upper(end);
  if (!end.empty()) options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(
      db.db()->NewIterator(options, db.cf(f)));
  const rocksdb::Slice first =
      after.empty() ? rocksdb::Slice(prefix.data(), prefix.size())
                    : rocksdb::Slice(after.data(), after.size());
  it->Seek(first);
  if (!after.empty() && it->Valid() && it->key() == first) it->Next();
  const rocksdb::Slice p(prefix.data(), prefix.size());
  for (; it->Valid() && it->key().starts_with(p); it->Next()) {
    if (!visit(absl::string_view(it->key().data(), it->key().size()),
               absl::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scan");
}

// One page of the records under `prefix`, after `cursor`, from the entries
// `scan(after, snapshot, visit)` visits in key order (as Scan does), where
// `load(key, value, snapshot)` returns the record (StatusOr<T>) of an
// entry. The first error of `load` ends the listing and is returned.
template <typename T, typename ScanFn, typename Load>
absl::StatusOr<Page<T>> ListOf(const Db& db, absl::string_view prefix,
                               absl::string_view cursor, size_t limit,
                               ScanFn scan, Load load) {
  limit = ClampLimit(limit);
  std::string after;
  if (!cursor.empty()) {
    absl::StatusOr<std::string> key = DecodeCursor(cursor, prefix);
    if (!key.ok()) return key.status();
    after = *std::move(key);
  }
  rocksdb::ManagedSnapshot snapshot(db.db());
  Page<T> page;
  absl::Status error;
  std::string last;
  bool more = false;
  absl::Status s = scan(after, snapshot.snapshot(),
                        [&](absl::string_view key, absl::string_view value) {
                          if (page.records.size() == limit) {
                            more = true;
                            return false;
                          }
                          absl::StatusOr<T> record =
                              load(key, value, snapshot.snapshot());
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

// ListOf over the stored entries of `f`.
template <typename T, typename Load>
absl::StatusOr<Page<T>> List(const Db& db, Family f, absl::string_view prefix,
                             absl::string_view cursor, size_t limit,
                             Load load) {
  return ListOf<T>(
      db, prefix, cursor, limit,
      [&](absl::string_view after, const rocksdb::Snapshot* snapshot,
          auto visit) { return Scan(db, f, prefix, after, snapshot, visit); },
      load);
}

}  // namespace accord::store

#endif  // ACCORD_BROKER_STORE_READ_UTIL_H_
