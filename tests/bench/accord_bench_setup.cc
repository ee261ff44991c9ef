#include "tests/bench/accord_bench_setup.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "accord/v1/consent.grpc.pb.h"
#include "accord/v1/policy.grpc.pb.h"
#include "broker/crypto/signing_key.h"
#include "broker/dev/dev_layout.h"
#include "broker/rpc/status.h"
#include "clients/connection.h"
#include "clients/dev_token.h"

namespace accord::bench {
namespace {

namespace fs = std::filesystem;

// The demo policy of the PERSONAL dataset (policy/examples/
// household-consumption.policy.yaml) with the quota raised to the
// largest the policy language takes.
constexpr char kBenchPolicy[] = R"(# accord-bench: the demo policy, quota raised
dataset: rennes.energy.household-consumption
legal_basis: consent
max_subjects: 100
rules:
  - id: energy-studies
    effect: permit
    assignees:
      principals: [partner-demo]
      categories: [academic]
    purposes: [public-benefit.energy, research-and-development]
    fields: [day, kwh, district, subject]
    max_subjects: 100
    quota: {grants: 1000000000, per: 1d}
    duties:
      delete_after: 30d
      aggregate_min_k: 10
      no_onward_transfer: true
)";

// The status of the call `what`, its message prefixed with `what`.
absl::Status FromGrpc(const grpc::Status& s, absl::string_view what) {
  const absl::Status status = rpc::FromGrpc(s);
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(what, ": ", status.message()));
}

}  // namespace

absl::StatusOr<BrokerUnderTest> StartBroker(
    const std::string& broker_bin, const std::string& data_dir,
    std::vector<std::string> extra_flags) {
  const fs::path bin(broker_bin);
  if (bin.filename() != "accord-broker" || !fs::exists(bin)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--broker-bin: ", broker_bin, " is not an accord-broker binary"));
  }
  // The harness starts BinDir()/accord-broker.
  setenv("ACCORD_BIN_DIR", bin.parent_path().c_str(), 1);
  BrokerUnderTest b;
  if (data_dir.empty()) {
    b.temp_dir = std::make_unique<testing::TempDir>();
    b.data_dir = b.temp_dir->path();
  } else {
    std::error_code ec;
    fs::create_directories(data_dir, ec);
    b.data_dir = data_dir;
  }
  b.process = std::make_unique<testing::BrokerProcess>(b.data_dir,
                                                       std::move(extra_flags));
  if (absl::Status s = b.process->Start(); !s.ok()) return s;
  b.grpc_address = b.process->grpc_address();
  b.http_address = b.process->http_address();
  b.pid = b.process->pid();
  return b;
}

absl::StatusOr<std::vector<std::unique_ptr<Endpoint>>> OpenEndpoints(
    const std::string& data_dir, const std::string& address,
    const std::string& principal, int n) {
  auto ca = client::ReadSmallFile(dev::CaCertPath(data_dir));
  if (!ca.ok()) return ca.status();
  auto cert =
      client::ReadSmallFile(dev::PrincipalCertPath(data_dir, principal));
  if (!cert.ok()) return cert.status();
  auto key = client::ReadSmallFile(dev::PrincipalKeyPath(data_dir, principal));
  if (!key.ok()) return key.status();
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = *ca;
  tls.pem_cert_chain = *cert;
  tls.pem_private_key = *key;
  std::vector<std::unique_ptr<Endpoint>> out;
  for (int i = 0; i < n; ++i) {
    grpc::ChannelArguments args;
    // A connection per endpoint: no subchannel sharing between channels.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetString("accord.bench.endpoint", absl::StrCat(principal, "-", i));
    args.SetMaxReceiveMessageSize(64 << 20);
    auto e = std::make_unique<Endpoint>();
    e->channel =
        grpc::CreateCustomChannel(address, grpc::SslCredentials(tls), args);
    e->stub = std::make_unique<grpc::GenericStub>(e->channel);
    out.push_back(std::move(e));
  }
  return out;
}

absl::Status Connect(const std::vector<std::unique_ptr<Endpoint>>& endpoints) {
  for (const auto& e : endpoints) {
    if (!e->channel->WaitForConnected(std::chrono::system_clock::now() +
                                      std::chrono::seconds(10))) {
      return absl::UnavailableError("a channel did not connect in 10 s");
    }
  }
  return absl::OkStatus();
}

absl::Status PutBenchPolicy(const Endpoint& producer) {
  auto stub = accord::v1::PolicyService::NewStub(producer.channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  accord::v1::PutPolicyRequest request;
  request.set_dataset_id(kPersonalDataset);
  request.set_format(accord::v1::POLICY_FORMAT_YAML);
  request.set_source(kBenchPolicy);
  request.set_file_name("accord-bench.policy.yaml");
  accord::v1::PutPolicyResponse response;
  return FromGrpc(stub->PutPolicy(&context, request, &response), "PutPolicy");
}

absl::StatusOr<std::vector<Citizen>> MintCitizens(
    const std::string& data_dir, const std::vector<std::string>& names) {
  auto key = crypto::SigningKey::ReadPemFile(dev::IssuerKeyPath(data_dir));
  if (!key.ok()) return key.status();
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  std::vector<Citizen> out;
  out.reserve(names.size());
  for (const std::string& name : names) {
    auto token = client::MintDevCitizenToken(*key, name, now);
    if (!token.ok()) return token.status();
    out.push_back(Citizen{absl::StrCat("Bearer ", *token)});
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> GiveConsents(
    const std::vector<std::unique_ptr<Endpoint>>& endpoints,
    const std::vector<Citizen>& citizens) {
  std::vector<std::string> subjects(citizens.size());
  absl::Mutex mu;
  absl::Status first_error;
  std::vector<std::thread> threads;
  const size_t workers = std::min<size_t>(16, citizens.size());
  for (size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      auto stub = accord::v1::ConsentService::NewStub(
          endpoints[w % endpoints.size()]->channel);
      for (size_t i = w; i < citizens.size(); i += workers) {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(30));
        context.AddMetadata("authorization", citizens[i].authorization);
        accord::v1::GiveConsentRequest request;
        request.set_dataset_id(kPersonalDataset);
        request.set_purpose(kPurpose);
        request.mutable_recipient()->set_partner(kPartner);
        accord::v1::GiveConsentResponse response;
        absl::Status s = FromGrpc(
            stub->GiveConsent(&context, request, &response), "GiveConsent");
        absl::MutexLock l(&mu);
        if (!s.ok()) {
          if (first_error.ok()) first_error = s;
          return;
        }
        subjects[i] = response.consent().subject();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (!first_error.ok()) return first_error;
  return subjects;
}

}  // namespace accord::bench
