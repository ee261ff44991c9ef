#include "broker/service/request_spec.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "broker/service/limits.h"
#include "broker/service/validate.h"
#include "google/protobuf/util/message_differencer.h"
#include "policy/decide.h"
#include "policy/duty_text.h"
#include "policy/language.h"

namespace accord::service {
namespace {

absl::Status CheckOptionalText(const std::string& field,
                               absl::string_view value, size_t max_len) {
  if (value.empty()) return absl::OkStatus();
  return CheckText(field, value, max_len);
}

absl::Status CheckEmail(absl::string_view field, absl::string_view email) {
  if (absl::Status s = CheckText(field, email, 254); !s.ok()) return s;
  const size_t at = email.find('@');
  if (at == 0 || at == absl::string_view::npos || at + 1 == email.size() ||
      email.find('@', at + 1) != absl::string_view::npos ||
      absl::StrContains(email, " ")) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": not an e-mail address"));
  }
  return absl::OkStatus();
}

absl::Status CheckResponsible(const accord::v1::Responsible& r) {
  if (absl::Status s =
          CheckText("spec.responsible.organisation", r.organisation(), 200);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText("spec.responsible.name", r.name(), 200);
      !s.ok()) {
    return s;
  }
  if (r.role() != "dpo" && r.role() != "project-lead") {
    return absl::InvalidArgumentError(
        "spec.responsible.role: `dpo` or `project-lead` is required");
  }
  return CheckEmail("spec.responsible.email", r.email());
}

absl::Status CheckFields(const accord::v1::ConsentRequestSpec& spec,
                         const accord::v1::Dataset& dataset) {
  if (spec.fields().empty()) {
    return absl::InvalidArgumentError("spec.fields: at least one field");
  }
  if (absl::Status s = CheckIdList("spec.fields", spec.fields(), kMaxFields);
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < spec.fields_size(); ++i) {
    const auto& known = dataset.fields();
    if (std::find(known.begin(), known.end(), spec.fields(i)) == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("spec.fields[", i, "]: '", spec.fields(i),
                       "' is not a field of dataset '", dataset.id(), "'"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDuties(const accord::v1::ConsentRequestSpec& spec) {
  if (absl::Status s = CheckCount("spec.duties", spec.duties_size(), 16);
      !s.ok()) {
    return s;
  }
  absl::flat_hash_set<std::string> kinds;
  for (int i = 0; i < spec.duties_size(); ++i) {
    const accord::v1::Duty& d = spec.duties(i);
    const std::string field = absl::StrCat("spec.duties[", i, "]");
    // The French sentence checks the kind and its value.
    auto text = policy::DutyText(d.kind(), d.value(), policy::Language::kFr);
    if (!text.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": ", text.status().message()));
    }
    if (d.kind() != "attribute" && !kinds.insert(d.kind()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": duty '", d.kind(), "' is listed twice"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckLocalized(absl::string_view field,
                            const accord::v1::LocalizedText& text,
                            size_t max_len) {
  if (absl::Status s =
          CheckOptionalText(absl::StrCat(field, ".fr"), text.fr(), max_len);
      !s.ok()) {
    return s;
  }
  return CheckOptionalText(absl::StrCat(field, ".en"), text.en(), max_len);
}

absl::Status CheckLocalizedWithFrench(absl::string_view field,
                                      const accord::v1::LocalizedText& text,
                                      size_t max_len) {
  if (text.fr().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".fr: missing French text"));
  }
  return CheckLocalized(field, text, max_len);
}

absl::Status CheckDatasetTexts(const accord::v1::Dataset& dataset) {
  if (absl::Status s =
          CheckLocalized("dataset.description", dataset.description(),
                         kMaxDatasetDescriptionBytes);
      !s.ok()) {
    return s;
  }
  const auto& fields = dataset.fields();
  absl::flat_hash_set<std::string> described;
  for (int i = 0; i < dataset.field_descriptions_size(); ++i) {
    const accord::v1::FieldDescription& d = dataset.field_descriptions(i);
    const std::string field =
        absl::StrCat("dataset.field_descriptions[", i, "]");
    if (std::find(fields.begin(), fields.end(), d.field()) == fields.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".field: '", d.field(), "' is not a field of the dataset"));
    }
    if (!described.insert(d.field()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".field: '", d.field(), "' is described twice"));
    }
    if (absl::Status s = CheckLocalized(absl::StrCat(field, ".text"), d.text(),
                                        kMaxFieldDescriptionBytes);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRequestSpec(const accord::v1::ConsentRequestSpec& spec,
                              const accord::v1::Dataset& dataset,
                              const policy::Taxonomy& taxonomy, int64_t now) {
  if (dataset.classification() != accord::v1::CLASSIFICATION_PERSONAL) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.dataset_id: dataset '", dataset.id(),
                     "' holds no personal data; it needs no consent"));
  }
  if (absl::Status s = CheckId("spec.purpose", spec.purpose()); !s.ok()) {
    return s;
  }
  if (!taxonomy.Contains(spec.purpose())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "spec.purpose: '", spec.purpose(), "' is not in the taxonomy"));
  }
  if (absl::Status s = CheckFields(spec, dataset); !s.ok()) return s;
  if (spec.consent_duration_seconds() < kMinConsentDurationSeconds ||
      spec.consent_duration_seconds() > kMaxConsentDurationSeconds) {
    return absl::InvalidArgumentError(
        "spec.consent_duration_seconds: from 1 day to 5 years");
  }
  if (absl::Status s = CheckDuties(spec); !s.ok()) return s;
  if (absl::Status s = CheckLocalizedWithFrench("spec.title", spec.title(),
                                                kMaxRequestTitleBytes);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckLocalizedWithFrench(
          "spec.description", spec.description(), kMaxRequestDescriptionBytes);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckLocalizedWithFrench(
          "spec.public_benefit", spec.public_benefit(), kMaxPublicBenefitBytes);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckResponsible(spec.responsible()); !s.ok()) {
    return s;
  }
  if (spec.opens_at() <= 0) {
    return absl::InvalidArgumentError("spec.opens_at: required");
  }
  if (spec.closes_at() <= now) {
    return absl::InvalidArgumentError("spec.closes_at: must be in the future");
  }
  if (spec.closes_at() <= spec.opens_at()) {
    return absl::InvalidArgumentError("spec.closes_at: must be after opens_at");
  }
  return absl::OkStatus();
}

