// Upgrades of the storage format, run at open before any other access.
#include <memory>

#include "absl/strings/str_cat.h"
#include "broker/store/db.h"
#include "broker/store/keys.h"

namespace accord::store {
namespace {

constexpr size_t kOpsPerBatch = 1000;

// Writes `batch` synced and clears it.
absl::Status Flush(rocksdb::DB* db, rocksdb::WriteBatch& batch) {
  if (batch.Count() == 0) return absl::OkStatus();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  absl::Status s = FromRocks(db->Write(sync, &batch), "upgrading the store");
  batch.Clear();
  return s;
}

// The part of `key` after its `n`-th 0 byte (npos when it has fewer).
size_t AfterSeparator(absl::string_view key, int n) {
  size_t pos = 0;
  for (int i = 0; i < n; ++i) {
    pos = key.find('\0', pos);
    if (pos == absl::string_view::npos) return pos;
    ++pos;
  }
  return pos;
}

}  // namespace

// Format 1 -> 2. Format 1 indexed each consent under 'D' dataset 0
// subject 0 consent id, with no value, and a subject's grants twice, the
// second time as 'E' subject 0 dataset 0 be64(issued_at) grant id. Format 2
// keeps one ConsentList per (dataset, subject) and the dataset in the 'G'
// entry. A subject's list is written with the removal of its format 1
// entries, and the version last: an upgrade cut short runs again at the
// next open.
absl::Status Db::UpgradeFrom1() {
  rocksdb::ReadOptions options;
  options.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(options, handles_[kIndex]));
  rocksdb::WriteBatch batch;
  std::string list_key;  // the list being gathered
  ConsentList list;
  const auto put_list = [&]() -> absl::Status {
    if (list_key.empty()) return absl::OkStatus();
    batch.Put(handles_[kIndex], list_key, list.SerializeAsString());
    list.Clear();
    list_key.clear();
    if (batch.Count() < kOpsPerBatch) return absl::OkStatus();
    return Flush(db_.get(), batch);
  };
  for (it->Seek("D"); it->Valid() && it->key().starts_with("D"); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    const size_t id = AfterSeparator(key, 2);
    if (id == absl::string_view::npos) continue;  // a list already upgraded
    const absl::string_view prefix = key.substr(0, id - 1);
    if (prefix != list_key) {
      if (absl::Status s = put_list(); !s.ok()) return s;
      list_key = std::string(prefix);
    }
    auto record = Get(kConsents, key.substr(id));
    if (!record.ok() || !list.add_consents()->ParseFromString(*record)) {
      return absl::DataLossError(
          absl::StrCat("upgrade: the consent index names consent '",
                       key.substr(id), "', which cannot be read"));
    }
    batch.Delete(handles_[kIndex], it->key());
  }
  if (absl::Status s = put_list(); !s.ok()) return s;
  for (it->Seek("E"); it->Valid() && it->key().starts_with("E"); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    const size_t dataset = AfterSeparator(key, 1);
    const size_t time = AfterSeparator(key, 2);
    if (time == absl::string_view::npos || key.size() < time + 8) {
      return absl::DataLossError("upgrade: malformed grant index entry");
    }
    const absl::string_view subject = key.substr(1, dataset - 2);
    const auto issued_at =
        static_cast<int64_t>(keys::ReadBE64(key.substr(time)));
    const absl::string_view dataset_id =
        key.substr(dataset, time - 1 - dataset);
    batch.Put(handles_[kIndex],
              keys::GrantBySubject(subject, issued_at, key.substr(time + 8)),
              rocksdb::Slice(dataset_id.data(), dataset_id.size()));
    batch.Delete(handles_[kIndex], it->key());
    if (batch.Count() >= kOpsPerBatch) {
      if (absl::Status s = Flush(db_.get(), batch); !s.ok()) return s;
    }
  }
  if (absl::Status s = FromRocks(it->status(), "upgrade scan"); !s.ok())
    return s;
  batch.Put(handles_[kMeta], std::string(keys::kFormatVersion), "2");
  return Flush(db_.get(), batch);
}

// Format 2 -> 3. Format 3 adds the subjects' commitment keys (index 'C',
// created as subjects are named) and writes version 2 log entries, which
// name no pseudonym. Nothing stored is rewritten: the version 1 entries
// already in the log stay as they are (rewriting them would break every
// checkpoint published since), and still verify. The version is bumped so
// that an older broker, which would write pseudonyms into the log again,
// refuses the store.
absl::Status Db::UpgradeFrom2() {
  rocksdb::WriteBatch batch;
  batch.Put(handles_[kMeta], std::string(keys::kFormatVersion), "3");
  return Flush(db_.get(), batch);
}

// Format 3 -> 4. Format 4 counts a consent's events in its record
// (Consent.earlier_events of the record without its events, in the
// consents family and in the subject's list), so that a change appends its
// events without reading the earlier ones. Each list is rewritten with its
// records, counted; the version last: an upgrade cut short runs again at
// the next open and counts again.
absl::Status Db::UpgradeFrom3() {
  rocksdb::ReadOptions options;
  options.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> lists(
      db_->NewIterator(options, handles_[kIndex]));
  std::unique_ptr<rocksdb::Iterator> events(
      db_->NewIterator(options, handles_[kConsentEvents]));
  rocksdb::WriteBatch batch;
  for (lists->Seek("D"); lists->Valid() && lists->key().starts_with("D");
       lists->Next()) {
    ConsentList list;
    if (!list.ParseFromArray(lists->value().data(),
                             static_cast<int>(lists->value().size()))) {
      return absl::DataLossError("upgrade: unreadable consent list");
    }
    for (accord::v1::Consent& c : *list.mutable_consents()) {
      const std::string prefix = keys::ConsentEventPrefix(c.id());
      uint32_t n = 0;
      for (events->Seek(prefix);
           events->Valid() && events->key().starts_with(prefix);
           events->Next()) {
        ++n;
      }
      if (absl::Status s = FromRocks(events->status(), "upgrade scan");
          !s.ok()) {
        return s;
      }
      c.set_earlier_events(n);
      batch.Put(handles_[kConsents], c.id(), c.SerializeAsString());
    }
    batch.Put(handles_[kIndex], lists->key(), list.SerializeAsString());
    if (batch.Count() >= kOpsPerBatch) {
      if (absl::Status s = Flush(db_.get(), batch); !s.ok()) return s;
    }
  }
  if (absl::Status s = FromRocks(lists->status(), "upgrade scan"); !s.ok()) {
    return s;
  }
  batch.Put(handles_[kMeta], std::string(keys::kFormatVersion), "4");
  return Flush(db_.get(), batch);
}

}  // namespace accord::store
