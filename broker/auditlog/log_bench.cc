// Micro-benchmarks of the audit log: append throughput, inclusion proof
// generation in a 10-million-entry tree, offline recomputation rate, the
// per-entry cost of event queries and the broker's startup check.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/commitment.h"
#include "broker/auditlog/entry.h"
#include "broker/auditlog/event_filter.h"
#include "broker/auditlog/frontier.h"
#include "broker/auditlog/log.h"
#include "broker/auditlog/merkle.h"
#include "broker/auditlog/stored_log_check.h"
#include "broker/auditlog/verify.h"

namespace accord::auditlog {
namespace {

accord::v1::AuditEvent SampleEvent(uint64_t i) {
  accord::v1::AuditEvent e;
  e.set_type(accord::v1::EVENT_TYPE_DECISION);
  e.set_time(1726500000 + static_cast<int64_t>(i / 1000));
  e.set_actor("partner:univ-rennes-2");
  e.set_dataset_id("rennes.mobility.bike-trips");
  e.set_purpose("research-and-development.academic-research");
  e.set_decision(accord::v1::OUTCOME_PERMIT);
  e.set_grant_id(absl::StrCat("g-", i));
  e.set_revision(i + 1);
  (*e.mutable_detail())["fields"] = "start,end,duration";
  // One subject, as a version 2 entry holds it: a commitment.
  if (!CommitSubjects({{"ps-4f1c2a", std::string(kSubjectKeyBytes, 'k')}},
                      std::string(kCommitmentSaltBytes, 's'), &e)
           .ok()) {
    std::abort();
  }
  return e;
}

// Appends in batches of 64 events per commit, as the store's writer would.
void BM_Append(benchmark::State& state) {
  Log log{Frontier()};
  accord::v1::AuditEvent event = SampleEvent(0);
  uint64_t i = 0;
  for (auto _ : state) {
    event.set_revision(i + 1);  // the caller's event is built elsewhere
    // The writer hands the subject with its key: the append computes the
    // commitment under a fresh salt.
    absl::StatusOr<store::LogAppend> a =
        log.Append(event, {{"ps-4f1c2a", std::string(kSubjectKeyBytes, 'k')}});
    benchmark::DoNotOptimize(a);
    if (++i % 64 == 0) log.Committed(i);
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_Append);

// A stored tree whose leaf hashes are derived from the index (so they need
// no memory) and whose interior nodes are held in memory: 10 million leaves
// take about 320 MB.
class SyntheticTree : public NodeSource {
 public:
  explicit SyntheticTree(uint64_t size) : size_(size) {
    Frontier f;
    for (uint64_t i = 0; i < size; ++i) {
      for (const auditlog::Node& n : f.Append(Leaf(i))) {
        if (n.level == 0) continue;
        if (levels_.size() < n.level) levels_.resize(n.level);
        levels_[n.level - 1].push_back(n.hash);
      }
    }
  }
  static Hash Leaf(uint64_t i) {
    char buf[8];
    for (int b = 7; b >= 0; --b, i >>= 8) buf[b] = static_cast<char>(i & 0xff);
    return HashLeaf(absl::string_view(buf, 8));
  }
  absl::StatusOr<std::string> Node(uint8_t level, uint64_t index) override {
    if (level == 0) {
      if (index >= size_) return absl::NotFoundError("no leaf");
      return HashToBytes(Leaf(index));
    }
    if (level > levels_.size() || index >= levels_[level - 1].size()) {
      return absl::NotFoundError("no node");
    }
    return HashToBytes(levels_[level - 1][index]);
  }
  absl::StatusOr<std::string> Entry(uint64_t) override {
    return absl::UnimplementedError("no entries");
  }
  uint64_t Size() override { return size_; }

 private:
  uint64_t size_;
  std::vector<std::vector<Hash>> levels_;
};

constexpr uint64_t kSize = 10'000'000;

SyntheticTree* Tree10M() {
  static SyntheticTree* tree = new SyntheticTree(kSize);
  return tree;
}

void BM_InclusionProof10M(benchmark::State& state) {
  SyntheticTree* tree = Tree10M();
  uint64_t index = 12345;
  for (auto _ : state) {
    index = (index * 6364136223846793005ULL + 1442695040888963407ULL);
    absl::StatusOr<Proof> p = InclusionProof(*tree, index % kSize, kSize);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_InclusionProof10M)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProof10M(benchmark::State& state) {
  SyntheticTree* tree = Tree10M();
  uint64_t x = 777;
  for (auto _ : state) {
    x = (x * 6364136223846793005ULL + 1442695040888963407ULL);
    absl::StatusOr<Proof> p = ConsistencyProof(*tree, 1 + x % kSize, kSize);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_ConsistencyProof10M)->Unit(benchmark::kMicrosecond);

// Recomputes the tree of 1 million realistic entries (about 150 bytes each)
// and checks it against the checkpoint of the whole log.
void BM_VerifyRecompute(benchmark::State& state) {
  constexpr uint64_t kEntries = 1'000'000;
  static std::vector<std::string>* entries = [] {
    auto* out = new std::vector<std::string>();
    out->reserve(kEntries);
    for (uint64_t i = 0; i < kEntries; ++i) {
      out->push_back(EncodeEntry(SampleEvent(i)));
    }
    return out;
  }();
  Frontier f;
  for (const std::string& e : *entries) f.Append(HashLeaf(e));
  Checkpoint cp;
  cp.origin = "bench.example/log";
  cp.size = kEntries;
  cp.root = f.Root();
  for (auto _ : state) {
    absl::StatusOr<LogVerifier> v =
        LogVerifier::Create({cp}, {.decode_entries = state.range(0) != 0});
    for (const std::string& e : *entries) v->Add(e);
    VerifyReport r = v->Finish();
    if (!r.ok()) state.SkipWithError(r.problem.c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEntries));
  state.counters["entry_bytes"] = static_cast<double>((*entries)[0].size());
}
BENCHMARK(BM_VerifyRecompute)
    ->ArgName("decode")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

// What QueryEvents spends per examined entry besides the store read: decode
// the entry and apply a partner + dataset + decision filter (one in ten
// entries matches).
void BM_QueryDecodeAndFilter(benchmark::State& state) {
  std::vector<std::string> entries;
  for (uint64_t i = 0; i < 1000; ++i) {
    accord::v1::AuditEvent e = SampleEvent(i);
    if (i % 10 != 0) e.set_actor("partner:other");
    entries.push_back(EncodeEntry(e));
  }
  accord::v1::QueryEventsRequest q;
  q.set_partner("partner:univ-rennes-2");
  q.set_dataset_id("rennes.mobility.bike-trips");
  q.set_decision(accord::v1::OUTCOME_PERMIT);
  uint64_t i = 0, matched = 0;
  for (auto _ : state) {
    absl::StatusOr<accord::v1::AuditEvent> e =
        DecodeEntry(entries[i++ % entries.size()]);
    if (e.ok() && EventMatches(q, *e)) ++matched;
  }
  benchmark::DoNotOptimize(matched);
  state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_QueryDecodeAndFilter);

// Entries held in memory, as a NodeSource for the startup check.
class EntrySource : public NodeSource {
 public:
  explicit EntrySource(const std::vector<std::string>* entries)
      : entries_(entries) {}
  absl::StatusOr<std::string> Node(uint8_t, uint64_t) override {
    return absl::UnimplementedError("no nodes");
  }
  absl::StatusOr<std::string> Entry(uint64_t i) override {
    return (*entries_)[i];
  }
  uint64_t Size() override { return entries_->size(); }

 private:
  const std::vector<std::string>* entries_;
};

// The broker's startup check (CheckStoredLog) over 1 million entries read
// from memory: the hashing cost, without RocksDB's.
void BM_StartupCheck1M(benchmark::State& state) {
  constexpr uint64_t kEntries = 1'000'000;
  std::vector<std::string> entries;
  entries.reserve(kEntries);
  Frontier f;
  for (uint64_t i = 0; i < kEntries; ++i) {
    entries.push_back(EncodeEntry(SampleEvent(i)));
    f.Append(HashLeaf(entries.back()));
  }
  Checkpoint cp;
  cp.origin = "bench.example/log";
  cp.size = kEntries;
  cp.root = f.Root();
  EntrySource source(&entries);
  for (auto _ : state) {
    absl::Status s = CheckStoredLog(source, cp);
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEntries));
}
BENCHMARK(BM_StartupCheck1M)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace accord::auditlog

BENCHMARK_MAIN();
