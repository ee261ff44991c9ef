#include "clients/retry.h"

#include <catch2/catch.hpp>
#include <initializer_list>

#include "accord/v1/access.pb.h"
#include "accord/v1/admin.pb.h"
#include "accord/v1/consent.pb.h"
#include "accord/v1/requests.pb.h"

namespace accord::client {
namespace {

TEST_CASE("retry: a write request gets a fresh id, kept once set") {
  v1::GiveConsentRequest give;
  REQUIRE(SetClientRequestId(&give));
  const std::string id = give.client_request_id();
  CHECK(id.size() == 22);
  REQUIRE(SetClientRequestId(&give));
  CHECK(give.client_request_id() == id);
  v1::GiveConsentRequest other;
  REQUIRE(SetClientRequestId(&other));
  CHECK(other.client_request_id() != id);
}

TEST_CASE("retry: each request of a batch gets its own id") {
  v1::RequestGrantsRequest batch;
  batch.add_requests();
  batch.add_requests();
  REQUIRE(SetClientRequestId(&batch));
  CHECK(!batch.requests(0).client_request_id().empty());
  CHECK(batch.requests(0).client_request_id() !=
        batch.requests(1).client_request_id());
}

TEST_CASE("retry: every write that takes an id gets one") {
  v1::RefuseConsentRequestRequest refuse;
  v1::PutConsentRequestRequest put;
  v1::SubmitConsentRequestRequest submit;
  v1::ReviewConsentRequestRequest review;
  v1::CloseConsentRequestRequest close;
  v1::RotateKeyRequest rotate;
  for (google::protobuf::Message* write :
       std::initializer_list<google::protobuf::Message*>{
           &refuse, &put, &submit, &review, &close, &rotate}) {
    INFO(write->GetTypeName());
    CHECK(SetClientRequestId(write));
  }
  CHECK(refuse.client_request_id().size() == 22);
  CHECK(put.client_request_id().size() == 22);
  CHECK(submit.client_request_id().size() == 22);
  CHECK(review.client_request_id().size() == 22);
  CHECK(close.client_request_id().size() == 22);
  CHECK(rotate.client_request_id().size() == 22);
}

TEST_CASE("retry: erasures, backups and key exports take no id") {
  // Their answers are not kept for retries (proto/accord/v1/admin.proto and
  // consent.proto say why), so they are not retried either.
  v1::EraseMeRequest erase_me;
  v1::EraseSubjectRequest erase_subject;
  v1::BackupRequest backup;
  v1::ExportSubjectKeyRequest export_key;
  for (google::protobuf::Message* write :
       std::initializer_list<google::protobuf::Message*>{
           &erase_me, &erase_subject, &backup, &export_key}) {
    INFO(write->GetTypeName());
    CHECK(!SetClientRequestId(write));
  }
}

TEST_CASE("retry: reads carry no id and are not retried") {
  v1::ListConsentsRequest list;
  CHECK(!SetClientRequestId(&list));
  int attempts = 0;
  grpc::Status s = WithRetries(false, [&] {
    ++attempts;
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down");
  });
  CHECK(s.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(attempts == 1);
}

TEST_CASE("retry: unknown outcomes are retried, a bounded number of times") {
  int attempts = 0;
  grpc::Status s = WithRetries(true, [&] {
    ++attempts;
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "late");
  });
  CHECK(s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
  CHECK(attempts == kMaxCallAttempts);

  attempts = 0;
  s = WithRetries(true, [&] {
    return ++attempts < 3 ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")
                          : grpc::Status::OK;
  });
  CHECK(s.ok());
  CHECK(attempts == 3);

  // An answer is final: a refusal is not retried.
  attempts = 0;
  s = WithRetries(true, [&] {
    ++attempts;
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad");
  });
  CHECK(attempts == 1);
}

}  // namespace
}  // namespace accord::client
