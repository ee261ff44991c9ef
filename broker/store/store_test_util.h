#ifndef ACCORD_BROKER_STORE_STORE_TEST_UTIL_H_
#define ACCORD_BROKER_STORE_STORE_TEST_UTIL_H_

// What the store's tests share: a temporary directory, a small audit log,
// sample records, and raw access to a closed store's RocksDB.

#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "broker/auditlog/entry.h"
#include "broker/store/log_appender.h"
#include "broker/store/store.h"
#include "broker/testing/temp_dir.h"
#include "rocksdb/db.h"

namespace accord::store::testing {

using ::accord::testing::TempDir;

// "grant id@revision" of a log entry RecordingAppender made.
inline std::string EntryLabel(absl::StatusOr<std::string> entry) {
  if (!entry.ok()) return entry.status().ToString();
  absl::StatusOr<accord::v1::AuditEvent> event = auditlog::ParseEntry(*entry);
  if (!event.ok()) return event.status().ToString();
  return absl::StrCat(event->grant_id(), "@", event->revision());
}

// A small log for the tests: an entry is the event's encoding (the store's
// indexer reads it), each append stores one level-0 node. It can be told to
// refuse the next append, and counts the batches it saw committed and aborted.
// It records the keyed subjects of each append, and hands out keys
// "key-<n>" padded to 32 bytes.
class RecordingAppender : public LogAppender {
 public:
  using LogAppender::Append;
  absl::StatusOr<LogAppend> Append(
      accord::v1::AuditEvent event,
      const std::vector<KeyedSubject>& subjects) override {
    absl::MutexLock l(&mu_);
    if (fail_next_) {
      fail_next_ = false;
      return absl::InternalError("refused by the test");
    }
    if (!event.subjects().empty()) {
      return absl::InvalidArgumentError("the event names its subjects");
    }
    subjects_.push_back(subjects);
    LogAppend a;
    a.index = next_++;
    a.entry = auditlog::EncodeEntry(event);
    a.nodes.push_back(TreeNode{0, a.index, std::string(32, 'h')});
    return a;
  }
  std::string NewSubjectKey() override {
    absl::MutexLock l(&mu_);
    std::string key = absl::StrCat("key-", keys_made_++);
    key.resize(32, '.');
    return key;
  }
  // The keyed subjects of every append so far, in order.
  std::vector<std::vector<KeyedSubject>> subjects() {
    absl::MutexLock l(&mu_);
    return subjects_;
  }
  void Committed(uint64_t size) override {
    absl::MutexLock l(&mu_);
    if (size != next_) ++mismatches_;
    committed_ = size;
  }
  void Abort() override {
    absl::MutexLock l(&mu_);
    next_ = committed_;
    ++aborts_;
  }
  void FailNext() {
    absl::MutexLock l(&mu_);
    fail_next_ = true;
  }
  uint64_t committed() {
    absl::MutexLock l(&mu_);
    return committed_;
  }
  int aborts() {
    absl::MutexLock l(&mu_);
    return aborts_;
  }
  // Committed() calls whose size was not the size the appends reached.
  int mismatches() {
    absl::MutexLock l(&mu_);
    return mismatches_;
  }

 private:
  absl::Mutex mu_;
  uint64_t next_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t committed_ ABSL_GUARDED_BY(mu_) = 0;
  int aborts_ ABSL_GUARDED_BY(mu_) = 0;
  int mismatches_ ABSL_GUARDED_BY(mu_) = 0;
  bool fail_next_ ABSL_GUARDED_BY(mu_) = false;
  int keys_made_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::vector<KeyedSubject>> subjects_ ABSL_GUARDED_BY(mu_);
};

inline StoreOptions WithLog(LogAppender* log) {
  StoreOptions options;
  options.appender = log;
  return options;
}

inline accord::v1::Dataset MakeDataset(const std::string& id) {
  accord::v1::Dataset d;
  d.set_id(id);
  d.set_title("t");
  d.set_classification(accord::v1::CLASSIFICATION_OPEN);
  d.add_fields("a");
  return d;
}

// Adds to `ws` grant `id` of partner "p" for `dataset_id`, naming
// "alice", issued at `issued_at`, with the audit event that records it.
inline void AddGrant(WriteSet& ws, const std::string& id,
                     const std::string& dataset_id, int64_t issued_at) {
  accord::v1::AuditEvent e;
  e.set_grant_id(id);
  ws.AddAuditEvent(e);
  GrantRecord g;
  g.set_id(id);
  g.set_partner("p");
  g.set_dataset_id(dataset_id);
  g.add_subjects("alice");
  g.set_issued_at(issued_at);
  ws.PutGrant(g);
}

// Opens the closed store at `path` with plain RocksDB and calls
// `edit(db, family)`, where `family(name)` is the handle of a column family:
// changes made behind the store's back. False when RocksDB cannot open it.
inline bool EditRaw(
    const std::string& path,
    const std::function<void(rocksdb::DB*,
                             const std::function<rocksdb::ColumnFamilyHandle*(
                                 const std::string&)>&)>& edit) {
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, path, &names).ok())
    return false;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& n : names)
    families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(options, path, families, &handles, &db).ok())
    return false;
  edit(db, [&](const std::string& name) -> rocksdb::ColumnFamilyHandle* {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return handles[i];
    }
    return nullptr;
  });
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  return true;
}

}  // namespace accord::store::testing

#endif  // ACCORD_BROKER_STORE_STORE_TEST_UTIL_H_
