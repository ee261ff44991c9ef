#ifndef ACCORD_BROKER_SERVICE_REQUEST_IDS_H_
#define ACCORD_BROKER_SERVICE_REQUEST_IDS_H_

// Safe retries of write calls: a client names each logical call with a
// request id (the `client_request_id` field of the write requests) and
// repeats it on every retry; the answer of the first call that wrote is
// recorded with its write, in the same write set (store::WriteSet::
// ClientRequestOp), and a retry gets it back without writing anything.
//
// A handler, once its caller is authenticated:
//
//   auto client = ClientRequest::Find(env, *caller, kMethod, *request,
//                                     response);
//   if (!client.ok()) return call.Finish(client.status());
//   if (client->replayed()) return call.Finish(absl::OkStatus());
//   ...
//   client->Record(ws, *response, complete);  // just before Commit
//
// where `complete(Response*, const store::CommitResult&)` is what the
// commit callback does to the response (revision, log indices), so that
// the recorded answer is the one the caller gets. Outcomes that write
// nothing (errors) are never recorded. Records are kept for at least
// `request_id_window_seconds` (config.h), then swept (sweeper.h).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/service/caller.h"
#include "broker/service/env.h"
#include "broker/store/store.h"
#include "broker/store/write_set.h"
#include "google/protobuf/message.h"

namespace accord::service {

// The field every write request names its request id in.
inline constexpr char kClientRequestIdField[] = "client_request_id";

// OK for an empty id (none) or 1 to 64 characters of [A-Za-z0-9_-];
// INVALID_ARGUMENT naming client_request_id otherwise.
absl::Status CheckClientRequestId(absl::string_view id);

// One write call's request id, and what the call asked. Cheap to copy.
class ClientRequest {
 public:
  // No request id: Record does nothing.
  ClientRequest() = default;

  // Reads `request`'s client_request_id (none when the message has no
  // such field or it is empty) and looks for the answer recorded for it by
  // `caller` (its principal, and its citizen for citizen calls) on
  // `method`. When one is recorded for the same request, parses it into
  // `response` and returns a ClientRequest whose replayed() is true: the
  // handler finishes with OK and writes nothing. Errors: INVALID_ARGUMENT
  // for a malformed id; FAILED_PRECONDITION naming client_request_id when
  // the id was used for a different request; DATA_LOSS for a record that
  // does not parse; the store's read error.
  static absl::StatusOr<ClientRequest> Find(
      const Env& env, const Caller& caller, absl::string_view method,
      const google::protobuf::Message& request,
      google::protobuf::Message* response);

  bool has_id() const { return !id_.empty(); }
  bool replayed() const { return replayed_; }

  // Puts the record of this call in `ws` (nothing without an id): the
  // writer stores `response` as `complete` leaves a copy of it once `ws`
  // has its revision and log indices. Call it after `response` holds
  // everything known before the commit. `complete` must be copyable,
  // cheap, and must not block (it runs on the writer thread).
  template <typename Response, typename Complete>
  void Record(store::WriteSet& ws, const Response& response,
              Complete complete) const {
    if (id_.empty()) return;
    store::WriteSet::ClientRequestOp op;
    op.caller = caller_;
    op.method = method_;
    op.id = id_;
    op.request_digest = digest_;
    op.created_at = created_at_;
    op.response = [copy = response, complete](
                      uint64_t revision,
                      const std::vector<uint64_t>& log_indices) mutable {
      store::CommitResult committed;
      committed.revision = revision;
      committed.log_indices = log_indices;
      complete(&copy, committed);
      return copy.SerializeAsString();
    };
    ws.RecordClientRequest(std::move(op));
  }

 private:
  std::string caller_;
  std::string method_;
  std::string id_;
  std::string digest_;
  int64_t created_at_ = 0;
  bool replayed_ = false;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_REQUEST_IDS_H_
