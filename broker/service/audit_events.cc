#include "broker/service/audit_events.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/auditlog/entry.h"

namespace accord::service {
namespace {

accord::v1::AuditEvent Base(accord::v1::EventType type, absl::string_view actor,
                            int64_t now) {
  accord::v1::AuditEvent e;
  e.set_type(type);
  e.set_actor(std::string(actor));
  e.set_time(now);
  return e;
}

}  // namespace

std::string SubjectActor(absl::string_view /*pseudonym*/) {
  return auditlog::kCitizenActor;
}

accord::v1::AuditEvent DatasetEvent(absl::string_view actor,
                                    const accord::v1::Dataset& dataset,
                                    int64_t now) {
  auto e = Base(accord::v1::EVENT_TYPE_DATASET, actor, now);
  e.set_dataset_id(dataset.id());
  (*e.mutable_detail())["classification"] =
      accord::v1::Classification_Name(dataset.classification());
  (*e.mutable_detail())["fields"] = absl::StrJoin(dataset.fields(), ",");
  return e;
}

accord::v1::AuditEvent DatasetRefusedEvent(
    absl::string_view actor, const accord::v1::Dataset& dataset,
    uint64_t policy_version, const std::vector<std::string>& fields_in_use,
    int64_t now) {
  auto e = DatasetEvent(actor, dataset, now);
  auto& d = *e.mutable_detail();
  d["change"] = "refused";
  d["policy_version"] = absl::StrCat(policy_version);
  d["fields_in_use"] = absl::StrJoin(fields_in_use, ",");
  return e;
}

accord::v1::AuditEvent ForcedDatasetEvent(
    absl::string_view actor, const accord::v1::Dataset& dataset,
    absl::string_view reason, uint64_t policy_version,
    const std::vector<std::string>& fields_in_use, int64_t now) {
  auto e = DatasetEvent(actor, dataset, now);
  auto& d = *e.mutable_detail();
  d["change"] = "forced";
  d["reason"] = std::string(reason);
  if (policy_version != 0) {
    d["policy_version"] = absl::StrCat(policy_version);
    d["policy_no_longer_applies"] = "true";
    d["fields_in_use"] = absl::StrJoin(fields_in_use, ",");
  }
  return e;
}

accord::v1::AuditEvent PolicyEvent(absl::string_view actor,
                                   absl::string_view dataset_id,
                                   const accord::v1::PolicyRef& ref,
                                   int64_t now) {
  auto e = Base(accord::v1::EVENT_TYPE_POLICY, actor, now);
  e.set_dataset_id(std::string(dataset_id));
  (*e.mutable_detail())["policy_version"] = absl::StrCat(ref.version());
  (*e.mutable_detail())["policy_hash"] = ref.hash();
  return e;
}

accord::v1::AuditEvent DecisionEvent(absl::string_view partner,
                                     absl::string_view dataset_id,
                                     absl::string_view purpose,
                                     const accord::v1::Decision& decision,
                                     absl::string_view grant_id,
                                     const std::vector<std::string>& subjects,
                                     int64_t now) {
  auto e = Base(accord::v1::EVENT_TYPE_DECISION, partner, now);
  e.set_dataset_id(std::string(dataset_id));
  e.set_purpose(std::string(purpose));
  e.set_decision(decision.outcome());
  *e.mutable_reasons() = decision.reasons();
  e.set_grant_id(std::string(grant_id));
  for (const std::string& s : subjects) e.add_subjects(s);
  (*e.mutable_detail())["policy_version"] =
      absl::StrCat(decision.policy().version());
  (*e.mutable_detail())["policy_hash"] = decision.policy().hash();
  if (!decision.fields().empty()) {
    (*e.mutable_detail())["fields"] = absl::StrJoin(decision.fields(), ",");
  }
  return e;
}

accord::v1::AuditEvent ExplainEvent(absl::string_view actor,
                                    absl::string_view partner,
                                    absl::string_view dataset_id,
                                    absl::string_view purpose,
                                    size_t subjects_asked, int64_t now) {
  auto e = Base(accord::v1::EVENT_TYPE_EXPLAIN, actor, now);
  e.set_dataset_id(std::string(dataset_id));
  e.set_purpose(std::string(purpose));
  (*e.mutable_detail())["partner"] = std::string(partner);
  (*e.mutable_detail())["subjects_asked"] = absl::StrCat(subjects_asked);
  return e;
}

accord::v1::AuditEvent ConsentChangeEvent(const accord::v1::Consent& consent,
                                          accord::v1::ConsentState state,
                                          int64_t now) {
  auto e = Base(accord::v1::EVENT_TYPE_CONSENT, SubjectActor(consent.subject()),
                now);
  e.set_dataset_id(consent.dataset_id());
  e.set_purpose(consent.purpose());
  e.add_subjects(consent.subject());
  auto& d = *e.mutable_detail();
  d["consent_id"] = consent.id();
  d["state"] = accord::v1::ConsentState_Name(state);
  d["recipient"] =
      consent.recipient().has_partner()
          ? consent.recipient().partner()
          : absl::StrCat("category:", consent.recipient().category());
  d["notice_version"] = absl::StrCat(consent.notice().version());
  d["notice_hash"] = consent.notice().hash();
  if (consent.objection()) d["objection"] = "true";
  if (!consent.request_id().empty()) {
    d["request_id"] = consent.request_id();
    d["request_version"] = absl::StrCat(consent.request_version());
    d["request_notice_hash"] = consent.notice_hash();
  }
  return e;
}

accord::v1::AuditEvent ConsentRequestChangeEvent(
    absl::string_view actor, const accord::v1::ConsentRequest& request,
    const accord::v1::ConsentRequestEvent& change) {
  auto e = Base(accord::v1::EVENT_TYPE_CONSENT_REQUEST, actor, change.at());
  const accord::v1::ConsentRequestSpec& spec =
      request.current().dataset_id().empty() ? request.proposed()
                                             : request.current();
  e.set_dataset_id(spec.dataset_id());
  e.set_purpose(spec.purpose());
  auto& d = *e.mutable_detail();
  d["request_id"] = request.id();
  d["partner"] = request.partner();
  d["state"] = accord::v1::ConsentRequestState_Name(change.state());
  d["version"] = absl::StrCat(change.version());
  if (change.state() == accord::v1::CONSENT_REQUEST_STATE_OPEN &&
      change.version() == request.version()) {
    d["notice_hash"] = request.notice_hash();
  }
  if (!change.reason().empty()) d["reason"] = change.reason();
  return e;
}

accord::v1::AuditEvent PrincipalEvent(absl::string_view actor,
                                      absl::string_view principal_id,
                                      absl::string_view change, int64_t now) {
  auto e = Base(accord::v1::EVENT_TYPE_PRINCIPAL, actor, now);
  (*e.mutable_detail())["principal"] = std::string(principal_id);
  (*e.mutable_detail())["change"] = std::string(change);
  return e;
}

accord::v1::AuditEvent KeyEvent(absl::string_view actor,
                                const accord::v1::KeyInfo& key, int64_t now) {
  auto e = Base(accord::v1::EVENT_TYPE_KEY, actor, now);
  (*e.mutable_detail())["kid"] = key.kid();
  (*e.mutable_detail())["alg"] = key.alg();
  (*e.mutable_detail())["state"] = accord::v1::KeyState_Name(key.state());
  return e;
}

accord::v1::AuditEvent ReleaseEvent(absl::string_view partner,
                                    absl::string_view grant_id, int64_t now) {
  auto e = Base(accord::v1::EVENT_TYPE_GRANT_RELEASE, partner, now);
  e.set_grant_id(std::string(grant_id));
  return e;
}

accord::v1::AuditEvent SubjectKeyExportEvent(absl::string_view actor,
                                             absl::string_view legal_reference,
                                             int64_t now) {
  auto e = Base(accord::v1::EVENT_TYPE_SUBJECT_KEY_EXPORT, actor, now);
  (*e.mutable_detail())["legal_reference"] = std::string(legal_reference);
  return e;
}

}  // namespace accord::service
