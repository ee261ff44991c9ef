#ifndef ACCORD_BROKER_SERVICE_GRANT_FLOW_H_
#define ACCORD_BROKER_SERVICE_GRANT_FLOW_H_

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "accord/v1/access.pb.h"
#include "broker/service/caller.h"
#include "broker/service/env.h"

namespace accord::service {

// Runs one grant request end to end: validation, freshness, decision,
// signing, and the durable record of the decision (grants and their log
// entries, or the denial's log entry) in one commit. `done` runs once, with
// the response filled, after the commit is durable — or with the error, in
// which case nothing was issued. It may run on the store's writer thread.
// A decision still queued for commit at `deadline` (the call's) is not
// recorded and `done` gets DEADLINE_EXCEEDED. `at_least_as_fresh` is waited
// for without blocking (freshness.h); the decision then runs on the store's
// waiter thread. `caller` and `request` must outlive `done`'s run.
void RunGrantRequest(const Env& env, const Caller& caller,
                     const accord::v1::RequestGrantRequest& request,
                     accord::v1::RequestGrantResponse* response,
                     absl::AnyInvocable<void(absl::Status)> done,
                     absl::Time deadline = absl::InfiniteFuture());

// RunGrantRequest once the wait for freshness is over (a batch waits once
// for all its requests): a request whose `at_least_as_fresh` the store has
// not reached gets UNAVAILABLE at once.
void RunFreshGrantRequest(const Env& env, const Caller& caller,
                          const accord::v1::RequestGrantRequest& request,
                          accord::v1::RequestGrantResponse* response,
                          absl::AnyInvocable<void(absl::Status)> done,
                          absl::Time deadline);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_GRANT_FLOW_H_
