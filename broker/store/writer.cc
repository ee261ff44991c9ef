// The single writer: group commit of pending write sets in one synced batch.
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "broker/store/db.h"
#include "broker/store/keys.h"
#include "rocksdb/write_batch.h"

namespace accord::store {
namespace {

constexpr size_t kMaxBatch = 1024;

class Batch {
 public:
  Batch(Db& db, rocksdb::WriteBatch* batch) : db_(db), batch_(batch) {}

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
  Db& db_;
  rocksdb::WriteBatch* batch_;
};

void PutConsent(Batch& b, accord::v1::Consent c, uint64_t revision) {
  for (int i = 0; i < c.events_size(); ++i) {
    accord::v1::ConsentEvent* e = c.mutable_events(i);
    if (e->revision() == 0) e->set_revision(revision);
    b.Put(kConsentEvents, keys::ConsentEvent(c.id(), i), *e);
  }
  b.Put(kIndex, keys::ConsentBySubject(c.subject(), c.id()), "");
  b.Put(kIndex, keys::ConsentByDatasetSubject(c.dataset_id(), c.subject(), c.id()),
        "");
  c.clear_events();
  b.Put(kConsents, c.id(), c);
}

void PutGrant(Batch& b, GrantRecord g, uint64_t revision,
              const absl::flat_hash_map<std::string, uint64_t>& indices) {
  g.set_revision(revision);
  if (auto it = indices.find(g.id()); it != indices.end()) {
    g.set_log_index(it->second);
  }
  for (const std::string& s : g.subjects()) {
    b.Put(kIndex, keys::GrantBySubject(s, revision, g.id()), "");
    b.Put(kIndex, keys::GrantBySubjectDataset(s, g.dataset_id(), g.issued_at(),
                                              g.id()),
          "");
  }
  b.Put(kIndex, keys::GrantByPartner(g.partner(), revision, g.id()), "");
  b.Put(kGrants, g.id(), g);
}

void PutPrincipal(Db& db, Batch& b, accord::v1::Principal p, uint64_t revision) {
  // Drop the identity index entries of the record being replaced.
  auto old = db.Get(kPrincipals, p.id());
  if (old.ok()) {
    accord::v1::Principal previous;
    if (previous.ParseFromString(*old)) {
      if (!previous.certificate_uri().empty()) {
        b.Delete(kIndex, keys::PrincipalByUri(previous.certificate_uri()));
      }
      if (!previous.certificate_sha256().empty()) {
        b.Delete(kIndex, keys::PrincipalBySha(previous.certificate_sha256()));
      }
    }
  }
  p.set_revision(revision);
  if (!p.certificate_uri().empty()) {
    b.Put(kIndex, keys::PrincipalByUri(p.certificate_uri()), p.id());
  }
  if (!p.certificate_sha256().empty()) {
    b.Put(kIndex, keys::PrincipalBySha(p.certificate_sha256()), p.id());
  }
  b.Put(kPrincipals, p.id(), p);
}

void DeletePrincipal(Db& db, Batch& b, const std::string& id) {
  auto old = db.Get(kPrincipals, id);
  if (!old.ok()) return;
  accord::v1::Principal previous;
  if (previous.ParseFromString(*old)) {
    if (!previous.certificate_uri().empty()) {
      b.Delete(kIndex, keys::PrincipalByUri(previous.certificate_uri()));
    }
    if (!previous.certificate_sha256().empty()) {
      b.Delete(kIndex, keys::PrincipalBySha(previous.certificate_sha256()));
    }
  }
  b.Delete(kPrincipals, id);
}

}  // namespace

Db::~Db() { Close(); }

void Db::SetAppender(LogAppender* appender) {
  absl::MutexLock l(&mu_);
  appender_ = appender;
}

void Db::Submit(WriteSet ws, Done done) {
  {
    absl::MutexLock l(&mu_);
    if (!stop_ && !read_only_) {
      queue_.push_back(Pending{std::move(ws), std::move(done)});
      return;
    }
  }
  done(absl::FailedPreconditionError(read_only_ ? "the store is read-only"
                                                : "the store is closed"));
}

void Db::Close() {
  {
    absl::MutexLock l(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  if (writer_.joinable()) writer_.join();
  for (auto* h : handles_) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h);
  }
  handles_.clear();
  if (db_ != nullptr) {
    db_->Close();
    db_.reset();
  }
}

absl::Status Db::WaitForRevision(uint64_t rev, absl::Duration timeout) const {
  absl::MutexLock l(&mu_);
  auto reached = [this, rev] { return revision() >= rev; };
  if (mu_.AwaitWithTimeout(absl::Condition(&reached), timeout)) {
    return absl::OkStatus();
  }
  return absl::DeadlineExceededError(
      absl::StrCat("revision ", rev, " not reached (at ", revision(), ")"));
}

absl::Status Db::health() const {
  absl::MutexLock l(&mu_);
  return last_write_;
}

absl::StatusOr<CommitResult> Db::Apply(WriteSet& ws, uint64_t revision,
                                       uint64_t* log_size,
                                       rocksdb::WriteBatch* batch)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  // Runs on the writer thread, the only one that changes appender_ state.
  CommitResult result;
  result.revision = revision;
  Batch b(*this, batch);
  absl::flat_hash_map<std::string, uint64_t> grant_indices;
  if (!ws.events().empty() && appender_ == nullptr) {
    return absl::FailedPreconditionError("the store has no audit log attached");
  }
  for (accord::v1::AuditEvent& event : ws.events()) {
    event.set_revision(revision);
    absl::StatusOr<LogAppend> append = appender_->Append(event);
    if (!append.ok()) return append.status();
    b.Put(kAuditLeaves, keys::BE64(append->index), append->entry);
    for (const TreeNode& node : append->nodes) {
      b.Put(kAuditHashes, keys::AuditNode(node.level, node.index), node.hash);
    }
    result.log_indices.push_back(append->index);
    *log_size = append->index + 1;
    if (!event.grant_id().empty()) grant_indices[event.grant_id()] = append->index;
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
      PutConsent(b, std::move(*c), revision);
    } else if (auto* g = std::get_if<GrantRecord>(&op)) {
      PutGrant(b, std::move(*g), revision, grant_indices);
    } else if (auto* p = std::get_if<accord::v1::Principal>(&op)) {
      PutPrincipal(*this, b, std::move(*p), revision);
    } else if (auto* del = std::get_if<WriteSet::DeletePrincipalOp>(&op)) {
      DeletePrincipal(*this, b, del->id);
    } else if (auto* r = std::get_if<accord::v1::Revocation>(&op)) {
      r->set_revision(revision);
      b.Put(kIndex, keys::Revocation(revision, revocations++), *r);
    } else if (auto* cp = std::get_if<WriteSet::CheckpointOp>(&op)) {
      b.Put(kCheckpoints, keys::BE64(cp->tree_size), cp->note);
    }
  }
  return result;
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
    }
    rocksdb::WriteBatch batch;
    std::vector<absl::StatusOr<CommitResult>> results;
    results.reserve(pending.size());
    uint64_t revision = revision_.load();
    uint64_t log_size = log_size_.load();
    absl::Status failed;
    for (Pending& p : pending) {
      auto applied = Apply(p.ws, revision + 1, &log_size, &batch);
      if (!applied.ok()) {
        // The audit log cannot take back part of a batch, so one write set
        // that cannot be applied fails the batch (it does not happen unless
        // the broker is miswired).
        failed = applied.status();
        break;
      }
      ++revision;
      results.push_back(std::move(applied));
    }
    batch.Put(handles_[kMeta], std::string(keys::kRevision), keys::BE64(revision));
    batch.Put(handles_[kMeta], std::string(keys::kLogSize), keys::BE64(log_size));
    rocksdb::WriteOptions sync;
    sync.sync = true;
    absl::Status written =
        failed.ok() ? FromRocks(db_->Write(sync, &batch), "commit") : failed;
    if (written.ok()) {
      if (appender != nullptr) appender->Committed(log_size);
      absl::MutexLock l(&mu_);
      log_size_.store(log_size, std::memory_order_release);
      revision_.store(revision, std::memory_order_release);
      last_write_ = absl::OkStatus();
    } else {
      if (appender != nullptr) appender->Abort();
      absl::MutexLock l(&mu_);
      last_write_ = written;
    }
    for (size_t i = 0; i < pending.size(); ++i) {
      if (!written.ok()) {
        pending[i].done(written);
      } else {
        pending[i].done(std::move(results[i]));
      }
    }
  }
}

}  // namespace accord::store
