// Store: opening, the write path's entry points and the lifecycle. Reads
// are in reads_*.cc, backup and restore in backup.cc.
#include "broker/store/store.h"

#include <future>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "broker/store/db.h"
#include "broker/store/keys.h"
#include "rocksdb/write_batch.h"

namespace accord::store {

Store::Store(std::unique_ptr<Db> db) : db_(std::move(db)) {}
Store::~Store() { Close(); }

absl::StatusOr<std::unique_ptr<Store>> Store::Open(
    const std::string& path, const StoreOptions& options) {
  auto db = Db::Open(path, options);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Store>(new Store(*std::move(db)));
}

void Store::SetLogAppender(LogAppender* appender) {
  db_->SetAppender(appender);
}

void Store::Commit(
    WriteSet ws, absl::AnyInvocable<void(absl::StatusOr<CommitResult>)> done) {
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

void Store::Close() { db_->Close(); }

uint64_t Store::revision() const { return db_->revision(); }

void Store::WhenRevision(uint64_t rev, absl::Time deadline,
                         absl::AnyInvocable<void(absl::Status)> done) const {
  db_->waiters().Wait(rev, deadline, std::move(done));
}

size_t Store::waiting_for_revision() const { return db_->waiters().waiting(); }

absl::Status Store::WaitForRevision(uint64_t rev,
                                    absl::Duration timeout) const {
  auto outcome =
      std::make_shared<std::pair<absl::Notification, absl::Status>>();
  WhenRevision(rev, absl::Now() + timeout, [outcome](absl::Status s) {
    outcome->second = std::move(s);
    outcome->first.Notify();
  });
  outcome->first.WaitForNotification();
  return outcome->second;
}

absl::Status Store::Health() const { return db_->health(); }

absl::Duration Store::OldestWriteWait() const { return db_->OldestWriteWait(); }

absl::StatusOr<uint64_t> Store::FreeBytes() const { return db_->FreeBytes(); }

uint64_t Store::min_free_bytes() const { return db_->min_free_bytes(); }

absl::StatusOr<std::string> Store::GetSetting(absl::string_view name) const {
  auto value = db_->Get(kMeta, keys::Setting(name));
  if (absl::IsNotFound(value.status())) {
    return absl::NotFoundError(
        absl::StrCat("setting ", name, " is not recorded in the store"));
  }
  return value;
}

absl::Status Store::RecordSettings(
    absl::Span<const std::pair<std::string, std::string>> settings) {
  if (db_->read_only()) {
    return absl::FailedPreconditionError(
        "the store is open read-only: settings cannot be recorded");
  }
  rocksdb::WriteBatch batch;
  for (const auto& [name, value] : settings) {
    batch.Put(db_->cf(kMeta), keys::Setting(name), value);
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocks(db_->db()->Write(sync, &batch), "recording settings");
}

}  // namespace accord::store
