#include <algorithm>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/store/db.h"
#include "broker/store/event_indexer.h"
#include "broker/store/keys.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_buffer_manager.h"

namespace accord::store {
namespace {

namespace fs = std::filesystem;

const char* const kFamilyNames[kFamilyCount] = {
    "default",  // rocksdb::kDefaultColumnFamilyName, known at compile time
    "datasets",    "policies",   "consents",     "consent_events",
    "grants",      "index",      "audit_leaves", "audit_hashes",
    "checkpoints", "principals", "meta",
};

rocksdb::ColumnFamilyOptions FamilyOptions(
    const std::shared_ptr<rocksdb::Cache>& cache, bool index) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Index and filter blocks live with their open table files, outside the
  // block cache. In the cache, the memtables charged to it crowded them
  // out, and each point read fetched and checksummed them again from every
  // file it consulted: a grant's CPU grew from 180 to over 1,000 us within
  // 16 s of load (accord-bench --scenarios grant-personal-10 --rounds 8
  // --duration 2); outside it, 180-260 us over the same run.
  table.cache_index_and_filter_blocks = false;
  rocksdb::ColumnFamilyOptions cf;
  if (index) {
    // A decision's point read per subject skips, by these filters, the
    // files and memtables that hold only grant index entries.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    cf.memtable_prefix_bloom_size_ratio = 0.05;
    cf.memtable_whole_key_filtering = true;
  }
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.write_buffer_size = 16 << 20;
  // Level sizes follow the last level's: on a store of 10 million log
  // entries, the open-loop grant p99 right after a closed-loop run fell
  // from 18.9-25.2 ms to 1.7-3.8 ms (three runs each, tests/bench/README.md,
  // Scale). A store made without it gets its levels re-based by later
  // compactions.
  cf.level_compaction_dynamic_level_bytes = true;
  // Table files of 16 MiB instead of 64: smaller compactions. On the same
  // store, the closed-loop p99 of the second run fell from 45-52 ms to
  // 36-38 ms (1.37-1.45x the empty store's instead of 1.64-2.02x).
  cf.target_file_size_base = 16 << 20;
  // Fresh data is rewritten by compaction soon: compress from level 2 on.
  cf.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression,
                              rocksdb::kSnappyCompression};
  return cf;
}

}  // namespace

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string msg = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  return absl::UnavailableError(msg);
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path,
                                             const StoreOptions& options) {
  std::error_code ec;
  // An in-memory store is new at every open: nothing on disk is looked at.
  const bool existed =
      !options.in_memory && fs::exists(path, ec) && !fs::is_empty(path, ec);
  if (existed && !fs::exists(fs::path(path) / "CURRENT", ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " is not empty and holds no Accord store; refusing to use it"));
  }
  if (!existed && !options.create_if_missing) {
    return absl::NotFoundError(absl::StrCat(
        options.in_memory ? "an in-memory store starts empty: no store at "
                          : "no store at ",
        path));
  }
  if (options.in_memory && options.read_only) {
    return absl::InvalidArgumentError(
        "an in-memory store starts empty: it cannot be opened read-only");
  }
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::DBOptions db_options;
  // Memtables are charged to the block cache: one memory budget in all.
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(
          options.block_cache_bytes / 2, cache);
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = !existed;
  db_options.max_background_jobs = 2;
  db_options.enable_pipelined_write = true;
  db_options.paranoid_checks = true;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.keep_log_file_num = 4;
  // No preallocated WAL space: a full disk then fails the write that meets
  // it, with an error its caller sees, rather than a later background flush.
  db_options.allow_fallocate = false;
  // Small families (meta is written by every batch) rarely fill a memtable,
  // and the write-ahead log is kept until they flush: without a cap it grows
  // to 4x the sum of all write buffers (1.5 GB), and the next start replays
  // all of it (11 s on a store of 10 million log entries). The cap flushes
  // them instead, so a restart replays at most this much.
  db_options.max_total_wal_size = 64ull << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (size_t f = 0; f < kFamilyCount; ++f) {
    families.emplace_back(kFamilyNames[f], FamilyOptions(cache, f == kIndex));
  }
  if (existed) {
    // A directory whose column families differ from ours is not ours.
    std::vector<std::string> names;
    rocksdb::Status s =
        rocksdb::DB::ListColumnFamilies(db_options, path, &names);
    if (!s.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " is not a readable Accord store: ", s.ToString()));
    }
    for (size_t f = 1; f < kFamilyCount; ++f) {
      if (std::find(names.begin(), names.end(), kFamilyNames[f]) ==
          names.end()) {
        return absl::FailedPreconditionError(absl::StrCat(
            path, " has no '", kFamilyNames[f],
            "' column family: a RocksDB database of another program, or an "
            "Accord store whose MANIFEST is damaged"));
      }
    }
  }
  auto db = std::make_unique<Db>();
  db->read_only_ = options.read_only;
  db->on_write_health_ = options.on_write_health;
  db->on_commit_ = options.on_commit;
  db->path_ = path;
  // No file system to run out of: the free-space reserve does not apply.
  db->min_free_bytes_ = options.in_memory ? 0 : options.min_free_bytes;
  // Where RocksDB keeps the files: `path`, or in memory under an absolute
  // name (the in-memory environment takes no relative one).
  std::string files = path;
  if (options.in_memory) {
    db->mem_env_.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    db_options.env = db->mem_env_.get();
    if (files.empty()) files = "in-memory";
    if (files[0] != '/') files = absl::StrCat("/", files);
  }
  db->SetAppender(options.appender);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, files, families,
                                         &db->handles_, &raw)
          : rocksdb::DB::Open(db_options, files, families, &db->handles_, &raw);
  if (!s.ok()) {
    if (s.IsCorruption()) {
      return absl::DataLossError(
          absl::StrCat("the store at ", path, " is corrupted: ", s.ToString()));
    }
    return FromRocks(s, absl::StrCat("cannot open the store at ", path));
  }
  db->db_.reset(raw);
  if (absl::Status st = db->CheckFormat(!existed); !st.ok()) return st;
  db->waiters_ = std::make_unique<RevisionWaiters>(
      db->revision(), std::max<size_t>(1, options.max_revision_waiters));
  if (!db->read_only_) {
    db->indexer_ = std::make_unique<EventIndexer>(*db, db->log_size());
    db->writer_ = std::thread([d = db.get()] { d->WriterLoop(); });
  }
  return db;
}

