// Online backup (a RocksDB checkpoint) and restore.
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "broker/store/db.h"
#include "broker/store/store.h"
#include "rocksdb/utilities/checkpoint.h"

namespace accord::store {

namespace fs = std::filesystem;

absl::Status Store::Backup(const std::string& dir) const {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("backup directory ", dir, " already exists"));
  }
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_->db(), &raw);
  if (!s.ok()) return FromRocks(s, "backup");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // Flushing first makes the copy self-contained without replaying a WAL.
  return FromRocks(checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0),
                   absl::StrCat("backup into ", dir));
}

absl::Status Store::RestoreFrom(const std::string& backup_dir,
                                const std::string& data_dir) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(backup_dir) / "CURRENT", ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat(backup_dir, " is not an Accord backup (no CURRENT file)"));
  }
  if (fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to restore over the non-empty directory ", data_dir));
  }
  // Copy next to the target, then rename: a restore that fails half-way
  // leaves no half-restored store behind.
  const fs::path staging = fs::path(data_dir).concat(".restoring");
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (!ec) fs::copy(backup_dir, staging, fs::copy_options::recursive, ec);
  if (!ec) fs::remove(data_dir, ec);  // empty or absent
  if (!ec) fs::rename(staging, data_dir, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return absl::UnavailableError(
        absl::StrCat("restoring ", backup_dir, " into ", data_dir, ": ",
                     ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace accord::store
