#include "clients/retry.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/crypto/random.h"
#include "google/protobuf/descriptor.h"

namespace accord::client {

namespace {

const google::protobuf::FieldDescriptor* IdField(
    const google::protobuf::Descriptor* d) {
  const google::protobuf::FieldDescriptor* field =
      d->FindFieldByName("client_request_id");
  if (field == nullptr ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return nullptr;
  }
  return field;
}

void SetIfEmpty(google::protobuf::Message* m,
                const google::protobuf::FieldDescriptor* field) {
  const google::protobuf::Reflection* reflection = m->GetReflection();
  if (reflection->GetString(*m, field).empty()) {
    reflection->SetString(m, field, crypto::RandomId());
  }
}

}  // namespace

bool SetClientRequestId(google::protobuf::Message* request) {
  const google::protobuf::Descriptor* d = request->GetDescriptor();
  if (const auto* field = IdField(d); field != nullptr) {
    SetIfEmpty(request, field);
    return true;
  }
  // A batch (RequestGrants): each of its requests takes its own id.
  const google::protobuf::Reflection* reflection = request->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (!f->is_repeated() ||
        f->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      continue;
    }
    const auto* inner = IdField(f->message_type());
    if (inner == nullptr) continue;
    const int n = reflection->FieldSize(*request, f);
    for (int j = 0; j < n; ++j) {
      SetIfEmpty(reflection->MutableRepeatedMessage(request, f, j), inner);
    }
    return n > 0;
  }
  return false;
}

bool IsRetryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

grpc::Status WithRetries(bool retryable,
                         absl::FunctionRef<grpc::Status()> attempt) {
  absl::Duration backoff = absl::Milliseconds(100);
  for (int n = 1;; ++n) {
    grpc::Status s = attempt();
    if (s.ok() || !retryable || !IsRetryable(s.error_code()) ||
        n >= kMaxCallAttempts) {
      return s;
    }
    absl::SleepFor(backoff);
    backoff *= 2;
  }
}

}  // namespace accord::client
