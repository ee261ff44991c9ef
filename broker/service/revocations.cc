#include "broker/service/revocations.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "broker/service/logging.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

constexpr size_t kPage = 1000;

}  // namespace

absl::StatusOr<std::vector<OwnedRevocation>> ReadOwnedRevocations(
    const store::Store& store, uint64_t revision, size_t limit) {
  auto page = store.ListRevocationsAfter(revision, limit);
  if (!page.ok()) return page.status();
  absl::flat_hash_map<std::string, std::string> producers;  // by dataset
  std::vector<OwnedRevocation> out;
  out.reserve(page->size());
  for (accord::v1::Revocation& r : *page) {
    OwnedRevocation owned;
    for (const std::string& id : r.grant_ids()) {
      GrantOwner owner;
      if (auto grant = store.GetGrant(id); grant.ok()) {
        owner.partner = grant->partner();
        auto it = producers.find(grant->dataset_id());
        if (it == producers.end()) {
          auto dataset = store.GetDataset(grant->dataset_id());
          it = producers
                   .emplace(grant->dataset_id(),
                            dataset.ok() ? dataset->producer() : "")
                   .first;
        }
        owner.producer = it->second;
      } else if (!absl::IsNotFound(grant.status())) {
        return grant.status();
      }
      owned.owners.push_back(std::move(owner));
    }
    owned.revocation = std::move(r);
    out.push_back(std::move(owned));
  }
  return out;
}

RevocationHub::RevocationHub(store::Store* store) : store_(store) {
  const uint64_t now = store_->revision();
  target_ = now;
  cursor_ = now;
  thread_ = std::thread([this] { Run(); });
}

RevocationHub::~RevocationHub() { Close(); }

void RevocationHub::Notify(uint64_t revision) {
  absl::MutexLock l(&mu_);
  target_ = std::max(target_, revision);
}

bool RevocationHub::Subscribe(Subscriber* s) {
  absl::MutexLock l(&mu_);
  if (closed_) return false;
  subscribers_.insert(s);
  return true;
}

void RevocationHub::Unsubscribe(Subscriber* s) {
  absl::MutexLock l(&mu_);
  subscribers_.erase(s);
}

void RevocationHub::Close() {
  {
    absl::MutexLock l(&mu_);
    if (!closed_) {
      closed_ = true;
      for (Subscriber* s : subscribers_) s->Closed();
      subscribers_.clear();
    }
  }
  if (thread_.joinable()) thread_.join();
}

void RevocationHub::Run() {
  while (true) {
    uint64_t from;
    uint64_t upto;  // every commit up to it is readable now
    {
      absl::MutexLock l(&mu_);
      auto work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return closed_ || target_ > cursor_;
      };
      mu_.Await(absl::Condition(&work));
      if (closed_) return;
      from = cursor_;
      upto = target_;
    }
    // The store is read outside the lock: Notify never waits for it.
    auto batch = ReadOwnedRevocations(*store_, from, kPage);
    absl::MutexLock l(&mu_);
    if (closed_) return;
    if (!batch.ok()) {
      // A storage error: nothing is skipped; the read is retried shortly.
      Log("error", "reading revocations",
          {{"error", std::string(batch.status().message())}});
      mu_.AwaitWithTimeout(absl::Condition(&closed_), absl::Milliseconds(100));
      continue;
    }
    if (batch->size() == kPage) {
      cursor_ = batch->back().revocation.revision();  // more to read at once
    } else {
      cursor_ = std::max(
          upto, batch->empty() ? from : batch->back().revocation.revision());
    }
    if (batch->empty()) continue;
    for (Subscriber* s : subscribers_) s->Deliver(*batch);
  }
}

}  // namespace accord::service
