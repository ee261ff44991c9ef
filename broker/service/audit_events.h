#ifndef ACCORD_BROKER_SERVICE_AUDIT_EVENTS_H_
#define ACCORD_BROKER_SERVICE_AUDIT_EVENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "accord/v1/admin.pb.h"
#include "accord/v1/audit.pb.h"
#include "accord/v1/common.pb.h"
#include "accord/v1/consent.pb.h"
#include "accord/v1/requests.pb.h"

namespace accord::service {

// The audit log entry of each kind of state change, built in one place so
// every write path records the same facts. `revision` is set by the store.
// An event's `subjects` never reach the log: the store replaces them by
// commitments (store/write_set.h, auditlog/commitment.h). No other field
// may hold a pseudonym: a citizen actor is `citizen` (SubjectActor), and
// no detail value names a subject.

accord::v1::AuditEvent DatasetEvent(absl::string_view actor,
                                    const accord::v1::Dataset& dataset,
                                    int64_t now);

// A dataset change refused because the current policy (`policy_version`)
// would no longer apply to `dataset` (the description asked for), which
// drops `fields_in_use`. Nothing changed; the event is for the operator.
accord::v1::AuditEvent DatasetRefusedEvent(
    absl::string_view actor, const accord::v1::Dataset& dataset,
    uint64_t policy_version, const std::vector<std::string>& fields_in_use,
    int64_t now);

// A dataset change applied with `force`: DatasetEvent with the `reason` and,
// when the current policy (`policy_version`, non-zero) no longer applies to
// it, that version and the `fields_in_use` it dropped.
accord::v1::AuditEvent ForcedDatasetEvent(
    absl::string_view actor, const accord::v1::Dataset& dataset,
    absl::string_view reason, uint64_t policy_version,
    const std::vector<std::string>& fields_in_use, int64_t now);

accord::v1::AuditEvent PolicyEvent(absl::string_view actor,
                                   absl::string_view dataset_id,
                                   const accord::v1::PolicyRef& ref,
                                   int64_t now);

// A decision on a grant request; `grant_id` empty for a denial. `subjects`
// (the grant's) go to the event's `subjects`, for the store to commit to.
accord::v1::AuditEvent DecisionEvent(absl::string_view partner,
                                     absl::string_view dataset_id,
                                     absl::string_view purpose,
                                     const accord::v1::Decision& decision,
                                     absl::string_view grant_id,
                                     const std::vector<std::string>& subjects,
                                     int64_t now);

// An ExplainAccess call by `actor` that named `subjects_asked` subjects,
// about `partner` using `dataset_id` for `purpose`. Records the count
// (detail `subjects_asked`) and the partner (detail `partner`), never a
// pseudonym nor the answer.
accord::v1::AuditEvent ExplainEvent(absl::string_view actor,
                                    absl::string_view partner,
                                    absl::string_view dataset_id,
                                    absl::string_view purpose,
                                    size_t subjects_asked, int64_t now);

// A consent's change, done by its citizen: actor `citizen`, the consent's
// subject in `subjects` only.
accord::v1::AuditEvent ConsentChangeEvent(const accord::v1::Consent& consent,
                                          accord::v1::ConsentState state,
                                          int64_t now);

// A consent request's transition `change` (the request as it is after it).
accord::v1::AuditEvent ConsentRequestChangeEvent(
    absl::string_view actor, const accord::v1::ConsentRequest& request,
    const accord::v1::ConsentRequestEvent& change);

accord::v1::AuditEvent PrincipalEvent(absl::string_view actor,
                                      absl::string_view principal_id,
                                      absl::string_view change, int64_t now);

accord::v1::AuditEvent ReleaseEvent(absl::string_view partner,
                                    absl::string_view grant_id, int64_t now);

// A signing key published by a rotation.
accord::v1::AuditEvent KeyEvent(absl::string_view actor,
                                const accord::v1::KeyInfo& key, int64_t now);

// A subject's commitment key handed to an auditor under `legal_reference`
// by operator `actor`. Names no subject.
accord::v1::AuditEvent SubjectKeyExportEvent(absl::string_view actor,
                                             absl::string_view legal_reference,
                                             int64_t now);

// The actor string of a citizen: `citizen` whoever the citizen is, since a
// log entry names no pseudonym (the subject is in the event's `subjects`,
// which the store turns into a commitment).
std::string SubjectActor(absl::string_view pseudonym);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_AUDIT_EVENTS_H_
