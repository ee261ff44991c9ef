#include "broker/store/event_indexer.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/entry.h"
#include "broker/auditlog/event_filter.h"
#include "broker/store/grant_index.h"
#include "broker/store/keys.h"

namespace accord::store {
namespace {

// Entries per indexing batch: large enough to amortize a write, small
// enough that Close and the commit path never wait long behind one.
constexpr uint64_t kBatchEntries = 1024;
// How long the thread waits for a whole batch before it indexes what it has.
constexpr absl::Duration kBatchWait = absl::Milliseconds(20);

std::string EncodeState(const EventIndexState& s) {
  std::string out;
  keys::AppendBE64(&out, s.indexed);
  keys::AppendBE64(&out, static_cast<uint64_t>(s.max_time));
  keys::AppendBE64(&out, static_cast<uint64_t>(s.max_lag));
  return out;
}

using Entry = std::pair<std::string, std::string>;

// The query index keys of the entry at `index`, appended to `out`.
void AddTermKeys(uint64_t index, const auditlog::EventTerms& terms,
                 std::vector<Entry>& out) {
  for (const std::string& p : terms.partners) {
    out.emplace_back(keys::EventTerm('a', p, index), "");
  }
  if (!terms.dataset_id.empty()) {
    out.emplace_back(keys::EventTerm('d', terms.dataset_id, index), "");
  }
  for (const std::string& p : terms.purposes) {
    out.emplace_back(keys::EventTerm('p', p, index), "");
  }
  if (terms.decision != 0) {
    out.emplace_back(keys::EventTerm('o', absl::StrCat(terms.decision), index),
                     "");
  }
  if (terms.type != 0) {
    out.emplace_back(keys::EventTerm('t', absl::StrCat(terms.type), index), "");
  }
}

}  // namespace

absl::StatusOr<EventIndexState> ReadEventIndexState(
    const Db& db, const rocksdb::Snapshot* snapshot) {
  absl::StatusOr<std::string> raw =
      db.Get(kMeta, keys::kEventIndexState, snapshot);
  if (absl::IsNotFound(raw.status())) return EventIndexState();
  if (!raw.ok()) return raw.status();
  if (raw->size() != 24) {
    return absl::DataLossError("malformed query index progress record");
  }
  EventIndexState s;
  s.indexed = keys::ReadBE64(*raw);
  s.max_time = static_cast<int64_t>(keys::ReadBE64(raw->substr(8)));
  s.max_lag = static_cast<int64_t>(keys::ReadBE64(raw->substr(16)));
  return s;
}

EventIndexer::EventIndexer(const Db& db, uint64_t log_size) : db_(db) {
  target_ = log_size;
  thread_ = std::thread([this] { Run(); });
}

EventIndexer::~EventIndexer() { Close(); }

void EventIndexer::Advance(uint64_t size) {
  absl::MutexLock l(&mu_);
  target_ = std::max(target_, size);
}

uint64_t EventIndexer::indexed() const {
  absl::MutexLock l(&mu_);
  return indexed_;
}

absl::Status EventIndexer::health() const {
  absl::MutexLock l(&mu_);
  return health_;
}

absl::Status EventIndexer::WaitFor(uint64_t size,
                                   absl::Duration timeout) const {
  absl::MutexLock l(&mu_);
  auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return indexed_ >= size || stopped_ || closing_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  if (indexed_ >= size) return absl::OkStatus();
  if (stopped_) return health_;
  if (closing_) return absl::UnavailableError("the store is closed");
  return absl::DeadlineExceededError(absl::StrCat(
      "the query indexes hold ", indexed_, " of ", size, " log entries"));
}

void EventIndexer::Close() {
  {
    absl::MutexLock l(&mu_);
    closing_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void EventIndexer::Run() {
  absl::StatusOr<EventIndexState> state = ReadEventIndexState(db_, nullptr);
  {
    absl::MutexLock l(&mu_);
    if (!state.ok()) {
      health_ = state.status();
      stopped_ = true;
      return;
    }
    indexed_ = state->indexed;
  }
  while (true) {
    uint64_t end = 0;
    {
      absl::MutexLock l(&mu_);
      auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return closing_ || target_ > indexed_;
      };
      mu_.Await(absl::Condition(&ready));
      // A few entries at a time would cost a write and an iterator each:
      // wait a little for a batch's worth (readers see the rest of the log
      // anyway, past the indexes).
      auto batch_ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return closing_ || target_ >= indexed_ + kBatchEntries;
      };
      mu_.AwaitWithTimeout(absl::Condition(&batch_ready), kBatchWait);
      if (closing_) return;
      end = std::min(target_, indexed_ + kBatchEntries);
    }
    absl::Status s;
    {
      absl::MutexLock batch(&batch_mu_);
      s = IndexBatch(*state, end);
    }
    absl::MutexLock l(&mu_);
    if (s.ok()) {
      indexed_ = state->indexed;
      health_ = absl::OkStatus();
      continue;
    }
    health_ = s;
    if (absl::IsDataLoss(s)) {
      stopped_ = true;
      return;
    }
    // An I/O error (a full disk): try again in a second, or stop.
    auto closing = [&]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return closing_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&closing), absl::Seconds(1))) {
      return;
    }
  }
}

