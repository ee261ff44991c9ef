#ifndef ACCORD_BROKER_SERVICE_ENV_H_
#define ACCORD_BROKER_SERVICE_ENV_H_

#include <string>

namespace accord::auditlog {
class Log;
class Checkpointer;
}  // namespace accord::auditlog
namespace accord::http {
class Metrics;
}  // namespace accord::http
namespace accord::store {
class Store;
}  // namespace accord::store

namespace accord::service {

struct BrokerConfig;
class Authenticator;
class CitizenTokens;
class Clock;
class DomainMetrics;
class KeyRing;
class PolicyRegistry;
class RateLimiter;
class Readiness;
class RevocationHub;
class Sweeper;

// What the gRPC services share, owned by the Broker and outliving them.
struct Env {
  const BrokerConfig* config = nullptr;
  store::Store* store = nullptr;
  PolicyRegistry* policies = nullptr;
  KeyRing* keys = nullptr;
  // Signs consent receipts; its retired keys are never pruned.
  KeyRing* receipt_keys = nullptr;
  Authenticator* auth = nullptr;
  const Clock* clock = nullptr;
  // Per-method request counts and latencies (Call records them).
  http::Metrics* metrics = nullptr;
  // Decisions, grants and consent changes.
  DomainMetrics* domain_metrics = nullptr;
  auditlog::Log* log = nullptr;
  auditlog::Checkpointer* checkpointer = nullptr;
  // Write paths that commit revocations notify it after the commit.
  RevocationHub* revocations = nullptr;
  // Per-principal request rates, checked by Call::Authenticate; nullptr: no
  // limit.
  RateLimiter* rate_limiter = nullptr;
  // Per-peer-address request rates, checked by Call::Authenticate before
  // any other work; nullptr: no limit.
  RateLimiter* peer_rate_limiter = nullptr;
  // Counts the calls in flight; nullptr: not counted.
  Readiness* readiness = nullptr;
  // Retention and the compaction after an erasure; nullptr: none.
  Sweeper* sweeper = nullptr;
  // The C2SP note verifier key of the log's checkpoints.
  std::string checkpoint_verifier_key;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_ENV_H_
