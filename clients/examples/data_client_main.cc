// accord-data-client: calls the example DataService with a grant over
// mutual TLS and prints the records as JSON.
//
//   accord-data-client --server 127.0.0.1:9443 --grant TOKEN
//     --cert var/dev-pki/partner-demo.pem --key var/dev-pki/partner-demo.key
//     --ca var/dev-pki/ca.pem [--fields day,kwh] [--subjects PSEUDONYM]
//
// Exits 0 with the response on stdout; 1 with "CODE: message" on stderr
// when the service refuses; 2 for a usage error.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/status/status.h"
#include "accord/examples/v1/data_service.grpc.pb.h"
#include "broker/cmdline/flags.h"
#include "broker/rpc/status.h"

namespace {

constexpr char kUsage[] =
    "usage: accord-data-client --server ADDR --grant TOKEN --cert PEM "
    "--key KEY --ca PEM [--fields a,b] [--subjects s1,s2]\n"
    "Reads household records from accord-data-service with a grant and\n"
    "prints the answer as one JSON document (see "
    "clients/examples/README.md).\n";

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

using accord::cmdline::FlagSpec;

std::vector<FlagSpec> Specs() {
  using A = FlagSpec::Arity;
  return {
      {"server", A::kValue, "ADDR", "the data service, HOST:PORT", {}},
      {"grant", A::kValue, "TOKEN", "the grant (a JWS)", {}},
      {"cert", A::kValue, "PEM", "client certificate (the grant's cnf)", {}},
      {"key", A::kValue, "KEY", "its private key", {}},
      {"ca", A::kValue, "PEM", "CA certificates that sign the service's", {}},
      {"fields", A::kValue, "a,b", "fields to read (default: all)", {}},
      {"subjects",
       A::kValue,
       "s1,s2",
       "pseudonyms to read (default: the grant's)",
       {}},
      accord::cmdline::HelpFlag()};
}

std::string FullUsage() {
  return std::string(kUsage) + "\nflags:\n" +
         accord::cmdline::FlagsUsage(Specs());
}

int Usage(const std::string& message) {
  std::cerr << "accord-data-client: " << message << "\n" << FullUsage();
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  namespace v1 = ::accord::examples::v1;
  auto flags = accord::cmdline::ParseFlags(argc, argv, Specs());
  if (!flags.ok()) return Usage(std::string(flags.status().message()));
  if (flags->Has("help")) {
    std::cout << FullUsage();
    return 0;
  }
  if (absl::Status s = flags->ExpectPositionals({}); !s.ok()) {
    return Usage(std::string(s.message()));
  }
  for (const char* required : {"server", "grant", "cert", "key", "ca"}) {
    if (!flags->Has(required)) {
      return Usage(std::string("--") + required + " is required");
    }
  }
  grpc::SslCredentialsOptions tls;
  if (!ReadFile(flags->GetOr("ca", ""), &tls.pem_root_certs)) {
    return Usage("--ca: cannot read " + flags->GetOr("ca", ""));
  }
  if (!ReadFile(flags->GetOr("cert", ""), &tls.pem_cert_chain)) {
    return Usage("--cert: cannot read " + flags->GetOr("cert", ""));
  }
  if (!ReadFile(flags->GetOr("key", ""), &tls.pem_private_key)) {
    return Usage("--key: cannot read " + flags->GetOr("key", ""));
  }
  auto channel = grpc::CreateChannel(flags->GetOr("server", ""),
                                     grpc::SslCredentials(tls));
  auto stub = v1::DataService::NewStub(channel);
  v1::ReadRecordsRequest request;
  request.set_grant(flags->GetOr("grant", ""));
  if (flags->Has("fields")) {
    for (const std::string& f : flags->GetList("fields")) {
      request.add_fields(f);
    }
  }
  if (flags->Has("subjects")) {
    for (const std::string& s : flags->GetList("subjects")) {
      request.add_subjects(s);
    }
  }
  v1::ReadRecordsResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  const absl::Status status =
      accord::rpc::FromGrpc(stub->ReadRecords(&context, request, &response));
  if (!status.ok()) {
    std::cerr << absl::StatusCodeToString(status.code()) << ": "
              << status.message() << "\n";
    return 1;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(response, &json, options)
           .ok()) {
    std::cerr << "cannot print the response\n";
    return 1;
  }
  std::cout << json << "\n";
  return 0;
}
