#include "tests/trust_clients.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace accord::testing {
namespace {

constexpr char kBikes[] = "rennes.mobility.bike-stations";

}  // namespace

int64_t Now() { return absl::ToUnixSeconds(absl::Now()); }

std::chrono::system_clock::time_point In(absl::Duration d) {
  return absl::ToChronoTime(absl::Now() + d);
}

Client::Client(const BrokerProcess& broker, const ClientIdentity& identity) {
  auto ca = DevCaPem(broker.data_dir());
  REQUIRE(ca.ok());
  channel = OpenChannel(broker.grpc_address(), *ca, identity);
  access = v1::AccessService::NewStub(channel);
  audit = v1::AuditService::NewStub(channel);
  trust = v1::TrustService::NewStub(channel);
  admin = v1::AdminService::NewStub(channel);
}

// Runs `command` through the shell; its exit code.
int Shell(const std::string& command) { return std::system(command.c_str()); }

ClientIdentity Dev(const BrokerProcess& broker, const std::string& name) {
  auto id = DevIdentity(broker.data_dir(), name);
  REQUIRE(id.ok());
  return *id;
}

v1::RequestGrantRequest BikeRequest(uint64_t at_least_as_fresh) {
  v1::RequestGrantRequest r;
  r.set_dataset_id(kBikes);
  r.set_purpose("research-and-development");
  r.set_audience("data.rennes.example");
  r.set_at_least_as_fresh(at_least_as_fresh);
  return r;
}

grpc::Status Grant(const Client& c, const v1::RequestGrantRequest& r,
                   v1::RequestGrantResponse* out, absl::Duration deadline) {
  grpc::ClientContext ctx;
  ctx.set_deadline(In(deadline));
  v1::RequestGrantResponse response;
  return c.access->RequestGrant(&ctx, r, out != nullptr ? out : &response);
}

uint64_t Head(const Client& partner) {
  v1::RequestGrantResponse response;
  REQUIRE(Grant(partner, BikeRequest(), &response).ok());
  return response.revision();
}

// Adds partner `id` (category company) with a certificate the dev CA
// issues now, and returns its identity.
ClientIdentity AddPartner(const BrokerProcess& broker, const std::string& id) {
  auto identity =
      IssueIdentity(broker.data_dir(), id, Now() - 60, Now() + 86400, false);
  REQUIRE(identity.ok());
  Client op(broker, Dev(broker, "operator"));
  v1::AddPrincipalRequest add;
  add.mutable_principal()->set_id(id);
  add.mutable_principal()->set_role(v1::ROLE_PARTNER);
  add.mutable_principal()->set_category("company");
  add.mutable_principal()->set_certificate_uri(
      absl::StrCat("urn:accord:principal:", id));
  grpc::ClientContext ctx;
  ctx.set_deadline(In(absl::Seconds(30)));
  v1::AddPrincipalResponse response;
  grpc::Status s = op.admin->AddPrincipal(&ctx, add, &response);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return *identity;
}

}  // namespace accord::testing
