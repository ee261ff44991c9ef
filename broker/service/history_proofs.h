#ifndef ACCORD_BROKER_SERVICE_HISTORY_PROOFS_H_
#define ACCORD_BROKER_SERVICE_HISTORY_PROOFS_H_

#include "absl/status/status.h"
#include "accord/v1/consent.pb.h"
#include "broker/service/env.h"

namespace accord::service {

// Makes a page of GetAccessHistory provable: sets the response's signed
// checkpoint (the latest published one, or a new one when it does not cover
// every record yet) and gives each record its log entry bytes and their
// RFC 9162 inclusion proof in that checkpoint's tree. Returns OK.
// Errors: the checkpointer's error when a new checkpoint is needed and
// cannot be signed or persisted; the store's error (or DATA_LOSS) when an
// entry or a tree node cannot be read. The caller then sends no page, since
// a history that cannot be proven is not served as if it could.
absl::Status AttachHistoryProofs(const Env& env,
                                 accord::v1::GetAccessHistoryResponse* response);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_HISTORY_PROOFS_H_
