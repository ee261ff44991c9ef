#include "policy/model.h"

#include "absl/strings/ascii.h"
#include "policy/problems.h"

namespace accord::policy {

absl::string_view ClassificationName(Classification c) {
  switch (c) {
    case Classification::kOpen:
      return "OPEN";
    case Classification::kRestricted:
      return "RESTRICTED";
    case Classification::kPersonal:
      return "PERSONAL";
  }
  return "OPEN";
}

absl::string_view LegalBasisName(LegalBasis b) {
  switch (b) {
    case LegalBasis::kNone:
      return "none";
    case LegalBasis::kConsent:
      return "consent";
    case LegalBasis::kPublicTask:
      return "public_task";
    case LegalBasis::kLegitimateInterestOptOut:
      return "legitimate_interest_opt_out";
  }
  return "none";
}

bool IsLocation(absl::string_view location) { return IsIdentifier(location); }

absl::string_view EffectName(Effect e) {
  return e == Effect::kPermit ? "permit" : "prohibit";
}

absl::string_view DutyKindName(DutyKind k) {
  switch (k) {
    case DutyKind::kDeleteAfter:
      return "delete_after";
    case DutyKind::kAggregateMinK:
      return "aggregate_min_k";
    case DutyKind::kAttribute:
      return "attribute";
    case DutyKind::kNoOnwardTransfer:
      return "no_onward_transfer";
    case DutyKind::kNotifyProducer:
      return "notify_producer";
  }
  return "attribute";
}

bool ParseClassification(absl::string_view name, Classification* out) {
  const std::string upper = absl::AsciiStrToUpper(name);
  for (Classification c : {Classification::kOpen, Classification::kRestricted,
                           Classification::kPersonal}) {
    if (upper == ClassificationName(c)) {
      *out = c;
      return true;
    }
  }
  return false;
}

bool ParseLegalBasis(absl::string_view name, LegalBasis* out) {
  for (LegalBasis b : {LegalBasis::kConsent, LegalBasis::kPublicTask,
                       LegalBasis::kLegitimateInterestOptOut}) {
    if (name == LegalBasisName(b)) {
      *out = b;
      return true;
    }
  }
  return false;
}

bool ParseDutyKind(absl::string_view name, DutyKind* out) {
  for (DutyKind k :
       {DutyKind::kDeleteAfter, DutyKind::kAggregateMinK, DutyKind::kAttribute,
        DutyKind::kNoOnwardTransfer, DutyKind::kNotifyProducer}) {
    if (name == DutyKindName(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

}  // namespace accord::policy
