#ifndef ACCORD_TESTS_BENCH_FLOOR_SERVICE_H_
#define ACCORD_TESTS_BENCH_FLOOR_SERVICE_H_

// The handler of accord-floor-server: RequestGrant reduced to what any
// grant costs physically, built from the broker's own parts. Each call
// signs one payload of a grant's size with an ES256 key (crypto::SignJws,
// the broker's signer) and commits, through the store's group-commit
// writer with sync, one write set of a grant's size: one grant-record-sized
// value under a fresh key and one decision-sized audit entry. It reads
// nothing, decides nothing, authenticates no one (beyond the TLS
// handshake) and answers from the commit callback, as the broker does.
// tests/bench/README.md ("Floor") says what it is for.

#include <atomic>
#include <cstdint>

#include "accord/v1/access.grpc.pb.h"
#include "broker/crypto/signing_key.h"
#include "broker/store/store.h"

namespace accord::bench {

class FloorAccessService final
    : public accord::v1::AccessService::CallbackService {
 public:
  // `store` is not owned and must outlive the service; it must have a log
  // appender (the audit entry needs one).
  FloorAccessService(crypto::SigningKey key, store::Store* store);

  // Answers OK with decision PERMIT and one grant naming the request's
  // subjects, holding the signed token, once its write set is durable.
  // Errors: INTERNAL when signing fails; the commit's error (UNAVAILABLE,
  // RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED) with nothing returned.
  grpc::ServerUnaryReactor* RequestGrant(
      grpc::CallbackServerContext* context,
      const accord::v1::RequestGrantRequest* request,
      accord::v1::RequestGrantResponse* response) override;

 private:
  const crypto::SigningKey key_;
  store::Store* const store_;
  // The fresh key of each call's record.
  std::atomic<uint64_t> next_record_{1};
};

}  // namespace accord::bench

#endif  // ACCORD_TESTS_BENCH_FLOOR_SERVICE_H_
