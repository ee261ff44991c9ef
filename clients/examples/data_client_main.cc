// accord-data-client: calls the example DataService with a grant over
// mutual TLS and prints the records as JSON.
//
//   accord-data-client --server 127.0.0.1:9443 --grant TOKEN
//     --cert var/dev-pki/partner-demo.pem --key var/dev-pki/partner-demo.key
//     --ca var/dev-pki/ca.pem [--fields day,kwh] [--subjects PSEUDONYM]
//
// Exits 0 with the response on stdout; 1 with "CODE: message" on stderr
// when the service refuses; 2 for a usage error.
#include <fstream>
#include <iostream>
#include <sstream>

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include "accord/examples/v1/data_service.grpc.pb.h"
#include "absl/status/status.h"
#include "clients/examples/flag_pairs.h"

namespace {

constexpr char kUsage[] =
    "usage: accord-data-client --server ADDR --grant TOKEN --cert PEM "
    "--key KEY --ca PEM [--fields a,b] [--subjects s1,s2]\n"
    "Reads household records from accord-data-service with a grant and\n"
    "prints the answer as one JSON document (see clients/examples/README.md).\n";

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

int Usage(const std::string& message) {
  std::cerr << "accord-data-client: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  namespace v1 = ::accord::examples::v1;
  if (accord::examples::WantsHelp(argc, argv)) {
    std::cout << kUsage;
    return 0;
  }
  auto flags = accord::examples::ParseFlagPairs(
      argc, argv, {"server", "grant", "cert", "key", "ca", "fields", "subjects"});
  if (!flags.ok()) return Usage(std::string(flags.status().message()));
  for (const char* required : {"server", "grant", "cert", "key", "ca"}) {
    if (!flags->count(required)) {
      return Usage(std::string("--") + required + " is required");
    }
  }
  grpc::SslCredentialsOptions tls;
  if (!ReadFile(flags->at("ca"), &tls.pem_root_certs)) {
    return Usage("--ca: cannot read " + flags->at("ca"));
  }
  if (!ReadFile(flags->at("cert"), &tls.pem_cert_chain)) {
    return Usage("--cert: cannot read " + flags->at("cert"));
  }
  if (!ReadFile(flags->at("key"), &tls.pem_private_key)) {
    return Usage("--key: cannot read " + flags->at("key"));
  }
  auto channel =
      grpc::CreateChannel(flags->at("server"), grpc::SslCredentials(tls));
  auto stub = v1::DataService::NewStub(channel);
  v1::ReadRecordsRequest request;
  request.set_grant(flags->at("grant"));
  if (flags->count("fields")) {
    for (const std::string& f : accord::examples::SplitList(flags->at("fields"))) {
      request.add_fields(f);
    }
  }
  if (flags->count("subjects")) {
    for (const std::string& s :
         accord::examples::SplitList(flags->at("subjects"))) {
      request.add_subjects(s);
    }
  }
  v1::ReadRecordsResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::Status status = stub->ReadRecords(&context, request, &response);
  if (!status.ok()) {
    std::cerr << absl::StatusCodeToString(
                     static_cast<absl::StatusCode>(status.error_code()))
              << ": " << status.error_message() << "\n";
    return 1;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(response, &json, options).ok()) {
    std::cerr << "cannot print the response\n";
    return 1;
  }
  std::cout << json << "\n";
  return 0;
}
