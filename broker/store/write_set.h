#ifndef ACCORD_BROKER_STORE_WRITE_SET_H_
#define ACCORD_BROKER_STORE_WRITE_SET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "accord/v1/admin.pb.h"
#include "accord/v1/audit.pb.h"
#include "accord/v1/common.pb.h"
#include "accord/v1/consent.pb.h"
#include "accord/v1/policy.pb.h"
#include "accord/v1/requests.pb.h"
#include "accord/v1/trust.pb.h"
#include "broker/store/records.pb.h"

namespace accord::store {

// The state changes of one write, in domain terms, applied atomically with
// the audit events that record them. A movable value; the store turns it
// into storage operations on its writer thread, where the revision is known.
class WriteSet {
 public:
  struct DeletePrincipalOp {
    std::string id;
  };
  struct CheckpointOp {
    uint64_t tree_size;
    std::string note;
  };
  // Erasure of one subject (store/erase.h says what it deletes).
  struct EraseSubjectOp {
    std::string subject;
    // Unix seconds of the erasure.
    int64_t at = 0;
  };
  // Records past their retention (service/sweeper.h), deleted with their
  // index entries; ids already gone are skipped.
  struct PurgeOp {
    std::vector<std::string> consent_ids;
    std::vector<std::string> grant_ids;
    std::vector<std::string> tombstone_ids;
  };
  // Client request records past their window (service/sweeper.h), by their
  // 'W' key (keys::ClientRequestByAge); deleted with their 'I' record.
  struct DeleteClientRequestsOp {
    std::vector<std::string> age_keys;
  };
  using Op =
      std::variant<accord::v1::Dataset, accord::v1::PolicyVersion,
                   accord::v1::Consent, GrantRecord, accord::v1::Principal,
                   DeletePrincipalOp, accord::v1::Revocation, CheckpointOp,
                   accord::v1::ConsentRequest, EraseSubjectOp, PurgeOp,
                   DeleteClientRequestsOp>;

  // Records carrying a `revision` field get the commit revision; consent
  // events whose revision is 0 too. A grant stored for the first time
  // (revision 0) gets the log index of the audit event of the same write
  // set whose grant_id is its id; stored again (released), it keeps it.
  void PutDataset(accord::v1::Dataset dataset) {
    ops_.emplace_back(std::move(dataset));
  }
  void PutPolicyVersion(accord::v1::PolicyVersion v) {
    ops_.emplace_back(std::move(v));
  }
  // The whole record with all its events, as read plus any new ones: events
  // are append-only, and only those whose revision is 0 are written.
  void PutConsent(accord::v1::Consent consent) {
    ops_.emplace_back(std::move(consent));
  }
  // The whole record; its events whose revision is 0 get the commit's.
  void PutConsentRequest(accord::v1::ConsentRequest r) {
    ops_.emplace_back(std::move(r));
  }
  void PutGrant(GrantRecord grant) { ops_.emplace_back(std::move(grant)); }
  void PutPrincipal(accord::v1::Principal p) {
    ops_.emplace_back(std::move(p));
  }
  void DeletePrincipal(std::string id) {
    ops_.emplace_back(DeletePrincipalOp{std::move(id)});
  }
  // Erases `subject` at `at` (Unix seconds): see store/erase.h. The writer
  // reads what names the subject when it applies the op, so everything
  // committed before it is erased.
  void EraseSubject(std::string subject, int64_t at) {
    ops_.emplace_back(EraseSubjectOp{std::move(subject), at});
  }
  void Purge(PurgeOp purge) { ops_.emplace_back(std::move(purge)); }
  void DeleteClientRequests(std::vector<std::string> age_keys) {
    ops_.emplace_back(DeleteClientRequestsOp{std::move(age_keys)});
  }
  void AddRevocation(accord::v1::Revocation r) {
    ops_.emplace_back(std::move(r));
  }
  void PutCheckpoint(uint64_t tree_size, std::string note) {
    ops_.emplace_back(CheckpointOp{tree_size, std::move(note)});
  }
  // Counts `amount` against a quota of `limit` uses per window for
  // (partner, dataset, rule) in the window starting at `window_start`. The
  // writer checks every quota of the write set against the committed count
  // plus what earlier write sets of the batch used; if one would go over,
  // the write set is refused alone with RESOURCE_EXHAUSTED carrying the
  // payload kQuotaPayload = the rule id, and nothing of it is written.
  struct QuotaUse {
    std::string partner;
    std::string dataset_id;
    std::string rule_id;
    int64_t window_start = 0;
    uint64_t limit = 0;
    uint64_t amount = 0;
  };
  void UseQuota(QuotaUse use) { quotas_.push_back(std::move(use)); }
  const std::vector<QuotaUse>& quotas() const { return quotas_; }

  // The answer to a client request id (service/request_ids.h), recorded in
  // this write set. The writer checks, before anything else of the write
  // set, that no record of the same key is stored or earlier in the batch;
  // if one is, the write set is refused alone with ABORTED naming
  // client_request_id, and nothing of it is written. Otherwise, once the
  // write set has its revision and log indices, `response` turns them into
  // the serialized response, stored under keys::ClientRequest and
  // keys::ClientRequestByAge (at `created_at`). `response` runs on the
  // writer thread: it must be cheap and must not block.
  struct ClientRequestOp {
    std::string caller;
    std::string method;
    std::string id;
    std::string request_digest;
    int64_t created_at = 0;
    absl::AnyInvocable<std::string(uint64_t revision,
                                   const std::vector<uint64_t>& log_indices)>
        response;
  };
  void RecordClientRequest(ClientRequestOp op) {
    client_request_ = std::move(op);
  }
  std::optional<ClientRequestOp>& client_request() { return client_request_; }
  const std::optional<ClientRequestOp>& client_request() const {
    return client_request_;
  }

  // The caller's deadline: a write set still queued when it passes is
  // refused alone with DEADLINE_EXCEEDED and nothing of it is written (its
  // caller has given up on the answer). Default: none.
  void set_deadline(absl::Time deadline) { deadline_ = deadline; }
  absl::Time deadline() const { return deadline_; }

  // Appended to the audit log in this write, in order. The event's
  // `subjects` are the subjects it concerns; they never reach the log: the
  // writer replaces them by a commitment to each (auditlog/commitment.h)
  // with the subject's key (keys::SubjectKey), creating the key of a subject
  // that has none in the same batch. The writer cannot tell a subject never
  // named from one whose key was erased: an erased subject named again gets
  // a fresh key, so erasure must keep its subject out of new events until
  // the subject acts again.
  void AddAuditEvent(accord::v1::AuditEvent event) {
    events_.push_back(std::move(event));
  }

  std::vector<Op>& ops() { return ops_; }
  const std::vector<Op>& ops() const { return ops_; }
  std::vector<accord::v1::AuditEvent>& events() { return events_; }

 private:
  std::vector<Op> ops_;
  std::vector<accord::v1::AuditEvent> events_;
  std::vector<QuotaUse> quotas_;
  std::optional<ClientRequestOp> client_request_;
  absl::Time deadline_ = absl::InfiniteFuture();
};

// The payload type URL of a quota refusal; its value is the rule id.
inline constexpr char kQuotaPayload[] = "accord.store.quota_exceeded";

}  // namespace accord::store

#endif  // ACCORD_BROKER_STORE_WRITE_SET_H_
