#include "tests/service/service_fixture.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "broker/crypto/random.h"
#include "broker/dev/dev_layout.h"
#include "broker/service/audit_events.h"
#include "broker/service/consent_changes.h"
#include "broker/service/demo_content.h"
#include "broker/service/dev_mode.h"
#include "broker/service/grant_flow.h"
#include "broker/service/key_material.h"
#include "policy/taxonomy.h"

namespace accord::service::testing {

accord::v1::Dataset PersonalDataset(absl::string_view id) {
  accord::v1::Dataset d;
  d.set_id(std::string(id));
  d.set_title(absl::StrCat("test dataset ", id));
  d.set_classification(accord::v1::CLASSIFICATION_PERSONAL);
  for (const char* field : {"day", "kwh", "subject"}) d.add_fields(field);
  return d;
}

std::string PersonalPolicy(absl::string_view dataset_id,
                           absl::string_view legal_basis,
                           absl::string_view purpose, absl::string_view rule_id,
                           int quota_grants) {
  std::string yaml = absl::StrCat(
      "dataset: ", dataset_id, "\n", "legal_basis: ", legal_basis, "\n",
      "rules:\n", "  - id: ", rule_id, "\n", "    effect: permit\n",
      "    assignees:\n", "      principals: [", dev::kPartner, "]\n",
      "    purposes: [", purpose, "]\n", "    fields: [day, kwh, subject]\n");
  if (quota_grants > 0) {
    absl::StrAppend(&yaml, "    quota: {grants: ", quota_grants,
                    ", per: 1d}\n");
  }
  return yaml;
}

ServiceFixture::ServiceFixture(BrokerConfig config)
    : config_(std::move(config)) {
  config_.data_dir = dir_.sub("var");
  config_.keys_dir = dir_.sub("keys");
}

ServiceFixture::~ServiceFixture() {
  if (revocations_ != nullptr) revocations_->Close();
  if (state_.store != nullptr) state_.store->Close();
}

absl::StatusOr<std::unique_ptr<ServiceFixture>> ServiceFixture::Create(
    BrokerConfig config) {
  std::unique_ptr<ServiceFixture> f(new ServiceFixture(std::move(config)));
  store::StoreOptions options;
  options.in_memory = true;
  auto opened = OpenAuditedStore(StoreDir(f->config_), options);
  if (!opened.ok()) return opened.status();
  f->state_ = *std::move(opened);
  auto keys = OpenGrantKeys(f->config_, /*create=*/true, &f->clock_);
  if (!keys.ok()) return keys.status();
  f->keys_ = *std::move(keys);
  auto receipt_keys = OpenReceiptKeys(f->config_, /*create=*/true, &f->clock_);
  if (!receipt_keys.ok()) return receipt_keys.status();
  f->receipt_keys_ = *std::move(receipt_keys);
  auto taxonomy = policy::Taxonomy::Default();
  if (!taxonomy.ok()) return taxonomy.status();
  f->policies_ = std::make_unique<PolicyRegistry>(f->state_.store.get(),
                                                  *std::move(taxonomy));
  f->revocations_ = std::make_unique<RevocationHub>(f->state_.store.get());

  Env& env = f->env_;
  env.config = &f->config_;
  env.store = f->state_.store.get();
  env.policies = f->policies_.get();
  env.keys = f->keys_.get();
  env.receipt_keys = f->receipt_keys_.get();
  env.clock = &f->clock_;
  env.metrics = &f->metrics_;
  env.domain_metrics = &f->domain_metrics_;
  env.log = f->state_.log.get();
  env.revocations = f->revocations_.get();
  return f;
}

absl::StatusOr<store::CommitResult> ServiceFixture::Commit(store::WriteSet ws) {
  return state_.store->CommitAndWait(std::move(ws));
}

absl::Status ServiceFixture::AddPrincipal(absl::string_view id,
                                          accord::v1::Role role,
                                          absl::string_view category) {
  accord::v1::Principal p;
  p.set_id(std::string(id));
  p.set_role(role);
  p.set_category(std::string(category));
  p.set_certificate_uri(absl::StrCat(dev::kPrincipalUriPrefix, id));
  store::WriteSet ws;
  ws.PutPrincipal(p);
  ws.AddAuditEvent(PrincipalEvent("test", p.id(), "put", clock_.NowSeconds()));
  auto committed = Commit(std::move(ws));
  if (!committed.ok()) return committed.status();
  policies_->InvalidateDirectory();
  return absl::OkStatus();
}

absl::Status ServiceFixture::PublishDataset(const accord::v1::Dataset& dataset,
                                            absl::string_view policy_yaml) {
  auto ws = DevDatasetWrites(*policies_, dataset, policy_yaml,
                             absl::StrCat(dataset.id(), ".policy.yaml"),
                             clock_.NowSeconds());
  if (!ws.ok()) return ws.status();
  auto committed = Commit(*std::move(ws));
  if (!committed.ok()) return committed.status();
  policies_->InvalidateDataset(dataset.id());
  return absl::OkStatus();
}

absl::Status ServiceFixture::PublishDemoContent() {
  if (absl::Status s = AddPrincipal(dev::kProducer, accord::v1::ROLE_PRODUCER);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          AddPrincipal(dev::kPartner, accord::v1::ROLE_PARTNER, "academic");
      !s.ok()) {
    return s;
  }
  for (const DemoDataset& demo : DemoDatasets()) {
    if (absl::Status s = PublishDataset(demo.dataset, demo.policy_yaml);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<accord::v1::Consent> ServiceFixture::GiveConsent(
    absl::string_view subject, absl::string_view dataset_id,
    absl::string_view purpose, absl::string_view partner, int64_t expires_at) {
  auto current = policies_->Current(dataset_id);
  if (!current.ok()) return current.status();
  const bool objection = (*current)->compiled.legal_basis() ==
                         policy::LegalBasis::kLegitimateInterestOptOut;
  const int64_t now = clock_.NowSeconds();
  accord::v1::Consent c;
  c.set_id(crypto::RandomId());
  c.set_subject(std::string(subject));
  c.set_dataset_id(std::string(dataset_id));
  c.set_purpose(std::string(purpose));
  c.mutable_recipient()->set_partner(std::string(partner));
  c.set_objection(objection);
  *c.mutable_notice() = (*current)->ref;
  c.set_legal_basis(objection
                        ? accord::v1::LEGAL_BASIS_LEGITIMATE_INTEREST_OPT_OUT
                        : accord::v1::LEGAL_BASIS_CONSENT);
  c.set_given_at(now);
  c.set_expires_at(expires_at);
  AddEvent(c, accord::v1::CONSENT_STATE_GIVEN, now, "subject", "test");
  store::WriteSet ws;
  PutChange(ws, c, accord::v1::CONSENT_STATE_GIVEN, now);
  if (objection) {
    if (absl::Status s = RevokeSubjectGrants(env_, ws, c, now, "objection");
        !s.ok()) {
      return s;
    }
  }
  auto committed = Commit(std::move(ws));
  if (!committed.ok()) return committed.status();
  return state_.store->GetConsent(c.id());
}

absl::StatusOr<Caller> ServiceFixture::PartnerCaller(absl::string_view id) {
  auto principal = state_.store->GetPrincipal(id);
  if (!principal.ok()) return principal.status();
  Caller caller;
  caller.principal = *std::move(principal);
  caller.cert_thumbprint = std::string(kTestThumbprint);
  return caller;
}

std::unique_ptr<verifier::GrantVerifier> ServiceFixture::MakeGrantVerifier(
    absl::string_view audience) {
  KeyRing* ring = keys_.get();
  FakeClock* clock = &clock_;
  verifier::JwksSource::Options source;
  source.min_refresh_interval = absl::ZeroDuration();
  source.now = [clock] { return clock->Now(); };
  // Max-age 0: loaded again before every verification, so a key the ring
  // no longer publishes stops verifying at once.
  auto keys = verifier::JwksSource::FromLoader(
      [ring]() -> absl::StatusOr<verifier::JwksDocument> {
        return verifier::JwksDocument(ring->JwksJson(), absl::ZeroDuration());
      },
      source);
  if (!keys.ok()) return nullptr;
  verifier::GrantVerifierOptions options;
  options.audience = std::string(audience);
  options.issuer = config_.grant_issuer;
  options.skew_seconds = config_.clock_skew_seconds;
  options.now = [clock] { return clock->Now(); };
  return std::make_unique<verifier::GrantVerifier>(*std::move(keys), options);
}

absl::StatusOr<accord::v1::RequestGrantResponse> ServiceFixture::RequestGrant(
    const Caller& caller, const accord::v1::RequestGrantRequest& request,
    absl::Time deadline) {
  accord::v1::RequestGrantResponse response;
  absl::Status outcome;
  absl::Notification done;
  RunGrantRequest(
      env_, caller, request, &response,
      [&outcome, &done](absl::Status s) {
        outcome = std::move(s);
        done.Notify();
      },
      deadline);
  done.WaitForNotification();
  if (!outcome.ok()) return outcome;
  return response;
}

}  // namespace accord::service::testing