absl::Status EventIndexer::IndexBatch(EventIndexState& state,
                                      uint64_t end) const {
  EventIndexState next = state;
  std::vector<Entry> entries;
  const std::string first = keys::BE64(state.indexed);
  const std::string last = keys::BE64(end);
  rocksdb::Slice upper(last);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(
      db_.db()->NewIterator(options, db_.cf(kAuditLeaves)));
  for (it->Seek(first); it->Valid(); it->Next()) {
    const uint64_t index =
        keys::ReadBE64(absl::string_view(it->key().data(), it->key().size()));
    if (index != next.indexed) break;
    // Not checked as canonical here: a query checks every entry it
    // returns (auditlog::DecodeEntry).
    absl::StatusOr<accord::v1::AuditEvent> event = auditlog::ParseEntry(
        absl::string_view(it->value().data(), it->value().size()));
    if (!event.ok()) {
      return absl::DataLossError(absl::StrCat(
          "log entry ", index, " does not decode, the query ",
          "and grant indexes stop before it: ", event.status().message()));
    }
    AddTermKeys(index, auditlog::TermsOf(*event), entries);
    absl::StatusOr<std::optional<GrantRecord>> grant =
        GrantIssuedBy(db_, index, *event, nullptr);
    if (!grant.ok()) return grant.status();
    if (grant->has_value()) {
      for (Entry& e : GrantIndexEntries(**grant))
        entries.push_back(std::move(e));
    }
    const int64_t time = std::max<int64_t>(0, event->time());
    if (index == 0 || time > next.max_time) {
      next.max_time = time;
      entries.emplace_back(keys::EventTime(time, index), "");
    } else {
      next.max_lag = std::max(next.max_lag, next.max_time - time);
    }
    ++next.indexed;
  }
  if (absl::Status s = FromRocks(it->status(), "reading the log to index it");
      !s.ok()) {
    return s;
  }
  if (next.indexed != end) {
    return absl::DataLossError(
        absl::StrCat("log entry ", next.indexed,
                     " is missing, the query and grant indexes "
                     "stop before it"));
  }
  // In key order, so the memtable takes each list's keys in ascending
  // order (store/sorted_batch.h says why).
  std::sort(entries.begin(), entries.end());
  rocksdb::WriteBatch batch;
  rocksdb::ColumnFamilyHandle* cf = db_.cf(kIndex);
  for (const Entry& e : entries) batch.Put(cf, e.first, e.second);
  batch.Put(db_.cf(kMeta), std::string(keys::kEventIndexState),
            EncodeState(next));
  if (absl::Status s = FromRocks(
          db_.db()->Write(rocksdb::WriteOptions(), &batch), "query index");
      !s.ok()) {
    return s;
  }
  state = next;
  return absl::OkStatus();
}

}  // namespace accord::store
