#include "broker/service/consent_records.h"

#include <catch2/catch.hpp>

#include "broker/formats/json.h"

namespace accord::service {
namespace {

namespace v1 = ::accord::v1;
using formats::JsonValue;

constexpr int64_t kDay = 86400;
constexpr int64_t kGiven = 1777636800;  // 2026-05-01T12:00:00Z

v1::ConsentEvent Event(v1::ConsentState state, int64_t at,
                       const std::string& actor, const std::string& channel,
                       uint64_t revision) {
  v1::ConsentEvent e;
  e.set_state(state);
  e.set_at(at);
  e.set_actor(actor);
  e.set_channel(channel);
  e.set_revision(revision);
  return e;
}

// A consent answering version 2 of request r-1, given, renewed, withdrawn.
v1::Consent RequestConsent() {
  v1::Consent c;
  c.set_id("c-1");
  c.set_subject("UHNldWRvbnltZQ");
  c.set_dataset_id("rennes.energy.household-consumption");
  c.set_purpose("public-benefit.energy");
  c.mutable_recipient()->set_partner("partner-demo");
  c.mutable_notice()->set_version(3);
  c.mutable_notice()->set_hash("ab12");
  c.set_legal_basis(v1::LEGAL_BASIS_CONSENT);
  c.set_given_at(kGiven);
  c.set_expires_at(kGiven + 180 * kDay);
  c.set_state(v1::CONSENT_STATE_WITHDRAWN);
  c.set_request_id("r-1");
  c.set_request_version(2);
  c.set_notice_hash("cd34");
  c.add_fields("day");
  c.add_fields("kwh");
  *c.add_events() = Event(v1::CONSENT_STATE_GIVEN, kGiven, "subject", "app", 7);
  *c.add_events() =
      Event(v1::CONSENT_STATE_GIVEN, kGiven + kDay, "subject", "cli", 9);
  *c.add_events() = Event(v1::CONSENT_STATE_WITHDRAWN, kGiven + 2 * kDay,
                          "subject", "app", 12);
  return c;
}

ConsentRecordsContext Context() {
  ConsentRecordsContext context;
  context.issuer = "accord-dev";
  v1::Dataset dataset;
  dataset.set_id("rennes.energy.household-consumption");
  dataset.set_producer("producer-demo");
  dataset.set_title("Household energy consumption, daily");
  context.datasets[dataset.id()] = dataset;
  v1::ConsentRequest request;
  request.set_id("r-1");
  request.set_partner("partner-demo");
  v1::Responsible* r = request.mutable_current()->mutable_responsible();
  r->set_organisation("Université de Rennes");
  r->set_name("Délégué à la protection des données");
  r->set_role("dpo");
  r->set_email("dpo@univ-rennes.example");
  context.requests["r-1"] = request;
  return context;
}

JsonValue Parse(const absl::StatusOr<std::string>& text) {
  REQUIRE(text.ok());
  absl::StatusOr<JsonValue> json = formats::ParseJson(*text);
  REQUIRE(json.ok());
  return *json;
}

std::string Str(const JsonValue& v, absl::string_view key) {
  const JsonValue* m = v.Find(key);
  return m != nullptr && m->AsString() != nullptr ? *m->AsString() : "<none>";
}

bool IsNull(const JsonValue& v, absl::string_view key) {
  const JsonValue* m = v.Find(key);
  return m != nullptr && m->is_null();
}

const JsonValue& Only(const JsonValue& v, absl::string_view key) {
  const JsonValue* m = v.Find(key);
  REQUIRE(m != nullptr);
  REQUIRE(m->AsArray() != nullptr);
  REQUIRE(m->AsArray()->size() == 1);
  return m->AsArray()->front();
}

TEST_CASE("consent records: the document header") {
  JsonValue doc = Parse(
      ConsentRecordsDocument({RequestConsent()}, Context(), kGiven + 3 * kDay));
  CHECK(Str(doc, "format") == "accord-consent-records/1");
  CHECK(Str(doc, "conforms_to") == "ISO/IEC TS 27560:2023");
  CHECK(Str(doc, "issuer") == "accord-dev");
  CHECK(Str(doc, "generated_at") == "2026-05-04T12:00:00Z");
  REQUIRE(doc.Find("records")->AsArray()->size() == 1);
}

TEST_CASE("consent records: a request consent field by field") {
  JsonValue doc =
      Parse(ConsentRecordsDocument({RequestConsent()}, Context(), kGiven));
  const JsonValue& r = Only(doc, "records");
  CHECK(Str(r, "schema_version") == "ISO/IEC TS 27560:2023");
  CHECK(Str(r, "record_id") == "c-1");
  CHECK(Str(r, "pii_principal_id") == "UHNldWRvbnltZQ");
  CHECK(Str(r, "record_type") == "consent");
  CHECK(Str(r, "consent_type") == "explicit");
  CHECK(Str(r, "consent_status") == "withdrawn");
  CHECK(Str(r, "collection_method") == "app");
  CHECK(Str(r, "language") == "fr");
  CHECK(Str(r, "jurisdiction") == "EU");

  const JsonValue& notice = *r.Find("notice");
  CHECK(Str(notice, "notice_id") == "r-1");
  CHECK(Str(notice, "request_id") == "r-1");
  CHECK(notice.Find("request_version")->AsInt64() == 2);
  CHECK(Str(notice, "notice_hash") == "cd34");
  CHECK(notice.Find("policy_version")->AsInt64() == 3);
  CHECK(Str(notice, "policy_hash") == "ab12");

  const JsonValue& p = Only(r, "purposes");
  CHECK(Str(p, "purpose_id") == "public-benefit.energy");
  CHECK(p.Find("purpose") == nullptr);  // no taxonomy given
  CHECK(Str(p, "lawful_basis") == "consent");
  CHECK(Str(p, "lawful_basis_dpv") == "https://w3id.org/dpv#Consent");
  const auto& pii = *p.Find("pii_information")->AsArray();
  REQUIRE(pii.size() == 2);
  CHECK(*pii[0].AsString() == "day");
  CHECK(*pii[1].AsString() == "kwh");
  CHECK(*p.Find("pii_controllers")->AsArray()->at(0).AsString() ==
        "producer-demo");
  const JsonValue& processing = *p.Find("processing");
  CHECK(Str(processing, "dataset_id") == "rennes.energy.household-consumption");
  CHECK(Str(processing, "dataset_title") ==
        "Household energy consumption, daily");
  CHECK(*Only(processing, "operations").AsString() == "access");
  CHECK(Str(Only(p, "recipients"), "partner") == "partner-demo");
  CHECK(Str(*p.Find("duration"), "expires_at") == "2026-10-28T12:00:00Z");

  const auto& controllers = *r.Find("pii_controllers")->AsArray();
  REQUIRE(controllers.size() == 2);
  CHECK(Str(controllers[0], "id") == "producer-demo");
  CHECK(Str(controllers[0], "role") == "producer");
  CHECK(Str(controllers[1], "id") == "partner-demo");
  CHECK(Str(controllers[1], "role") == "requester");
  CHECK(Str(controllers[1], "name") == "Université de Rennes");
  CHECK(Str(*controllers[1].Find("contact"), "role") == "dpo");
  CHECK(Str(*controllers[1].Find("contact"), "email") ==
        "dpo@univ-rennes.example");
  const auto& purpose_controllers = *p.Find("pii_controllers")->AsArray();
  REQUIRE(purpose_controllers.size() == 2);
  CHECK(*purpose_controllers[1].AsString() == "partner-demo");
  CHECK(Str(Only(r, "pii_processors"), "id") == "accord-dev");

  CHECK(Str(r, "given_at") == "2026-05-01T12:00:00Z");
  CHECK(Str(r, "renewed_at") == "2026-05-02T12:00:00Z");
  CHECK(Str(r, "withdrawn_at") == "2026-05-03T12:00:00Z");
  CHECK(IsNull(r, "expired_at"));
  CHECK(IsNull(r, "refused_at"));
  CHECK(Str(r, "expires_at") == "2026-10-28T12:00:00Z");

  const auto& events = *r.Find("events")->AsArray();
  REQUIRE(events.size() == 3);
  CHECK(Str(events[0], "event_type") == "given");
  CHECK(Str(events[0], "event_time") == "2026-05-01T12:00:00Z");
  CHECK(Str(events[0], "event_by") == "pii_principal");
  CHECK(Str(events[0], "event_state") == "given");
  CHECK(Str(events[0], "collection_method") == "app");
  CHECK(events[0].Find("revision")->AsInt64() == 7);
  CHECK(Str(events[1], "event_type") == "renewed");
  CHECK(Str(events[1], "collection_method") == "cli");
  CHECK(Str(events[2], "event_type") == "withdrawn");
  CHECK(Str(events[2], "event_state") == "withdrawn");
}

TEST_CASE("consent records: a consent given against the policy") {
  v1::Consent c = RequestConsent();
  c.clear_request_id();
  c.clear_request_version();
  c.clear_notice_hash();
  c.clear_fields();
  c.clear_expires_at();
  c.mutable_recipient()->set_category("academic");
  c.set_state(v1::CONSENT_STATE_EXPIRED);
  c.clear_events();
  *c.add_events() =
      Event(v1::CONSENT_STATE_GIVEN, kGiven, "subject", "grpc", 3);
  *c.add_events() =
      Event(v1::CONSENT_STATE_EXPIRED, kGiven + kDay, "broker", "", 5);
  auto taxonomy = policy::Taxonomy::Default();
  REQUIRE(taxonomy.ok());
  ConsentRecordsContext context = Context();
  context.taxonomy = &*taxonomy;
  JsonValue doc = Parse(ConsentRecordsDocument({c}, context, kGiven));
  const JsonValue& r = Only(doc, "records");
  const JsonValue& notice = *r.Find("notice");
  CHECK(Str(notice, "notice_id") ==
        "policy:rennes.energy.household-consumption@3");
  CHECK(IsNull(notice, "request_id"));
  CHECK(IsNull(notice, "request_version"));
  CHECK(IsNull(notice, "notice_hash"));
  const JsonValue& p = Only(r, "purposes");
  CHECK(*Only(p, "pii_information").AsString() == "*");
  CHECK(Str(Only(p, "recipients"), "category") == "academic");
  CHECK(IsNull(*p.Find("duration"), "expires_at"));
  CHECK(Str(*p.Find("purpose"), "fr") != "");
  CHECK(Str(*p.Find("purpose"), "en") != "");
  CHECK(Str(Only(r, "pii_controllers"), "id") == "producer-demo");
  CHECK(*Only(p, "pii_controllers").AsString() == "producer-demo");
  CHECK(Str(r, "consent_status") == "expired");
  CHECK(Str(r, "expired_at") == "2026-05-02T12:00:00Z");
  CHECK(IsNull(r, "expires_at"));
  const auto& events = *r.Find("events")->AsArray();
  REQUIRE(events.size() == 2);
  CHECK(Str(events[1], "event_by") == "broker");
  CHECK(Str(events[1], "event_type") == "expired");
}

TEST_CASE("consent records: refusals and objections") {
  v1::Consent refusal = RequestConsent();
  refusal.set_id("c-2");
  refusal.set_state(v1::CONSENT_STATE_REFUSED);
  refusal.clear_events();
  *refusal.add_events() =
      Event(v1::CONSENT_STATE_REFUSED, kGiven, "subject", "app", 4);
  v1::Consent objection = RequestConsent();
  objection.set_id("c-3");
  objection.clear_request_id();
  objection.set_objection(true);
  objection.set_legal_basis(v1::LEGAL_BASIS_LEGITIMATE_INTEREST_OPT_OUT);
  objection.set_state(v1::CONSENT_STATE_GIVEN);
  objection.clear_events();
  JsonValue doc =
      Parse(ConsentRecordsDocument({refusal, objection}, Context(), kGiven));
  const auto& records = *doc.Find("records")->AsArray();
  REQUIRE(records.size() == 2);
  CHECK(Str(records[0], "record_type") == "refusal");
  CHECK(Str(records[0], "consent_type") == "explicit");
  CHECK(Str(records[0], "consent_status") == "refused");
  CHECK(Str(records[0], "refused_at") == "2026-05-01T12:00:00Z");
  CHECK(IsNull(records[0], "given_at"));
  CHECK(Str(records[1], "record_type") == "objection");
  CHECK(Str(records[1], "consent_type") == "opt-out");
  CHECK(IsNull(records[1], "collection_method"));
  CHECK(Str(records[1], "given_at") == "2026-05-01T12:00:00Z");
  CHECK(Str(Only(records[1], "purposes"), "lawful_basis") ==
        "legitimate-interest");
}

TEST_CASE("consent records: no consent gives an empty list") {
  JsonValue doc = Parse(ConsentRecordsDocument({}, Context(), kGiven));
  CHECK(doc.Find("records")->AsArray()->empty());
}

TEST_CASE("consent records: errors name the field") {
  v1::Consent unknown = RequestConsent();
  unknown.set_dataset_id("nowhere");
  auto bad = ConsentRecordsDocument({RequestConsent(), unknown}, Context(), 0);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("consents[1].dataset_id") == 0);
  v1::Consent unspecified = RequestConsent();
  unspecified.clear_state();
  auto bad_state = ConsentRecordsDocument({unspecified}, Context(), 0);
  REQUIRE_FALSE(bad_state.ok());
  CHECK(bad_state.status().message().find("consents[0].state") == 0);
}

}  // namespace
}  // namespace accord::service
