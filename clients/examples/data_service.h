#ifndef ACCORD_CLIENTS_EXAMPLES_DATA_SERVICE_H_
#define ACCORD_CLIENTS_EXAMPLES_DATA_SERVICE_H_

// The example DataService over gRPC: takes the client certificate from the
// mutual-TLS connection, verifies the grant bound to it, and serves what
// ServeRecords allows.

#include <string>
#include <vector>

#include "accord/examples/v1/data_service.grpc.pb.h"
#include "clients/verifier/grant_verifier.h"

namespace accord::examples {

class DataServiceImpl final
    : public ::accord::examples::v1::DataService::CallbackService {
 public:
  // `verifier` must outlive the service.
  DataServiceImpl(const verifier::GrantVerifier* verifier,
                  std::vector<std::string> subjects)
      : verifier_(verifier), subjects_(std::move(subjects)) {}

  grpc::ServerUnaryReactor* ReadRecords(
      grpc::CallbackServerContext* context,
      const v1::ReadRecordsRequest* request,
      v1::ReadRecordsResponse* response) override;

 private:
  const verifier::GrantVerifier* const verifier_;
  const std::vector<std::string> subjects_;
};

}  // namespace accord::examples

#endif  // ACCORD_CLIENTS_EXAMPLES_DATA_SERVICE_H_
