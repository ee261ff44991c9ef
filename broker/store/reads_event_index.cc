// Reads of the audit log's query indexes (store/event_indexer.h).
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/store/event_indexer.h"
#include "broker/store/read_util.h"

namespace accord::store {
namespace {

constexpr uint64_t kNone = std::numeric_limits<uint64_t>::max();

// One term's list of log indices, read forward at a snapshot.
class TermList {
 public:
  TermList(const Db& db, const rocksdb::Snapshot* snapshot, std::string prefix)
      : prefix_(std::move(prefix)), upper_(keys::PrefixEnd(prefix_)) {
    rocksdb::ReadOptions options;
    options.snapshot = snapshot;
    upper_slice_ = rocksdb::Slice(upper_);
    options.iterate_upper_bound = &upper_slice_;
    it_.reset(db.db()->NewIterator(options, db.cf(kIndex)));
  }

  // The first index of the list at or after `index`; kNone past its end.
  // Walks forward when that is a step or two away, seeks otherwise.
  uint64_t AtOrAfter(uint64_t index) {
    for (int step = 0; step < 2 && it_->Valid(); ++step) {
      const uint64_t here = Here();
      if (here >= index) return here;
      it_->Next();
    }
    if (!it_->Valid() || Here() < index) {
      std::string key = prefix_;
      keys::AppendBE64(&key, index);
      it_->Seek(key);
    }
    return it_->Valid() ? Here() : kNone;
  }

  absl::Status status() const { return FromRocks(it_->status(), "scan"); }

 private:
  uint64_t Here() const {
    return keys::ReadBE64(
        absl::string_view(it_->key().data() + prefix_.size(), 8));
  }

  std::string prefix_;
  std::string upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// The log index of the first time record at or after `time`, or kNone.
absl::StatusOr<uint64_t> FirstIndexReaching(const Db& db,
                                            const rocksdb::Snapshot* snapshot,
                                            int64_t time) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(
      db.db()->NewIterator(options, db.cf(kIndex)));
  it->Seek(keys::EventTime(time, 0));
  const rocksdb::Slice prefix(keys::kEventTimePrefix.data(),
                              keys::kEventTimePrefix.size());
  if (!it->Valid() || !it->key().starts_with(prefix)) {
    if (absl::Status s = FromRocks(it->status(), "scan"); !s.ok()) return s;
    return kNone;
  }
  if (it->key().size() != keys::kEventTimePrefix.size() + 16) {
    return absl::DataLossError("malformed query index time record");
  }
  return keys::ReadBE64(absl::string_view(
      it->key().data() + keys::kEventTimePrefix.size() + 8, 8));
}

// The lists of the query's indexed filters.
std::vector<std::string> TermPrefixes(const accord::v1::QueryEventsRequest& q) {
  std::vector<std::string> prefixes;
  if (!q.partner().empty())
    prefixes.push_back(keys::EventTermPrefix('a', q.partner()));
  if (!q.dataset_id().empty())
    prefixes.push_back(keys::EventTermPrefix('d', q.dataset_id()));
  if (!q.purpose().empty())
    prefixes.push_back(keys::EventTermPrefix('p', q.purpose()));
  if (q.decision() != 0) {
    prefixes.push_back(keys::EventTermPrefix(
        'o', absl::StrCat(static_cast<int>(q.decision()))));
  }
  if (q.type() != 0) {
    prefixes.push_back(
        keys::EventTermPrefix('t', absl::StrCat(static_cast<int>(q.type()))));
  }
  return prefixes;
}

}  // namespace

absl::StatusOr<EventCandidates> Store::FindEventCandidates(
    const accord::v1::QueryEventsRequest& query, uint64_t from, uint64_t to,
    size_t max) const {
  max = std::max<size_t>(1, max);
  rocksdb::ManagedSnapshot snapshot(db_->db());
  absl::StatusOr<EventIndexState> state =
      ReadEventIndexState(*db_, snapshot.snapshot());
  if (!state.ok()) return state.status();
  EventCandidates out;
  uint64_t at = from;
  const uint64_t indexed_end = std::min(state->indexed, to);
  if (at < indexed_end) {
    // The range of indices whose times can pass since and until.
    uint64_t lo = at;
    uint64_t hi = indexed_end;
    if (query.since() > 0) {
      absl::StatusOr<uint64_t> first =
          FirstIndexReaching(*db_, snapshot.snapshot(), query.since());
      if (!first.ok()) return first.status();
      lo = std::max(lo, std::min(*first, hi));
    }
    if (query.until() > 0 &&
        query.until() < std::numeric_limits<int64_t>::max() - state->max_lag) {
      absl::StatusOr<uint64_t> past = FirstIndexReaching(
          *db_, snapshot.snapshot(), query.until() + state->max_lag + 1);
      if (!past.ok()) return past.status();
      hi = std::min(hi, *past);
    }
    const std::vector<std::string> prefixes = TermPrefixes(query);
    if (prefixes.empty()) {
      // Only since and until, or no indexed filter: the range, in order.
      const bool unfiltered = query.since() == 0 && query.until() == 0;
      for (uint64_t i = lo; i < hi && out.indices.size() < max; ++i) {
        out.indices.push_back(i);
        if (unfiltered) ++out.scanned;
      }
    } else {
      std::vector<TermList> lists;
      lists.reserve(prefixes.size());
      for (const std::string& p : prefixes) {
        lists.emplace_back(*db_, snapshot.snapshot(), p);
      }
      // Leapfrog: every list moves to the largest index any of them is at,
      // until all agree on one.
      uint64_t candidate = lo;
      while (candidate < hi && out.indices.size() < max) {
        bool agree = true;
        for (TermList& list : lists) {
          const uint64_t there = list.AtOrAfter(candidate);
          if (there != candidate) {
            candidate = there;
            agree = false;
            break;
          }
        }
        if (agree) out.indices.push_back(candidate++);
      }
      for (const TermList& list : lists) {
        if (absl::Status s = list.status(); !s.ok()) return s;
      }
    }
    if (out.indices.size() == max) {
      out.next = out.indices.back() + 1;
      return out;
    }
    at = indexed_end;
  }
  // Past the indexes: every entry, in log order.
  for (; at < to && out.indices.size() < max; ++at) {
    out.indices.push_back(at);
    ++out.scanned;
  }
  out.next = at;
  return out;
}

uint64_t Store::EventIndexSize() const {
  return db_->indexer() == nullptr ? 0 : db_->indexer()->indexed();
}

absl::Status Store::EventIndexHealth() const {
  return db_->indexer() == nullptr ? absl::OkStatus()
                                   : db_->indexer()->health();
}

absl::Status Store::WaitForEventIndex(uint64_t size,
                                      absl::Duration timeout) const {
  if (db_->indexer() == nullptr) {
    return absl::FailedPreconditionError(
        "the store was opened read-only: nothing indexes its log");
  }
  return db_->indexer()->WaitFor(size, timeout);
}

}  // namespace accord::store
