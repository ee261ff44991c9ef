#include "broker/service/audit_service.h"

#include "absl/strings/str_cat.h"
#include "broker/auditlog/checkpointer.h"
#include "broker/auditlog/entry.h"
#include "broker/auditlog/event_filter.h"
#include "broker/auditlog/log.h"
#include "broker/service/call.h"
#include "broker/service/limits.h"
#include "broker/service/store_node_source.h"
#include "broker/service/validate.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

constexpr uint32_t kMaxEntries = kMaxLogEntries;

absl::Status CheckQuery(const accord::v1::QueryEventsRequest& q) {
  if (!q.subject().empty()) {
    if (absl::Status s = CheckSubject("subject", q.subject()); !s.ok())
      return s;
  }
  // Filters match stored values; no stored value is longer than these.
  if (absl::Status s = CheckLength("partner", q.partner(), kMaxIdBytes);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckLength("dataset_id", q.dataset_id(), kMaxIdBytes);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckLength("purpose", q.purpose(), kMaxIdBytes);
      !s.ok()) {
    return s;
  }
  if (!accord::v1::Outcome_IsValid(q.decision())) {
    return absl::InvalidArgumentError("decision: unknown outcome");
  }
  if (!accord::v1::EventType_IsValid(q.type())) {
    return absl::InvalidArgumentError("type: unknown event type");
  }
  if (q.since() < 0 || q.until() < 0 ||
      (q.since() != 0 && q.until() != 0 && q.since() > q.until())) {
    return absl::InvalidArgumentError(
        "since, until: need 0 <= since <= until (0 means unbounded)");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* AuditServiceImpl::GetCheckpoint(
    grpc::CallbackServerContext* context,
    const accord::v1::GetCheckpointRequest* request,
    accord::v1::GetCheckpointResponse* response) {
  Call call(env_, context, "/accord.v1.AuditService/GetCheckpoint", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  // On demand: a checkpoint of the log as it is now.
  auto checkpoint = env_.checkpointer->CheckpointNow();
  if (!checkpoint.ok()) {
    // A new one cannot be persisted (a full disk): the latest published one
    // is still true of the log, so readers keep getting it.
    std::optional<auditlog::SignedCheckpoint> latest =
        env_.checkpointer->Latest();
    if (!latest.has_value()) return call.Finish(checkpoint.status());
    checkpoint = *std::move(latest);
  }
  response->set_checkpoint(checkpoint->note);
  response->set_tree_size(checkpoint->checkpoint.size);
  response->set_root_hash(auditlog::HashToBytes(checkpoint->checkpoint.root));
  return call.Finish(absl::OkStatus());
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetEntries(
    grpc::CallbackServerContext* context,
    const accord::v1::GetEntriesRequest* request,
    accord::v1::GetEntriesResponse* response) {
  Call call(env_, context, "/accord.v1.AuditService/GetEntries", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  if (request->count() == 0 || request->count() > kMaxEntries) {
    return call.Finish(
        absl::InvalidArgumentError(absl::StrCat("count: 1..", kMaxEntries)));
  }
  const uint64_t size = env_.log->Size();
  if (request->start() >= size) {
    return call.Finish(absl::OutOfRangeError(absl::StrCat(
        "start: ", request->start(), " is past the tree size ", size)));
  }
  const uint64_t end =
      std::min<uint64_t>(size, request->start() + request->count());
  for (uint64_t i = request->start(); i < end; ++i) {
    auto raw = env_.store->GetLogEntry(i);
    if (!raw.ok()) return call.Finish(raw.status());
    accord::v1::LogEntry* entry = response->add_entries();
    entry->set_index(i);
    auto event = auditlog::DecodeEntry(*raw);
    if (event.ok()) *entry->mutable_event() = *std::move(event);
    entry->set_raw(*std::move(raw));
  }
  return call.Finish(absl::OkStatus());
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetInclusionProof(
    grpc::CallbackServerContext* context,
    const accord::v1::GetInclusionProofRequest* request,
    accord::v1::GetInclusionProofResponse* response) {
  Call call(env_, context, "/accord.v1.AuditService/GetInclusionProof",
            *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  uint64_t index = 0;
  switch (request->leaf_case()) {
    case accord::v1::GetInclusionProofRequest::kIndex:
      index = request->index();
      break;
    case accord::v1::GetInclusionProofRequest::kGrantId: {
      auto grant = env_.store->GetGrant(request->grant_id());
      if (!grant.ok()) return call.Finish(grant.status());
      index = grant->log_index();
      break;
    }
    default:
      return call.Finish(absl::InvalidArgumentError(
          "leaf: an index or a grant_id is required"));
  }
  const uint64_t size =
      request->tree_size() == 0 ? env_.log->Size() : request->tree_size();
  if (size > env_.log->Size() || index >= size) {
    return call.Finish(absl::OutOfRangeError(
        absl::StrCat("tree_size: leaf ", index, " is not in a tree of size ",
                     size, " (the log has ", env_.log->Size(), ")")));
  }
  StoreNodeSource nodes(env_.store);
  auto proof = env_.log->InclusionProof(nodes, index, size);
  if (!proof.ok()) return call.Finish(proof.status());
  response->set_index(index);
  response->set_tree_size(size);
  for (auto& h : *proof) response->add_proof(std::move(h));
  return call.Finish(absl::OkStatus());
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetConsistencyProof(
    grpc::CallbackServerContext* context,
    const accord::v1::GetConsistencyProofRequest* request,
    accord::v1::GetConsistencyProofResponse* response) {
  Call call(env_, context, "/accord.v1.AuditService/GetConsistencyProof",
            *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  const uint64_t size = env_.log->Size();
  if (request->from_size() == 0 || request->from_size() > request->to_size() ||
      request->to_size() > size) {
    return call.Finish(absl::InvalidArgumentError(absl::StrCat(
        "from_size, to_size: need 1 <= from_size <= to_size <= ", size)));
  }
  StoreNodeSource nodes(env_.store);
  auto proof = env_.log->ConsistencyProof(nodes, request->from_size(),
                                          request->to_size());
  if (!proof.ok()) return call.Finish(proof.status());
  for (auto& h : *proof) response->add_proof(std::move(h));
  return call.Finish(absl::OkStatus());
}

grpc::ServerUnaryReactor* AuditServiceImpl::QueryEvents(
    grpc::CallbackServerContext* context,
    const accord::v1::QueryEventsRequest* request,
    accord::v1::QueryEventsResponse* response) {
  Call call(env_, context, "/accord.v1.AuditService/QueryEvents", *request);
  auto caller = call.Authenticate();
  if (!caller.ok()) return call.Finish(caller.status());
  uint32_t limit;
  if (absl::Status s =
          CheckPage(request->page_size(), request->page_token(), &limit);
      !s.ok()) {
    return call.Finish(s);
  }
  if (absl::Status s = CheckQuery(*request); !s.ok()) return call.Finish(s);
  auto start = auditlog::DecodeScanCursor(request->page_token());
  if (!start.ok()) return call.Finish(start.status());
  // Version 2 entries name no subject: the broker matches the subject's
  // commitments with its key. A subject without a key matches version 1
  // entries only.
  std::string subject_key;
  if (!request->subject().empty()) {
    auto key = env_.store->GetSubjectKey(request->subject());
    if (key.ok()) {
      subject_key = *std::move(key);
    } else if (!absl::IsNotFound(key.status())) {
      return call.Finish(key.status());
    }
  }
  const uint64_t size = env_.log->Size();
  const bool by_subject = !request->subject().empty();
  uint64_t at = *start;
  uint64_t examined = 0;
  uint64_t scanned = 0;
  bool full = false;
  while (!full && at < size && examined < kMaxExaminedPerQuery) {
    // Candidates pass every filter but subject and an entry's time, so
    // without a subject filter a page's worth is usually enough.
    const uint64_t budget = kMaxExaminedPerQuery - examined;
    const uint64_t want =
        by_subject
            ? budget
            : std::min<uint64_t>(budget, limit - static_cast<uint32_t>(
                                                     response->entries_size()));
    auto candidates = env_.store->FindEventCandidates(*request, at, size, want);
    if (!candidates.ok()) return call.Finish(candidates.status());
    const size_t first_scanned =
        candidates->indices.size() - candidates->scanned;
    at = candidates->next;
    for (size_t k = 0; k < candidates->indices.size(); ++k) {
      const uint64_t i = candidates->indices[k];
      ++examined;
      if (k >= first_scanned) ++scanned;
      auto raw = env_.store->GetLogEntry(i);
      if (!raw.ok()) return call.Finish(raw.status());
      auto event = auditlog::DecodeEntry(*raw);
      if (!event.ok()) {
        return call.Finish(absl::DataLossError(absl::StrCat(
            "log entry ", i, " does not decode: ", event.status().message())));
      }
      if (!auditlog::EventMatches(*request, *event, subject_key)) continue;
      accord::v1::LogEntry* entry = response->add_entries();
      entry->set_index(i);
      *entry->mutable_event() = *std::move(event);
      entry->set_raw(*std::move(raw));
      if (static_cast<uint32_t>(response->entries_size()) == limit) {
        at = i + 1;
        full = true;
        break;
      }
    }
  }
  response->set_examined(examined);
  response->set_scanned(scanned);
  if (at < size) response->set_next_page_token(auditlog::EncodeScanCursor(at));
  return call.Finish(absl::OkStatus());
}

}  // namespace accord::service
