#include "broker/service/request_ids.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/crypto/sha256.h"
#include "broker/service/clock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace accord::service {
namespace {

constexpr size_t kMaxClientRequestIdBytes = 64;

// SHA-256 of `request` without its request id, serialized
// deterministically: what a retry must ask again.
std::string DigestOf(const google::protobuf::Message& request,
                     const google::protobuf::FieldDescriptor* id_field) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  copy->GetReflection()->ClearField(copy.get(), id_field);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  return std::string(crypto::AsBytes(crypto::Sha256(bytes)));
}

}  // namespace

absl::Status CheckClientRequestId(absl::string_view id) {
  if (id.size() > kMaxClientRequestIdBytes) {
    return absl::InvalidArgumentError(
        "client_request_id: at most 64 characters of [A-Za-z0-9_-]");
  }
  for (char ch : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' &&
        ch != '_') {
      return absl::InvalidArgumentError(
          "client_request_id: only the characters [A-Za-z0-9_-] are allowed");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ClientRequest> ClientRequest::Find(
    const Env& env, const Caller& caller, absl::string_view method,
    const google::protobuf::Message& request,
    google::protobuf::Message* response) {
  ClientRequest out;
  const google::protobuf::FieldDescriptor* field =
      request.GetDescriptor()->FindFieldByName(kClientRequestIdField);
  if (field == nullptr ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return out;
  }
  std::string id = request.GetReflection()->GetString(request, field);
  if (id.empty()) return out;
  if (absl::Status s = CheckClientRequestId(id); !s.ok()) return s;
  // A citizen's calls are theirs alone, even through a shared app
  // principal.
  out.caller_ = caller.subject.empty()
                    ? caller.principal.id()
                    : absl::StrCat(caller.principal.id(), "/", caller.subject);
  out.method_ = std::string(method);
  out.id_ = std::move(id);
  out.digest_ = DigestOf(request, field);
  out.created_at_ = env.clock->NowSeconds();
  absl::StatusOr<store::ClientRequestRecord> recorded =
      env.store->GetClientRequest(out.caller_, out.method_, out.id_);
  if (absl::IsNotFound(recorded.status())) return out;
  if (!recorded.ok()) return recorded.status();
  if (recorded->request_digest() != out.digest_) {
    return absl::FailedPreconditionError(
        "client_request_id: already used for a different request; a new "
        "call needs a new id");
  }
  if (!response->ParseFromString(recorded->response())) {
    return absl::DataLossError(
        absl::StrCat("the recorded answer of client_request_id '", out.id_,
                     "' is unreadable"));
  }
  out.replayed_ = true;
  return out;
}

}  // namespace accord::service
