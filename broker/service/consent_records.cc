#include "broker/service/consent_records.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/formats/json.h"

namespace accord::service {
namespace {

namespace v1 = ::accord::v1;
using formats::JsonValue;

constexpr absl::string_view kSchemaVersion = "ISO/IEC TS 27560:2023";

std::string Rfc3339(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

// An RFC 3339 time, or null for 0.
JsonValue TimeOrNull(int64_t unix_seconds) {
  return unix_seconds == 0 ? JsonValue() : JsonValue(Rfc3339(unix_seconds));
}

absl::string_view StateWord(v1::ConsentState state) {
  switch (state) {
    case v1::CONSENT_STATE_GIVEN:
      return "given";
    case v1::CONSENT_STATE_WITHDRAWN:
      return "withdrawn";
    case v1::CONSENT_STATE_EXPIRED:
      return "expired";
    case v1::CONSENT_STATE_REFUSED:
      return "refused";
    default:
      return "";
  }
}

std::pair<absl::string_view, absl::string_view> LawfulBasis(
    v1::LegalBasis basis) {
  switch (basis) {
    case v1::LEGAL_BASIS_CONSENT:
      return {"consent", "https://w3id.org/dpv#Consent"};
    case v1::LEGAL_BASIS_PUBLIC_TASK:
      return {"public-task", "https://w3id.org/dpv#PublicInterest"};
    case v1::LEGAL_BASIS_LEGITIMATE_INTEREST_OPT_OUT:
      return {"legitimate-interest", "https://w3id.org/dpv#LegitimateInterest"};
    default:
      return {"", ""};
  }
}

absl::string_view RecordType(const v1::Consent& consent) {
  if (consent.objection()) return "objection";
  if (consent.state() == v1::CONSENT_STATE_REFUSED) return "refusal";
  return "consent";
}

JsonValue Notice(const v1::Consent& consent) {
  JsonValue notice = JsonValue::Object();
  const bool from_request = !consent.request_id().empty();
  notice.Set("notice_id", from_request
                              ? consent.request_id()
                              : absl::StrCat("policy:", consent.dataset_id(),
                                             "@", consent.notice().version()));
  notice.Set("request_id",
             from_request ? JsonValue(consent.request_id()) : JsonValue());
  notice.Set("request_version",
             from_request
                 ? JsonValue(static_cast<long long>(consent.request_version()))
                 : JsonValue());
  notice.Set("notice_hash",
             from_request ? JsonValue(consent.notice_hash()) : JsonValue());
  notice.Set("policy_version",
             static_cast<long long>(consent.notice().version()));
  notice.Set("policy_hash", consent.notice().hash());
  return notice;
}

JsonValue Recipients(const v1::Recipient& recipient) {
  JsonValue one = JsonValue::Object();
  if (recipient.kind_case() == v1::Recipient::kPartner) {
    one.Set("partner", recipient.partner());
  } else if (recipient.kind_case() == v1::Recipient::kCategory) {
    one.Set("category", recipient.category());
  }
  return JsonValue::Array().Push(std::move(one));
}

// The dataset's producer, then, for a consent answering a known request,
// the requesting partner with the responsible the request names.
JsonValue Controllers(const v1::Consent& consent, const v1::Dataset& dataset,
                      const ConsentRecordsContext& context) {
  JsonValue controllers = JsonValue::Array();
  controllers.Push(JsonValue::Object()
                       .Set("id", dataset.producer())
                       .Set("role", "producer"));
  auto request = context.requests.find(consent.request_id());
  if (!consent.request_id().empty() && request != context.requests.end()) {
    const v1::Responsible& responsible =
        request->second.current().responsible();
    controllers.Push(
        JsonValue::Object()
            .Set("id", request->second.partner())
            .Set("role", "requester")
            .Set("name", responsible.organisation())
            .Set("contact", JsonValue::Object()
                                .Set("name", responsible.name())
                                .Set("role", responsible.role())
                                .Set("email", responsible.email())));
  }
  return controllers;
}

// The ids of `controllers`.
JsonValue ControllerIds(const JsonValue& controllers) {
  JsonValue ids = JsonValue::Array();
  for (const JsonValue& c : *controllers.AsArray()) ids.Push(*c.Find("id"));
  return ids;
}

JsonValue Purpose(const v1::Consent& consent, const v1::Dataset& dataset,
                  const ConsentRecordsContext& context) {
  JsonValue purpose = JsonValue::Object();
  purpose.Set("purpose_id", consent.purpose());
  if (context.taxonomy != nullptr) {
    JsonValue label = JsonValue::Object();
    label.Set("fr", context.taxonomy->Label(consent.purpose(),
                                            policy::Language::kFr));
    label.Set("en", context.taxonomy->Label(consent.purpose(),
                                            policy::Language::kEn));
    purpose.Set("purpose", std::move(label));
    std::string iri = context.taxonomy->DpvIri(consent.purpose());
    purpose.Set("purpose_dpv", iri.empty() ? JsonValue() : JsonValue(iri));
  }
  auto [basis, basis_dpv] = LawfulBasis(consent.legal_basis());
  purpose.Set("lawful_basis", basis);
  purpose.Set("lawful_basis_dpv", basis_dpv);
  JsonValue pii = JsonValue::Array();
  for (const std::string& field : consent.fields()) pii.Push(field);
  if (consent.fields().empty()) pii.Push("*");
  purpose.Set("pii_information", std::move(pii));
  purpose.Set("pii_controllers",
              ControllerIds(Controllers(consent, dataset, context)));
  JsonValue processing = JsonValue::Object();
  processing.Set("dataset_id", consent.dataset_id())
      .Set("dataset_title", dataset.title())
      .Set("operations", JsonValue::Array().Push("access"));
  purpose.Set("processing", std::move(processing));
  purpose.Set("recipients", Recipients(consent.recipient()));
  purpose.Set("duration", JsonValue::Object().Set(
                              "expires_at", TimeOrNull(consent.expires_at())));
  return purpose;
}

// The events, and the times of each kind of event, into `record`.
void Events(const v1::Consent& consent, JsonValue* record) {
  JsonValue events = JsonValue::Array();
  int64_t given = 0, renewed = 0, withdrawn = 0, expired = 0, refused = 0;
  for (const v1::ConsentEvent& e : consent.events()) {
    absl::string_view type = StateWord(e.state());
    switch (e.state()) {
      case v1::CONSENT_STATE_GIVEN:
        if (given == 0) {
          given = e.at();
        } else {
          renewed = e.at();
          type = "renewed";
        }
        break;
      case v1::CONSENT_STATE_WITHDRAWN:
        withdrawn = e.at();
        break;
      case v1::CONSENT_STATE_EXPIRED:
        expired = e.at();
        break;
      case v1::CONSENT_STATE_REFUSED:
        refused = e.at();
        break;
      default:
        break;
    }
    JsonValue event = JsonValue::Object();
    event.Set("event_time", Rfc3339(e.at()))
        .Set("event_type", type)
        .Set("event_by", e.actor() == "subject" ? "pii_principal" : e.actor())
        .Set("event_state", StateWord(e.state()))
        .Set("collection_method", e.channel())
        .Set("revision", static_cast<long long>(e.revision()));
    events.Push(std::move(event));
  }
  if (given == 0 && consent.state() == v1::CONSENT_STATE_GIVEN) {
    given = consent.given_at();
  }
  record->Set("given_at", TimeOrNull(given))
      .Set("renewed_at", TimeOrNull(renewed))
      .Set("withdrawn_at", TimeOrNull(withdrawn))
      .Set("expired_at", TimeOrNull(expired))
      .Set("refused_at", TimeOrNull(refused))
      .Set("expires_at", TimeOrNull(consent.expires_at()))
      .Set("events", std::move(events));
}

absl::StatusOr<JsonValue> Record(const v1::Consent& consent, size_t index,
                                 const ConsentRecordsContext& context) {
  const std::string where = absl::StrCat("consents[", index, "]");
  auto dataset = context.datasets.find(consent.dataset_id());
  if (dataset == context.datasets.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".dataset_id: no controller known for dataset '",
                     consent.dataset_id(), "'"));
  }
  if (StateWord(consent.state()).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".state: unspecified"));
  }
  JsonValue record = JsonValue::Object();
  record.Set("schema_version", kSchemaVersion)
      .Set("record_id", consent.id())
      .Set("pii_principal_id", consent.subject())
      .Set("record_type", RecordType(consent))
      .Set("consent_type", consent.objection() ? "opt-out" : "explicit")
      .Set("consent_status", StateWord(consent.state()))
      .Set("collection_method", consent.events().empty()
                                    ? JsonValue()
                                    : JsonValue(consent.events(0).channel()))
      .Set("language", "fr")
      .Set("jurisdiction", "EU")
      .Set("notice", Notice(consent))
      .Set("purposes",
           JsonValue::Array().Push(Purpose(consent, dataset->second, context)))
      .Set("pii_controllers", Controllers(consent, dataset->second, context))
      .Set("pii_processors", JsonValue::Array().Push(JsonValue::Object().Set(
                                 "id", context.issuer)));
  Events(consent, &record);
  return record;
}

}  // namespace

absl::StatusOr<std::string> ConsentRecordsDocument(
    absl::Span<const v1::Consent> consents,
    const ConsentRecordsContext& context, int64_t now) {
  JsonValue records = JsonValue::Array();
  for (size_t i = 0; i < consents.size(); ++i) {
    absl::StatusOr<JsonValue> record = Record(consents[i], i, context);
    if (!record.ok()) return record.status();
    records.Push(*std::move(record));
  }
  JsonValue document = JsonValue::Object();
  document.Set("format", "accord-consent-records/1")
      .Set("conforms_to", kSchemaVersion)
      .Set("issuer", context.issuer)
      .Set("generated_at", Rfc3339(now))
      .Set("records", std::move(records));
  return document.Serialize();
}

}  // namespace accord::service
