#include "broker/service/freshness.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/service/limits.h"
#include "broker/store/store.h"

namespace accord::service {

void WhenFresh(const store::Store& store, uint64_t revision,
               absl::Time deadline,
               absl::AnyInvocable<void(absl::Status)> then) {
  const uint64_t head = store.revision();
  if (revision <= head) return then(absl::OkStatus());
  if (revision - head > kMaxRevisionLead) {
    return then(absl::InvalidArgumentError(absl::StrCat(
        "at_least_as_fresh: revision ", revision, " is more than ",
        kMaxRevisionLead, " ahead of this broker's store (at ", head, ")")));
  }
  const absl::Time until = std::min(
      deadline, absl::Now() + absl::Milliseconds(kMaxFreshnessWaitMillis));
  store.WhenRevision(
      revision, until,
      [&store, revision, then = std::move(then)](absl::Status s) mutable {
        if (s.ok()) return then(s);
        then(absl::UnavailableError(absl::StrCat(
            "at_least_as_fresh: revision ", revision, " is not reached (now ",
            store.revision(), "): ", s.message())));
      });
}

}  // namespace accord::service
