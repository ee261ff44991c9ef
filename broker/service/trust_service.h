#ifndef ACCORD_BROKER_SERVICE_TRUST_SERVICE_H_
#define ACCORD_BROKER_SERVICE_TRUST_SERVICE_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "accord/v1/trust.grpc.pb.h"
#include "broker/service/config.h"
#include "broker/service/env.h"

namespace accord::service {

// Open WatchRevocations streams, counted in all and per principal.
// Thread-safe.
class RevocationStreamSlots {
 public:
  RevocationStreamSlots(uint32_t max_total, uint32_t max_per_principal)
      : max_total_(max_total), max_per_principal_(max_per_principal) {}

  // Takes one slot for `principal`: OK, or RESOURCE_EXHAUSTED naming the
  // limit that is reached.
  absl::Status Take(const std::string& principal) ABSL_LOCKS_EXCLUDED(mu_);
  void Release(const std::string& principal) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const uint32_t max_total_;
  const uint32_t max_per_principal_;
  absl::Mutex mu_;
  uint32_t total_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, uint32_t> per_principal_
      ABSL_GUARDED_BY(mu_);
};

// TrustService: the keys downstream services verify grants with, and the
// stream of revoked grants.
class TrustServiceImpl final
    : public accord::v1::TrustService::CallbackService {
 public:
  explicit TrustServiceImpl(const Env& env)
      : env_(env),
        slots_(env.config->max_revocation_streams,
               env.config->max_revocation_streams_per_principal) {}

  grpc::ServerUnaryReactor* GetVerificationKeys(
      grpc::CallbackServerContext* context,
      const accord::v1::GetVerificationKeysRequest* request,
      accord::v1::GetVerificationKeysResponse* response) override;

  // Streams the revocations committed after `after_revision` (0: all),
  // oldest first, each with its revision, then every new one as it is
  // committed, until the caller cancels or the broker stops (UNAVAILABLE).
  // Each shows only the grant ids the caller may see: a partner its own
  // grants, a producer the grants on its datasets, the operator and
  // auditors every grant; a revocation with none in scope is not sent.
  // The operator and auditors get each revocation as stored (all its grant
  // ids, its cause and revision). A partner or a producer gets one message
  // per grant id, with its cause; the messages of one delivery (a replay
  // page, or what the hub read at once) are sorted by grant id and only the
  // last carries a revision, the point to resume after (the others carry
  // 0). So no message, and no shared revision, shows that two grants were
  // revoked by the same consent withdrawal, which would say that they
  // named the same subject.
  // Opening a stream costs one token of the caller's rate limit; at most
  // max_revocation_streams are open, and max_revocation_streams_per_principal
  // per principal (RESOURCE_EXHAUSTED).
  // A caller resumes after the last revision it received. A caller that
  // falls more than 10,000 messages behind is ended with
  // RESOURCE_EXHAUSTED and resumes the same way. Errors before the first
  // message: UNAUTHENTICATED, PERMISSION_DENIED, UNAVAILABLE (storage).
  grpc::ServerWriteReactor<accord::v1::WatchRevocationsResponse>*
  WatchRevocations(grpc::CallbackServerContext* context,
                   const accord::v1::WatchRevocationsRequest* request) override;

 private:
  const Env& env_;
  RevocationStreamSlots slots_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_TRUST_SERVICE_H_
