#ifndef ACCORD_BROKER_SERVICE_AUDIT_SERVICE_H_
#define ACCORD_BROKER_SERVICE_AUDIT_SERVICE_H_

#include <cstdint>

#include "accord/v1/audit.grpc.pb.h"
#include "broker/service/env.h"

namespace accord::service {

// AuditService: checkpoints, entries and proofs of the Merkle log, and
// event queries.
//
// QueryEvents answers from the log's query indexes (Store::
// FindEventCandidates): the entries whose partner, dataset, purpose,
// decision and type match, within the log indices whose times can pass
// since and until, read and checked with auditlog::EventMatches (which also
// applies the subject filter, through the subject's commitments). Entries
// not indexed yet, and every entry for a query with no filter but subject,
// are read in log order; the response counts them (`scanned`). One call
// examines at most kMaxExaminedPerQuery entries and returns at most
// page_size matches, each with its log index so it can be proven;
// next_page_token is empty only when the call reached the tree size read at
// its start, so a page may hold fewer matches (even none) and still have a
// next page. A page token is the log index to resume at: it stays valid as
// the log grows. Errors: INVALID_ARGUMENT naming the field (page_size over
// 1000, a bad page_token, subject, decision, type, or since after until);
// DATA_LOSS naming the index of an entry that does not decode.
class AuditServiceImpl final
    : public accord::v1::AuditService::CallbackService {
 public:
  explicit AuditServiceImpl(const Env& env) : env_(env) {}

  grpc::ServerUnaryReactor* GetCheckpoint(
      grpc::CallbackServerContext* context,
      const accord::v1::GetCheckpointRequest* request,
      accord::v1::GetCheckpointResponse* response) override;
  grpc::ServerUnaryReactor* GetEntries(
      grpc::CallbackServerContext* context,
      const accord::v1::GetEntriesRequest* request,
      accord::v1::GetEntriesResponse* response) override;
  grpc::ServerUnaryReactor* GetInclusionProof(
      grpc::CallbackServerContext* context,
      const accord::v1::GetInclusionProofRequest* request,
      accord::v1::GetInclusionProofResponse* response) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(
      grpc::CallbackServerContext* context,
      const accord::v1::GetConsistencyProofRequest* request,
      accord::v1::GetConsistencyProofResponse* response) override;
  grpc::ServerUnaryReactor* QueryEvents(
      grpc::CallbackServerContext* context,
      const accord::v1::QueryEventsRequest* request,
      accord::v1::QueryEventsResponse* response) override;

  // Entries one QueryEvents call examines at most.
  static constexpr uint64_t kMaxExaminedPerQuery = 10000;

 private:
  const Env& env_;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_AUDIT_SERVICE_H_
