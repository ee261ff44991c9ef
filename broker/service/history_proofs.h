#ifndef ACCORD_BROKER_SERVICE_HISTORY_PROOFS_H_
#define ACCORD_BROKER_SERVICE_HISTORY_PROOFS_H_

#include "absl/status/status.h"
#include "accord/v1/consent.pb.h"
#include "broker/service/env.h"

namespace accord::service {

// Makes a page of GetAccessHistory provable for its caller, whose pseudonym
// is the response's `subject`: sets the response's signed checkpoint (the
// latest published one, or a new one when it does not cover every record
// yet) and gives each record its log entry bytes, their RFC 9162 inclusion
// proof in that checkpoint's tree and, for a version 2 entry, the caller's
// own opening of it (auditlog/commitment.h), never another subject's. A
// version 1 entry (written before subject commitments) is served only when
// it names no other subject than the caller; otherwise the record gets
// `recorded_before_commitments` and no entry or proof. Returns OK.
// Errors: the checkpointer's error when a new checkpoint is needed and
// cannot be signed or persisted; the store's error (or DATA_LOSS) when an
// entry, a tree node or the caller's key cannot be read, or an entry does
// not hold the caller's commitment. The caller then sends no page, since a
// history that cannot be proven is not served as if it could.
absl::Status AttachHistoryProofs(
    const Env& env, accord::v1::GetAccessHistoryResponse* response);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_HISTORY_PROOFS_H_