absl::Status Db::CheckFormat(bool created) {
  if (created) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    rocksdb::Status s =
        db_->Put(sync, handles_[kMeta], std::string(keys::kFormatVersion),
                 absl::StrCat(kFormatVersion));
    return FromRocks(s, "writing the storage format version");
  }
  auto version = Get(kMeta, keys::kFormatVersion);
  if (!version.ok()) {
    return absl::FailedPreconditionError(
        "the store has no storage format version: not an Accord store");
  }
  int v = 0;
  if (!absl::SimpleAtoi(*version, &v) || v < 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("unknown storage format version '", *version, "'"));
  }
  if (v > kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "storage format version ", v, " is newer than this broker supports (",
        kFormatVersion, "); use a newer accord-broker"));
  }
  if (v < kFormatVersion) {
    if (read_only_) {
      return absl::FailedPreconditionError(absl::StrCat(
          "storage format version ", v, " is older than this broker's (",
          kFormatVersion, "); start the broker on it once to upgrade it"));
    }
    if (v < 2) {
      if (absl::Status s = UpgradeFrom1(); !s.ok()) return s;
    }
    if (v < 3) {
      if (absl::Status s = UpgradeFrom2(); !s.ok()) return s;
    }
    if (absl::Status s = UpgradeFrom3(); !s.ok()) return s;
  }
  auto revision = Get(kMeta, keys::kRevision);
  if (revision.ok() && revision->size() == 8) {
    revision_.store(keys::ReadBE64(*revision));
  }
  auto log_size = Get(kMeta, keys::kLogSize);
  if (log_size.ok() && log_size->size() == 8) {
    log_size_.store(keys::ReadBE64(*log_size));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Db::Get(Family f, absl::string_view key,
                                    const rocksdb::Snapshot* snapshot) const {
  std::string value;
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  rocksdb::Status s = db_->Get(options, handles_[f],
                               rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return absl::NotFoundError("not found");
  if (!s.ok()) return FromRocks(s, "read");
  return value;
}

}  // namespace accord::store
