// The single writer: group commit of pending write sets in one synced batch.
#include <sys/statvfs.h>

#include <algorithm>
#include <optional>
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "broker/store/db.h"
#include "broker/store/erase.h"
#include "broker/store/event_indexer.h"
#include "broker/store/keys.h"
#include "broker/store/read_util.h"
#include "broker/store/sorted_batch.h"
#include "broker/store/validate.h"
#include "rocksdb/write_batch.h"

namespace accord::store {
namespace {

constexpr size_t kMaxBatch = 1024;

class Batch {
 public:
  Batch(const Db& db, rocksdb::WriteBatch* batch) : db_(db), batch_(batch) {}

  void Put(Family f, absl::string_view key, absl::string_view value) {
    batch_->Put(db_.cf(f), rocksdb::Slice(key.data(), key.size()),
                rocksdb::Slice(value.data(), value.size()));
  }
  void Put(Family f, absl::string_view key,
           const google::protobuf::MessageLite& m) {
    Put(f, key, m.SerializeAsString());
  }
  void Delete(Family f, absl::string_view key) {
    batch_->Delete(db_.cf(f), rocksdb::Slice(key.data(), key.size()));
  }

 private:
  const Db& db_;
  rocksdb::WriteBatch* batch_;
};

// What the batch under construction has done to principals so far, so a
// later write set of the same batch replaces the right index entries.
using PrincipalOverlay =
    absl::flat_hash_map<std::string, std::optional<accord::v1::Principal>>;
// The consent lists the batch has written so far, by key.
using ConsentListOverlay = absl::flat_hash_map<std::string, ConsentList>;

// The subject's consent list for the consent's dataset, as the batch will
// leave it so far, with `c` put in it by id.
absl::Status PutConsent(const Db& db, Batch& b, ConsentListOverlay& lists,
                        accord::v1::Consent c, uint64_t revision) {
  // Events are append-only: those stored already carry their revision, and
  // only the new ones are written. `c` holds the events from number
  // earlier_events on (all of them, or a renewal's new ones); the stored
  // record holds none and counts them all.
  const uint64_t first = c.earlier_events();
  for (int i = 0; i < c.events_size(); ++i) {
    accord::v1::ConsentEvent* e = c.mutable_events(i);
    if (e->revision() != 0) continue;
    e->set_revision(revision);
    b.Put(kConsentEvents, keys::ConsentEvent(c.id(), first + i), *e);
  }
  c.set_earlier_events(static_cast<uint32_t>(first + c.events_size()));
  c.clear_events();
  const std::string list_key =
      keys::ConsentsOfSubject(c.dataset_id(), c.subject());
  auto [it, inserted] = lists.try_emplace(list_key);
  ConsentList& list = it->second;
  if (inserted) {
    auto stored = Parse<ConsentList>(db.Get(kIndex, list_key),
                                     "consent list of subject", c.subject());
    if (stored.ok()) {
      list = *std::move(stored);
    } else if (!absl::IsNotFound(stored.status())) {
      lists.erase(it);
      return stored.status();
    }
  }
  auto* consents = list.mutable_consents();
  auto pos =
      std::lower_bound(consents->begin(), consents->end(), c.id(),
                       [](const accord::v1::Consent& a, const std::string& id) {
                         return a.id() < id;
                       });
  if (pos != consents->end() && pos->id() == c.id()) {
    *pos = c;
  } else {
    // Added last, then moved down to its place by id.
    const int at = static_cast<int>(pos - consents->begin());
    *consents->Add() = c;
    for (int i = consents->size() - 1; i > at; --i)
      consents->SwapElements(i, i - 1);
  }
  b.Put(kIndex, list_key, list);
  b.Put(kIndex, keys::ConsentBySubject(c.subject(), c.id()), "");
  if (!c.request_id().empty()) {
    b.Put(kIndex, keys::AnswerOfRequest(c.request_id(), c.id()), "");
  }
  b.Put(kConsents, c.id(), c);
  return absl::OkStatus();
}

void PutGrant(Batch& b, GrantRecord g, uint64_t revision,
              const absl::flat_hash_map<std::string, uint64_t>& indices) {
  // The log index is the one of the event that recorded the issue: a grant
  // stored again (released) keeps it.
  const bool first_time = g.revision() == 0;
  g.set_revision(revision);
  if (auto it = indices.find(g.id()); first_time && it != indices.end()) {
    g.set_log_index(it->second);
  }
  // Its index entries are the indexer's (store/grant_index.h).
  b.Put(kGrants, g.id(), g);
}

// Whether `ws` erases a subject or purges records.
bool RewritesIndexedRecords(const WriteSet& ws) {
  return std::any_of(ws.ops().begin(), ws.ops().end(), [](const auto& op) {
    return std::holds_alternative<WriteSet::EraseSubjectOp>(op) ||
           std::holds_alternative<WriteSet::PurgeOp>(op);
  });
}

// The principal `id` as the batch will leave it so far.
std::optional<accord::v1::Principal> CurrentPrincipal(
    const Db& db, const PrincipalOverlay& overlay, const std::string& id) {
  if (auto it = overlay.find(id); it != overlay.end()) return it->second;
  auto stored = db.Get(kPrincipals, id);
  accord::v1::Principal p;
  if (!stored.ok() || !p.ParseFromString(*stored)) return std::nullopt;
  return p;
}

void DropPrincipalIndex(Batch& b,
                        const std::optional<accord::v1::Principal>& p) {
  if (!p.has_value()) return;
  if (!p->certificate_uri().empty()) {
    b.Delete(kIndex, keys::PrincipalByUri(p->certificate_uri()));
  }
  if (!p->certificate_sha256().empty()) {
    b.Delete(kIndex, keys::PrincipalBySha(p->certificate_sha256()));
  }
}

void PutPrincipal(const Db& db, Batch& b, PrincipalOverlay& overlay,
                  accord::v1::Principal p, uint64_t revision) {
  DropPrincipalIndex(b, CurrentPrincipal(db, overlay, p.id()));
  p.set_revision(revision);
  if (!p.certificate_uri().empty()) {
    b.Put(kIndex, keys::PrincipalByUri(p.certificate_uri()), p.id());
  }
  if (!p.certificate_sha256().empty()) {
    b.Put(kIndex, keys::PrincipalBySha(p.certificate_sha256()), p.id());
  }
  b.Put(kPrincipals, p.id(), p);
  overlay[p.id()] = std::move(p);
}

void DeletePrincipal(const Db& db, Batch& b, PrincipalOverlay& overlay,
                     const std::string& id) {
  DropPrincipalIndex(b, CurrentPrincipal(db, overlay, id));
  b.Delete(kPrincipals, id);
  overlay[id] = std::nullopt;
}

}  // namespace

Db::~Db() { Close(); }

void Db::SetAppender(LogAppender* appender) {
  absl::MutexLock l(&mu_);
  appender_ = appender;
}

void Db::Submit(WriteSet ws, Done done) {
  if (absl::Status s = Validate(ws); !s.ok()) {
    done(s);
    return;
  }
  {
    absl::MutexLock l(&mu_);
    if (!stop_ && !read_only_) {
      queue_.push_back(Pending{std::move(ws), std::move(done), absl::Now()});
      return;
    }
  }
  if (read_only_) {
    done(absl::FailedPreconditionError("the store was opened read-only"));
  } else {
    done(absl::UnavailableError("the store is closed"));
  }
}

void Db::Close() {
  {
    absl::MutexLock l(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  if (writer_.joinable()) writer_.join();
  if (indexer_ != nullptr) indexer_->Close();
  // After the writer: the callbacks of the last commits come first.
  if (waiters_ != nullptr) waiters_->Close();
  for (auto* h : handles_) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h);
  }
  handles_.clear();
  if (db_ != nullptr) {
    db_->Close();
    db_.reset();
  }
}

absl::Duration Db::OldestWriteWait() const {
  absl::MutexLock l(&mu_);
  absl::Time oldest = oldest_in_flight_;
  if (!queue_.empty()) oldest = std::min(oldest, queue_.front().submitted);
  if (oldest == absl::InfiniteFuture()) return absl::ZeroDuration();
  return absl::Now() - oldest;
}

absl::Status Db::health() const {
  absl::MutexLock l(&mu_);
  return last_write_;
}

void Db::WriterLoop() {
  while (true) {
    std::vector<Pending> pending;
    LogAppender* appender;
    {
      absl::MutexLock l(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || !queue_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && pending.size() < kMaxBatch) {
        pending.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      appender = appender_;
      oldest_in_flight_ = pending.front().submitted;
    }
    CommitBatch(pending, appender);
    absl::MutexLock l(&mu_);
    oldest_in_flight_ = absl::InfiniteFuture();
  }
}

absl::StatusOr<uint64_t> Db::FreeBytes() const {
  if (in_memory()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the store ", path_, " is in memory: it has no file system"));
  }
  struct statvfs fs;
  if (statvfs(path_.c_str(), &fs) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot read the free space of ", path_));
  }
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

absl::Status Db::CheckFreeSpace() const {
  if (min_free_bytes_ == 0) return absl::OkStatus();
  absl::StatusOr<uint64_t> free_bytes = FreeBytes();
  if (!free_bytes.ok() || *free_bytes >= min_free_bytes_) {
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("disk full: ", *free_bytes, " bytes free in ", path_,
                   ", below the reserve of ", min_free_bytes_));
}

absl::Status Db::ResumeIfNeeded() {
  if (!needs_resume_) return absl::OkStatus();
  // OK at once when RocksDB holds no background error; otherwise it retries
  // the failed work (a flush of what the failed WAL write left), which
  // fails again while the disk is still full.
  absl::Status s = FromRocks(db_->Resume(), "resuming writes");
  if (s.ok()) needs_resume_ = false;
  return s;
}

void Db::SetWriteHealth(const absl::Status& s) {
  bool changed;
  {
    absl::MutexLock l(&mu_);
    changed = s.ok() != last_write_.ok();
    last_write_ = s;
  }
  if (changed && on_write_health_) on_write_health_(s);
}

void Db::CommitBatch(std::vector<Pending>& pending, LogAppender* appender) {
  absl::Status ready = CheckFreeSpace();
  if (ready.ok()) ready = ResumeIfNeeded();
  if (!ready.ok()) {
    SetWriteHealth(ready);
    for (Pending& p : pending) p.done(ready);
    return;
  }
  // An erasure or a purge rewrites records the indexer derives entries
  // from: it reads and commits them with the indexer held between batches.
  std::optional<absl::MutexLock> indexer_held;
  if (std::any_of(pending.begin(), pending.end(), [](const Pending& p) {
        return RewritesIndexedRecords(p.ws);
      })) {
    indexer_held.emplace(&indexer_->batch_mutex());
  }
  rocksdb::WriteBatch batch;
  BatchState state{*this, appender, &batch, 0, 0, {}, {}, {}, {}, {}};
  state.revision = revision_.load();
  state.log_size = log_size_.load();
  std::vector<absl::StatusOr<CommitResult>> results;
  results.reserve(pending.size());
  absl::Status failed;
  const absl::Time now = absl::Now();
  for (Pending& p : pending) {
    if (p.ws.deadline() <= now) {
      results.push_back(absl::DeadlineExceededError(
          "the caller's deadline passed before the write was committed"));
      continue;
    }
    if (!p.ws.events().empty() && appender == nullptr) {
      // Refused alone: nothing of it is in the batch.
      results.push_back(absl::FailedPreconditionError(
          "audit events: the store has no audit log attached"));
      continue;
    }
    if (absl::Status taken = state.ReserveClientRequest(p.ws); !taken.ok()) {
      results.push_back(taken);
      continue;
    }
    if (absl::Status quota = state.ReserveQuotas(p.ws); !quota.ok()) {
      // The id reserved above is free again: nothing of `ws` is written.
      if (p.ws.client_request().has_value()) {
        const auto& cr = *p.ws.client_request();
        state.client_requests.erase(
            keys::ClientRequest(cr.caller, cr.method, cr.id));
      }
      results.push_back(quota);
      continue;
    }
    absl::StatusOr<CommitResult> applied = state.Apply(p.ws);
    if (!applied.ok()) {
      // The log cannot take back one write set's entries alone, so a write
      // set the log refuses fails its whole batch.
      failed = applied.status();
      break;
    }
    results.push_back(std::move(applied));
  }
  bool io_error = false;
  if (failed.ok()) {
    const absl::Time write_start = absl::Now();
    failed = state.Finish();
    io_error = !failed.ok();
    if (failed.ok() && on_commit_) {
      const auto committed = static_cast<size_t>(std::count_if(
          results.begin(), results.end(),
          [](const absl::StatusOr<CommitResult>& r) { return r.ok(); }));
      on_commit_(CommitStats{committed, now - pending.front().submitted,
                             absl::Now() - write_start});
    }
  }
  indexer_held.reset();  // the callbacks below may wait for the indexer
  if (failed.ok()) {
    if (appender != nullptr) appender->Committed(state.log_size);
    {
      absl::MutexLock l(&mu_);
      log_size_.store(state.log_size, std::memory_order_release);
      revision_.store(state.revision, std::memory_order_release);
    }
    waiters_->Advance(state.revision);
    indexer_->Advance(state.log_size);
    SetWriteHealth(absl::OkStatus());
  } else {
    // The revisions handed out in this batch are taken back: revision_ was
    // never moved.
    if (appender != nullptr) appender->Abort();
    needs_resume_ = needs_resume_ || io_error;
    SetWriteHealth(failed);
  }
  for (size_t i = 0; i < pending.size(); ++i) {
    if (failed.ok()) {
      pending[i].done(std::move(results[i]));
    } else if (i < results.size() && !results[i].ok()) {
      pending[i].done(results[i].status());
    } else {
      pending[i].done(failed);
    }
  }
}

absl::Status BatchState::ReserveClientRequest(const WriteSet& ws) {
  if (!ws.client_request().has_value()) return absl::OkStatus();
  const WriteSet::ClientRequestOp& cr = *ws.client_request();
  const std::string key = keys::ClientRequest(cr.caller, cr.method, cr.id);
  bool taken = client_requests.contains(key);
  if (!taken) {
    absl::StatusOr<std::string> stored = db.Get(kIndex, key);
    if (stored.ok()) {
      taken = true;
    } else if (!absl::IsNotFound(stored.status())) {
      return stored.status();
    }
  }
  if (taken) {
    return absl::AbortedError(
        "client_request_id: another call with this id was answered first; "
        "retry with the same id to get its answer");
  }
  client_requests.insert(key);
  return absl::OkStatus();
}

absl::Status BatchState::ReserveQuotas(const WriteSet& ws) {
  std::vector<std::pair<std::string, uint64_t>> updates;
  for (const WriteSet::QuotaUse& use : ws.quotas()) {
    const std::string key = keys::QuotaUses(use.partner, use.dataset_id,
                                            use.rule_id, use.window_start);
    uint64_t used = 0;
    if (auto it = quota_uses.find(key); it != quota_uses.end()) {
      used = it->second;
    } else {
      auto stored = db.Get(kIndex, key);
      if (stored.ok() && stored->size() == 8) {
        used = keys::ReadBE64(*stored);
      } else if (!stored.ok() && !absl::IsNotFound(stored.status())) {
        return stored.status();
      }
    }
    for (const auto& [k, v] : updates) {
      if (k == key) used = v;
    }
    if (used + use.amount > use.limit) {
      absl::Status refused = absl::ResourceExhaustedError(
          absl::StrCat("quota of rule '", use.rule_id, "' is used up: ", used,
                       " of ", use.limit));
      refused.SetPayload(kQuotaPayload, absl::Cord(use.rule_id));
      return refused;
    }
    updates.emplace_back(key, used + use.amount);
  }
  for (auto& [key, value] : updates) {
    quota_uses[key] = value;
    batch->Put(db.cf(kIndex), key, keys::BE64(value));
  }
  return absl::OkStatus();
}

absl::StatusOr<CommitResult> BatchState::Apply(WriteSet& ws) {
  const uint64_t revision = this->revision + 1;
  CommitResult result;
  result.revision = revision;
  Batch b(db, batch);
  absl::flat_hash_map<std::string, uint64_t> grant_indices;
  for (accord::v1::AuditEvent& event : ws.events()) {
    event.set_revision(revision);
    // The log names no subject: the appender commits to each with its key.
    absl::StatusOr<std::vector<KeyedSubject>> subjects =
        KeysOf(event.subjects());
    if (!subjects.ok()) return subjects.status();
    event.clear_subjects();
    std::string grant_id = event.grant_id();  // the event moves into the log
    absl::StatusOr<LogAppend> append =
        appender->Append(std::move(event), *subjects);
    if (!append.ok()) return append.status();
    if (append->index != log_size) {
      return absl::InternalError(absl::StrCat("the audit log assigned index ",
                                              append->index, ", expected ",
                                              log_size));
    }
    b.Put(kAuditLeaves, keys::BE64(append->index), append->entry);
    for (const TreeNode& node : append->nodes) {
      b.Put(kAuditHashes, keys::AuditNode(node.level, node.index), node.hash);
    }
    result.log_indices.push_back(append->index);
    log_size = append->index + 1;
    if (!grant_id.empty()) grant_indices[std::move(grant_id)] = append->index;
  }
  uint32_t revocations = 0;
  for (WriteSet::Op& op : ws.ops()) {
    if (auto* d = std::get_if<accord::v1::Dataset>(&op)) {
      d->set_revision(revision);
      b.Put(kDatasets, d->id(), *d);
    } else if (auto* v = std::get_if<accord::v1::PolicyVersion>(&op)) {
      v->set_revision(revision);
      b.Put(kPolicies, keys::Policy(v->dataset_id(), v->ref().version()), *v);
    } else if (auto* c = std::get_if<accord::v1::Consent>(&op)) {
      if (absl::Status s =
              PutConsent(db, b, consent_lists, std::move(*c), revision);
          !s.ok()) {
        return s;
      }
    } else if (auto* g = std::get_if<GrantRecord>(&op)) {
      PutGrant(b, std::move(*g), revision, grant_indices);
    } else if (auto* p = std::get_if<accord::v1::Principal>(&op)) {
      PutPrincipal(db, b, principals, std::move(*p), revision);
    } else if (auto* del = std::get_if<WriteSet::DeletePrincipalOp>(&op)) {
      DeletePrincipal(db, b, principals, del->id);
    } else if (auto* r = std::get_if<accord::v1::Revocation>(&op)) {
      RevocationRecord record;
      record.set_revision(revision);
      record.set_position(revocations);
      *record.mutable_revocation() = std::move(*r);
      record.mutable_revocation()->set_revision(revision);
      b.Put(kIndex, keys::Revocation(revision, revocations++), record);
    } else if (auto* cr = std::get_if<accord::v1::ConsentRequest>(&op)) {
      cr->set_revision(revision);
      for (accord::v1::ConsentRequestEvent& e : *cr->mutable_events()) {
        if (e.revision() == 0) e.set_revision(revision);
      }
      b.Put(kIndex, keys::ConsentRequest(cr->id()), *cr);
    } else if (auto* cp = std::get_if<WriteSet::CheckpointOp>(&op)) {
      b.Put(kCheckpoints, keys::BE64(cp->tree_size), cp->note);
    } else if (auto* e = std::get_if<WriteSet::EraseSubjectOp>(&op)) {
      if (absl::Status s = ApplyErasure(*this, *e); !s.ok()) return s;
    } else if (auto* purge = std::get_if<WriteSet::PurgeOp>(&op)) {
      if (absl::Status s = ApplyPurge(*this, *purge); !s.ok()) return s;
    } else if (auto* dcr = std::get_if<WriteSet::DeleteClientRequestsOp>(&op)) {
      for (const std::string& age_key : dcr->age_keys) {
        b.Delete(kIndex, age_key);
        b.Delete(kIndex, keys::ClientRequestOfAgeKey(age_key));
      }
    }
  }
  if (ws.client_request().has_value()) {
    WriteSet::ClientRequestOp& cr = *ws.client_request();
    ClientRequestRecord record;
    record.set_request_digest(cr.request_digest);
    record.set_created_at(cr.created_at);
    record.set_revision(revision);
    if (cr.response)
      record.set_response(cr.response(revision, result.log_indices));
    b.Put(kIndex, keys::ClientRequest(cr.caller, cr.method, cr.id), record);
    b.Put(kIndex,
          keys::ClientRequestByAge(cr.created_at, cr.caller, cr.method, cr.id),
          std::string());
  }
  this->revision = revision;
  return result;
}

absl::StatusOr<std::vector<KeyedSubject>> BatchState::KeysOf(
    const google::protobuf::RepeatedPtrField<std::string>& subjects) {
  std::vector<KeyedSubject> out;
  out.reserve(subjects.size());
  absl::flat_hash_set<absl::string_view> seen;
  for (const std::string& subject : subjects) {
    if (!seen.insert(subject).second) continue;
    auto it = subject_keys.find(subject);
    if (it == subject_keys.end()) {
      const std::string key_of = keys::SubjectKey(subject);
      absl::StatusOr<std::string> stored = db.Get(kIndex, key_of);
      if (absl::IsNotFound(stored.status())) {
        stored = appender->NewSubjectKey();
        batch->Put(db.cf(kIndex), key_of, *stored);
      } else if (!stored.ok()) {
        return stored.status();
      } else if (stored->size() != kSubjectKeyBytes) {
        return absl::DataLossError(
            absl::StrCat("the commitment key of a subject is ", stored->size(),
                         " bytes, want ", kSubjectKeyBytes));
      }
      it = subject_keys.emplace(subject, *std::move(stored)).first;
    }
    out.push_back({subject, it->second});
  }
  return out;
}

absl::Status BatchState::Finish() {
  batch->Put(db.cf(kMeta), std::string(keys::kRevision), keys::BE64(revision));
  batch->Put(db.cf(kMeta), std::string(keys::kLogSize), keys::BE64(log_size));
  absl::StatusOr<rocksdb::WriteBatch> sorted =
      SortedByKey(*batch, db.handles());
  if (!sorted.ok()) return sorted.status();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocks(db.db()->Write(sync, &*sorted), "commit");
}

}  // namespace accord::store
