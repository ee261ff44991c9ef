// Online backup (a RocksDB checkpoint) and restore.
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "broker/store/db.h"
#include "broker/store/store.h"
#include "rocksdb/utilities/checkpoint.h"

namespace accord::store {

namespace fs = std::filesystem;

namespace {

// Mode 0700 for `dir` and the directories under it, 0600 for the files.
// Table files may be hard links to the live store's: those become 0600
// too, which the broker's own files should be anyway.
absl::Status MakePrivate(const std::string& dir) {
  std::error_code ec;
  fs::permissions(dir, fs::perms::owner_all, ec);
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const bool is_dir = it->is_directory(ec);
    if (ec) break;
    fs::permissions(it->path(),
                    is_dir ? fs::perms::owner_all
                           : fs::perms::owner_read | fs::perms::owner_write,
                    ec);
    if (ec) break;
  }
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "backup into ", dir, ": cannot restrict permissions: ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Store::Backup(const std::string& dir) const {
  if (db_->in_memory()) {
    return absl::FailedPreconditionError(
        "the store is in memory: it has no files to back up");
  }
  std::error_code ec;
  if (dir.empty() || fs::exists(dir, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("backup directory ", dir, " already exists"));
  }
  // mkdtemp creates the staging directory with mode 0700: the checkpoint's
  // files are private from their creation on, whatever the umask.
  std::string staging = fs::path(dir).lexically_normal().string();
  while (!staging.empty() && staging.back() == '/') staging.pop_back();
  staging += ".staging-XXXXXX";
  if (mkdtemp(staging.data()) == nullptr) {
    return absl::UnavailableError(absl::StrCat(
        "backup into ", dir,
        ": cannot create a staging directory: ", std::strerror(errno)));
  }
  const std::string inner = staging + "/backup";
  absl::Status s = Checkpoint(inner);
  if (s.ok()) s = MakePrivate(inner);
  if (s.ok()) {
    fs::rename(inner, dir, ec);
    if (ec) {
      s = absl::UnavailableError(
          absl::StrCat("backup into ", dir, ": ", ec.message()));
    }
  }
  std::error_code ignored;
  fs::remove_all(staging, ignored);
  return s;
}

absl::Status Store::Checkpoint(const std::string& dir) const {
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
    return absl::UnavailableError(absl::StrCat(
        "restoring ", backup_dir, " into ", data_dir, ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace accord::store
