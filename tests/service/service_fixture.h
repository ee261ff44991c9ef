#ifndef ACCORD_TESTS_SERVICE_SERVICE_FIXTURE_H_
#define ACCORD_TESTS_SERVICE_SERVICE_FIXTURE_H_

// Test-only (service_unit_test): the broker's service objects over an
// in-memory store (StoreOptions::in_memory) and a FakeClock, with no gRPC
// and no broker process, for unit tests of the code below the handlers
// (decider, grant_issuer, grant_flow, key_ring, consent_changes).
//
// Assembled with the broker's own wiring code: OpenAuditedStore (the store
// with its audit log attached), OpenGrantKeys and OpenReceiptKeys (key rings
// with the broker's KeySchedule), PolicyRegistry, RevocationHub, and
// DevDatasetWrites to publish datasets with their policies. Records are
// written through the store's normal write path, each with its audit event.
//
// What lives at the gRPC layer is left out: Env::auth, the rate limiters,
// readiness, the sweeper and the checkpointer are null.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "accord/v1/access.pb.h"
#include "accord/v1/admin.pb.h"
#include "accord/v1/common.pb.h"
#include "broker/http/metrics.h"
#include "broker/service/audited_store.h"
#include "broker/service/caller.h"
#include "broker/service/clock.h"
#include "broker/service/config.h"
#include "broker/service/domain_metrics.h"
#include "broker/service/env.h"
#include "broker/service/key_ring.h"
#include "broker/service/policy_registry.h"
#include "broker/service/revocations.h"
#include "broker/store/store.h"
#include "broker/store/write_set.h"
#include "broker/testing/temp_dir.h"
#include "clients/verifier/grant_verifier.h"

namespace accord::service::testing {

// Where the fixture's FakeClock starts (2023-11-14T22:13:20Z).
inline constexpr int64_t kFixtureStart = 1'700'000'000;

// The certificate thumbprint (`cnf`) of every caller PartnerCaller makes.
inline constexpr absl::string_view kTestThumbprint =
    "dGVzdC1jbGllbnQtY2VydGlmaWNhdGUtc2hhMjU2LXg";

// The demo datasets' ids (demo_content.h).
inline constexpr absl::string_view kBikeStations =
    "rennes.mobility.bike-stations";
inline constexpr absl::string_view kAirQuality =
    "rennes.environment.air-quality";
inline constexpr absl::string_view kHousehold =
    "rennes.energy.household-consumption";

// A PERSONAL dataset `id` with the fields day, kwh and subject.
accord::v1::Dataset PersonalDataset(absl::string_view id);

// The policy of a PERSONAL dataset `dataset_id` under `legal_basis`
// ("consent", "public_task", "legitimate_interest_opt_out"): one rule,
// `rule_id`, permitting partner-demo `purpose` on day, kwh and subject,
// with a quota of `quota_grants` grants a day when not 0.
std::string PersonalPolicy(absl::string_view dataset_id,
                           absl::string_view legal_basis,
                           absl::string_view purpose,
                           absl::string_view rule_id = "the-rule",
                           int quota_grants = 0);

class ServiceFixture {
 public:
  // A fixture whose config is `config` with keys_dir and data_dir in a
  // temporary directory of its own (key rings are files: they are created
  // there; the store is in memory and creates nothing). Errors: those of
  // the parts it opens.
  static absl::StatusOr<std::unique_ptr<ServiceFixture>> Create(
      BrokerConfig config = BrokerConfig());

  ServiceFixture(const ServiceFixture&) = delete;
  ServiceFixture& operator=(const ServiceFixture&) = delete;
  // Closes the store (pending commits run their callbacks) before the rest.
  ~ServiceFixture();

  // What the services share: store, policies, key rings, clock, metrics,
  // audit log and revocation hub.
  const Env& env() const { return env_; }
  store::Store& store() { return *state_.store; }
  FakeClock& clock() { return clock_; }
  const BrokerConfig& config() const { return config_; }
  KeyRing& grant_keys() { return *keys_; }
  KeyRing& receipt_keys() { return *receipt_keys_; }
  PolicyRegistry& policies() { return *policies_; }

  // Commits `ws` and waits for it; the error is the commit's.
  absl::StatusOr<store::CommitResult> Commit(store::WriteSet ws);

  // Adds principal `id` of `role` (a partner of `category`), with its audit
  // event, and drops the cached partner directory.
  absl::Status AddPrincipal(absl::string_view id, accord::v1::Role role,
                            absl::string_view category = "");

  // Publishes `dataset` (produced by the dev producer, producer-demo) with
  // `policy_yaml` as its first policy version, as dev mode does.
  absl::Status PublishDataset(const accord::v1::Dataset& dataset,
                              absl::string_view policy_yaml);
  // The principals of dev mode (producer-demo; partner-demo, academic) and
  // its three demo datasets with the example policies of policy/examples/:
  // OPEN bike stations, RESTRICTED air quality, PERSONAL household
  // consumption (legal basis consent).
  absl::Status PublishDemoContent();

  // What GiveConsent records for a first consent (consent_service.cc,
  // reachable only through its gRPC reactor), written with the same
  // consent_changes.h functions: `subject`'s consent to `partner` for
  // `dataset_id` and `purpose`, GIVEN now by the subject over channel
  // "test", noticed by the dataset's current policy, expiring at
  // `expires_at` (0: never); an objection under a
  // legitimate_interest_opt_out policy, which revokes in the same commit
  // the grants naming the subject (RevokeSubjectGrants, cause
  // "objection"). Committed with its audit event; returned as stored.
  absl::StatusOr<accord::v1::Consent> GiveConsent(absl::string_view subject,
                                                  absl::string_view dataset_id,
                                                  absl::string_view purpose,
                                                  absl::string_view partner,
                                                  int64_t expires_at = 0);

  // The partner `id` as grant_flow sees its authenticated caller, read from
  // the store, presenting the certificate of kTestThumbprint.
  absl::StatusOr<Caller> PartnerCaller(absl::string_view id);

  // What a data service verifies grants for `audience` with
  // (clients/verifier): this broker's issuer, the JWKS of the grant ring as
  // it is at each verification, the fixture's clock. Null when that JWKS
  // does not load.
  std::unique_ptr<verifier::GrantVerifier> MakeGrantVerifier(
      absl::string_view audience);

  // RunGrantRequest, waiting for `done`: the response, or its error.
  absl::StatusOr<accord::v1::RequestGrantResponse> RequestGrant(
      const Caller& caller, const accord::v1::RequestGrantRequest& request,
      absl::Time deadline = absl::InfiniteFuture());

 private:
  ServiceFixture(BrokerConfig config);

  ::accord::testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(kFixtureStart)};
  BrokerConfig config_;
  http::Metrics metrics_;
  DomainMetrics domain_metrics_;
  AuditedStore state_;
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<KeyRing> receipt_keys_;
  std::unique_ptr<PolicyRegistry> policies_;
  std::unique_ptr<RevocationHub> revocations_;
  Env env_;
};

}  // namespace accord::service::testing

#endif  // ACCORD_TESTS_SERVICE_SERVICE_FIXTURE_H_
