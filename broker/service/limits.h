#ifndef ACCORD_BROKER_SERVICE_LIMITS_H_
#define ACCORD_BROKER_SERVICE_LIMITS_H_

// The bounds on what a caller may send, in one table. Every handler checks
// its request against them before any work (no store read, no policy
// evaluation, no write); a request over a bound is answered with
// INVALID_ARGUMENT whose message starts with the field name, except the
// message size, which gRPC itself refuses with RESOURCE_EXHAUSTED before
// the handler runs.
//
//   bound                      value     applies to
//   kMaxReceiveMessageBytes    4 MiB     any request message (gRPC option)
//   MaxRequestBytes(method)    by service  a request after gRPC took it:
//                              4 MiB AccessService and PolicyService
//                              (batches, subjects, policy sources),
//                              64 KiB the others (RESOURCE_EXHAUSTED
//                              naming `request`)
//   kMaxIdBytes                128       ids: dataset_id, purpose, field
//                                        names, principal and partner ids,
//                                        channel (CheckId)
//   kMaxSubjectBytes           64        subject pseudonyms (CheckSubject)
//   kMaxRecordIdBytes          64        consent_id, grant_id (broker ids)
//   kMaxCitizenTokenBytes      6 KiB     citizen bearer token (metadata)
//   kMaxTitleBytes             200       dataset.title
//   kMaxShortTextBytes         256       audience, certificate_uri,
//                                        file_name, query filters
//   kMaxPathBytes              1024      backup directory
//   kMaxPolicyBytes            1 MiB     policy source
//   kMaxPageTokenBytes         256       page_token
//   kMaxFields                 256       fields (requests and datasets)
//   kMaxSubjects               100000    subjects of one grant request
//   kMaxBatchRequests          100       requests of RequestGrants
//   kMaxLogEntries             1000      count of GetEntries
//   kDefaultPageSize           100       page_size 0
//   kMaxPageSize               1000      page_size
//   kMaxRevisionLead           1000      at_least_as_fresh, beyond the
//                                        store's current revision
//   kMaxFreshnessWait          1 s       the wait for at_least_as_fresh
//                                        (also bounded by the deadline)

#include <cstddef>
#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace accord::service {

// 4 MiB, gRPC's own default, set explicitly on the server: the largest
// request (a policy of kMaxPolicyBytes, or kMaxBatchRequests grant
// requests) fits with room to spare.
inline constexpr int kMaxReceiveMessageBytes = 4 << 20;

// The largest request each service takes: what its largest legitimate
// request needs, so that a caller of a service of small requests cannot
// make the broker parse and hold megabytes.
inline size_t MaxRequestBytes(absl::string_view method) {
  if (absl::StartsWith(method, "/accord.v1.AccessService/") ||
      absl::StartsWith(method, "/accord.v1.PolicyService/")) {
    return kMaxReceiveMessageBytes;
  }
  return 64 << 10;
}

inline constexpr size_t kMaxIdBytes = 128;
inline constexpr size_t kMaxSubjectBytes = 64;
inline constexpr size_t kMaxRecordIdBytes = 64;
// Below gRPC's 8 KiB metadata limit, so the broker, not the transport, says
// no.
inline constexpr size_t kMaxCitizenTokenBytes = 6 * 1024;
inline constexpr size_t kMaxTitleBytes = 200;
inline constexpr size_t kMaxShortTextBytes = 256;
inline constexpr size_t kMaxPathBytes = 1024;
inline constexpr size_t kMaxPolicyBytes = 1 << 20;
inline constexpr size_t kMaxPageTokenBytes = 256;

inline constexpr size_t kMaxFields = 256;
// As many as a policy's max_subjects may allow (policy/parse.cc).
inline constexpr size_t kMaxSubjects = 100000;
inline constexpr int kMaxBatchRequests = 100;
inline constexpr uint32_t kMaxLogEntries = 1000;
inline constexpr uint32_t kDefaultPageSize = 100;
inline constexpr uint32_t kMaxPageSize = 1000;

// A revision is only ever handed out once durable, so a caller can hold one
// ahead of this broker's store only after a restore from an older backup
// or when it made the number up: a small lead is waited for (within
// kMaxFreshnessWait and the call's deadline, without holding a thread), a
// larger one refused at once.
inline constexpr uint64_t kMaxRevisionLead = 1000;
inline constexpr int64_t kMaxFreshnessWaitMillis = 1000;

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_LIMITS_H_
