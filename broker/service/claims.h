#ifndef ACCORD_BROKER_SERVICE_CLAIMS_H_
#define ACCORD_BROKER_SERVICE_CLAIMS_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace accord::service {

// Keys (a dataset id, a citizen's pseudonym) that one change at a time may
// hold from its read to its commit, so that a read-check-write is never
// interleaved with another on the same key. Nobody waits: a key held
// already is refused, and the caller answers ABORTED ("retry"). Thread-safe.
class KeyClaims {
 public:
  // Holds one key until destroyed (or Release). Movable, so that a commit
  // callback can own it and release the key once the change is durable.
  class Claim {
   public:
    Claim() = default;
    Claim(Claim&& other) noexcept { *this = std::move(other); }
    Claim& operator=(Claim&& other) noexcept;
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;
    ~Claim() { Release(); }

    // False when the key was held already (nothing is held then).
    bool held() const { return owner_ != nullptr; }
    void Release();

   private:
    friend class KeyClaims;
    Claim(KeyClaims* owner, std::string key)
        : owner_(owner), key_(std::move(key)) {}

    KeyClaims* owner_ = nullptr;
    std::string key_;
  };

  KeyClaims() = default;
  KeyClaims(const KeyClaims&) = delete;
  KeyClaims& operator=(const KeyClaims&) = delete;

  // Takes `key`: the returned claim is held() unless another claim holds
  // the key now. The claims must not outlive this object.
  Claim Take(absl::string_view key) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Drop(const std::string& key) ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  absl::flat_hash_set<std::string> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CLAIMS_H_