bool SameSpec(const accord::v1::ConsentRequestSpec& a,
              const accord::v1::ConsentRequestSpec& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// Whether `spec_duty` holds the partner to at least what `imposed` asks.
namespace {

bool Satisfies(const accord::v1::Duty& spec_duty, const policy::Duty& imposed) {
  if (spec_duty.kind() != policy::DutyKindName(imposed.kind)) return false;
  int64_t offered = 0, required = 0;
  switch (imposed.kind) {
    case policy::DutyKind::kDeleteAfter:
      return absl::SimpleAtoi(spec_duty.value(), &offered) &&
             absl::SimpleAtoi(imposed.value, &required) && offered <= required;
    case policy::DutyKind::kAggregateMinK:
      return absl::SimpleAtoi(spec_duty.value(), &offered) &&
             absl::SimpleAtoi(imposed.value, &required) && offered >= required;
    case policy::DutyKind::kAttribute:
      return spec_duty.value() == imposed.value;
    default:
      return true;
  }
}

}  // namespace

absl::Status CheckSpecAgainstPolicy(const policy::CompiledPolicy& compiled,
                                    const std::string& partner,
                                    const std::string& category,
                                    const accord::v1::ConsentRequestSpec& spec,
                                    absl::Time now) {
  if (compiled.legal_basis() != policy::LegalBasis::kConsent) {
    return absl::FailedPreconditionError(
        absl::StrCat("spec.dataset_id: dataset '", spec.dataset_id(),
                     "' is not processed on the basis of consent"));
  }
  if (absl::Status s =
          policy::CouldEverPermit(compiled, spec.purpose(), partner, "");
      !s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("spec.purpose: ", s.message()));
  }
  // A dry run for one hypothetical citizen who consented to exactly this.
  const std::vector<std::string> fields(spec.fields().begin(),
                                        spec.fields().end());
  const std::vector<std::string> subjects = {"notice-check"};
  policy::Request question;
  question.partner = partner;
  question.partner_category = category;
  question.purpose = spec.purpose();
  question.fields = fields;
  question.subjects = subjects;
  policy::ConsentView consent;
  consent.id = "notice-check";
  consent.subject = subjects[0];
  consent.purpose = spec.purpose();
  consent.recipient_partner = partner;
  consent.live = true;
  const policy::Decision d =
      policy::Decide(question, compiled, absl::MakeConstSpan(&consent, 1), now);
  if (d.outcome != policy::Outcome::kPermit) {
    std::vector<std::string> why;
    for (const policy::Reason& reason : d.reasons)
      why.push_back(reason.message);
    return absl::FailedPreconditionError(absl::StrCat(
        "spec: the policy of dataset '", spec.dataset_id(),
        "' does not permit this request: ", absl::StrJoin(why, "; ")));
  }
  for (int i = 0; i < spec.fields_size(); ++i) {
    if (std::find(d.fields.begin(), d.fields.end(), spec.fields(i)) ==
        d.fields.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "spec.fields[", i, "]: the policy does not permit field '",
          spec.fields(i), "' to '", partner, "' for this purpose"));
    }
  }
  for (const policy::Duty& imposed : d.duties) {
    const bool accepted = std::any_of(
        spec.duties().begin(), spec.duties().end(),
        [&](const accord::v1::Duty& s) { return Satisfies(s, imposed); });
    if (!accepted) {
      return absl::FailedPreconditionError(absl::StrCat(
          "spec.duties: the policy imposes '",
          policy::DutyKindName(imposed.kind), imposed.value.empty() ? "" : " ",
          imposed.value, "'; the request must accept it"));
    }
  }
  return absl::OkStatus();
}

}  // namespace accord::service
