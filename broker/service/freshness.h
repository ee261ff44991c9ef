#ifndef ACCORD_BROKER_SERVICE_FRESHNESS_H_
#define ACCORD_BROKER_SERVICE_FRESHNESS_H_

#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace accord::store {
class Store;
}  // namespace accord::store

namespace accord::service {

// The one way a call waits for `at_least_as_fresh`: runs `then` once
// `store` has reached `revision`, never blocking the calling thread.
// `then` runs at once, on the calling thread, when `revision` is 0 or
// reached already; otherwise on the store's waiter thread when a commit
// reaches it. Errors given to `then`: INVALID_ARGUMENT naming
// at_least_as_fresh when `revision` is more than kMaxRevisionLead ahead of
// the store (at once); UNAVAILABLE when it is not reached within
// kMaxFreshnessWait or by `deadline`, or when too many calls wait already.
void WhenFresh(const store::Store& store, uint64_t revision,
               absl::Time deadline,
               absl::AnyInvocable<void(absl::Status)> then);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_FRESHNESS_H_
