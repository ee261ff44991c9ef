#include "policy/decide.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "policy/decision_writer.h"
#include "policy/subjects.h"

namespace accord::policy {
namespace {

using internal::DecisionWriter;

// Per-thread buffers so that steady-state decisions do not allocate.
struct Scratch {
  std::vector<uint32_t> applied;
  internal::SubjectScratch subjects;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

void GrantDuties(const CompiledPolicy& p, const std::vector<uint32_t>& applied,
                 DecisionWriter* w) {
  int64_t delete_after = -1, min_k = -1;
  bool no_onward = false, notify = false;
  for (uint32_t i : applied) {
    const CompiledRule& r = p.rules()[i];
    if (r.delete_after_seconds >= 0) {
      delete_after = delete_after < 0
                         ? r.delete_after_seconds
                         : std::min(delete_after, r.delete_after_seconds);
    }
    min_k = std::max(min_k, r.aggregate_min_k);
    for (const Duty& d : r.duties) {
      no_onward = no_onward || d.kind == DutyKind::kNoOnwardTransfer;
      notify = notify || d.kind == DutyKind::kNotifyProducer;
    }
  }
  if (delete_after >= 0) {
    w->AddDuty(DutyKind::kDeleteAfter, absl::AlphaNum(delete_after).Piece());
  }
  if (min_k >= 0) {
    w->AddDuty(DutyKind::kAggregateMinK, absl::AlphaNum(min_k).Piece());
  }
  const size_t first_attribute = w->duty_count();
  for (uint32_t i : applied) {
    for (const Duty& d : p.rules()[i].duties) {
      if (d.kind == DutyKind::kAttribute && !w->HasAttribute(d.value)) {
        w->AddDuty(DutyKind::kAttribute, d.value);
      }
    }
  }
  // Mentions in a fixed order, whatever the order of the rules.
  auto& duties = w->decision()->duties;
  std::sort(duties.begin() + first_attribute, duties.begin() + w->duty_count(),
            [](const Duty& a, const Duty& b) { return a.value < b.value; });
  if (no_onward) w->AddDuty(DutyKind::kNoOnwardTransfer, "");
  if (notify) w->AddDuty(DutyKind::kNotifyProducer, "");
}

// The fields the request asks for, as indexes of the policy's (all of them
// when it names none). False, with a reason for each, when it names a field
// the dataset does not have.
bool RequestedFields(const Request& req, const CompiledPolicy& p,
                     DecisionWriter* w, FieldSet* requested) {
  bool unknown = false;
  for (const std::string& f : req.fields) {
    const int i = p.FieldIndex(f);
    if (i < 0) {
      absl::StrAppend(w->AddReason("", kUnknownField), "unknown field '", f,
                      "' of dataset '", p.dataset_id(), "'");
      unknown = true;
    } else {
      requested->set(i);
    }
  }
  if (unknown) return false;
  if (req.fields.empty()) {
    for (size_t i = 0; i < p.fields().size(); ++i) requested->set(i);
  }
  return true;
}

// What the rules that apply to a request allow and withhold.
struct RulesOutcome {
  FieldSet allowed;       // fields of the permits that apply
  FieldSet withheld;      // fields of the prohibitions that apply
  bool deny_all = false;  // a prohibition of every field applies
  uint32_t lifetime_cap = 0;
  uint32_t subject_cap = 0;
};

// Walks every rule in order, writing one reason per rule (why it does not
// apply, or that it does); the indexes of the permits that apply go to
// `applied`.
RulesOutcome ApplyRules(const Request& req, const CompiledPolicy& p,
                        int purpose, const FieldSet& requested, int64_t now,
                        std::vector<uint32_t>* applied, DecisionWriter* w) {
  const int principal = p.PrincipalIndex(req.partner);
  const int category = p.CategoryIndex(req.partner_category);
  const bool personal = p.classification() == Classification::kPersonal;
  const size_t subject_count = req.subjects.size();
  RulesOutcome out;
  out.lifetime_cap = p.max_lifetime_seconds();
  out.subject_cap = p.max_subjects();
  const auto& rules = p.rules();
  for (size_t i = 0; i < rules.size(); ++i) {
    const CompiledRule& r = rules[i];
    absl::string_view code;
    const std::string* message;
    if (!r.any_assignee && !r.principals.Test(principal) &&
        !r.categories.Test(category)) {
      code = kAssigneeMismatch;
      message = &r.assignee_message;
    } else if (!r.any_purpose && !r.purposes.Test(purpose)) {
      code = kPurposeNotAllowed;
      message = &r.purpose_message;
    } else if (now < r.not_before || now > r.not_after) {
      code = kOutsideTimeWindow;
      message = &r.window_message;
    } else if (!r.locations.empty() &&
               std::find(r.locations.begin(), r.locations.end(),
                         req.location) == r.locations.end()) {
      code = kLocationNotAllowed;
      message = &r.location_message;
    } else if ((r.fields & requested).none()) {
      code = kFieldNotAllowed;
      message = &r.fields_message;
    } else if (r.effect == Effect::kPermit && personal &&
               subject_count > r.max_subjects) {
      code = kTooManySubjects;
      message = &r.subjects_message;
    } else {
      message = &r.applied_message;
      if (r.effect == Effect::kPermit) {
        code = kRulePermitted;
        out.allowed |= r.fields & requested;
        applied->push_back(i);
        out.lifetime_cap = std::min(out.lifetime_cap, r.max_lifetime_seconds);
        out.subject_cap = std::min(out.subject_cap, r.max_subjects);
      } else {
        code = kProhibited;
        if (r.all_fields) {
          out.deny_all = true;
        } else {
          out.withheld |= r.fields;
        }
      }
    }
    w->AddReason(r.id, code, *message);
  }
  return out;
}

// Returns true for PERMIT; reasons and grant contents go to `w`.
bool Evaluate(const Request& req, const CompiledPolicy& p,
              absl::Span<const ConsentView> consents, int64_t now,
              DecisionWriter* w) {
  const int purpose = p.PurposeIndex(req.purpose);
  if (purpose < 0) {
    absl::StrAppend(w->AddReason("", kUnknownPurpose), "unknown purpose '",
                    req.purpose, "'");
    return false;
  }
  const size_t field_count = p.fields().size();
  FieldSet requested;
  const bool explicit_fields = !req.fields.empty();
  if (!RequestedFields(req, p, w, &requested)) return false;

  Scratch& s = ThreadScratch();
  s.applied.clear();
  const bool personal = p.classification() == Classification::kPersonal;
  const RulesOutcome rules =
      ApplyRules(req, p, purpose, requested, now, &s.applied, w);
  if (rules.deny_all) return false;
  if (s.applied.empty()) {
    w->AddReason("", kNoRuleMatched, "no permit rule applies");
    return false;
  }
  const FieldSet granted = rules.allowed & ~rules.withheld;
  if (granted.none()) {
    w->AddReason("", kFieldNotAllowed,
                 "every allowed field is withheld by a prohibition");
    return false;
  }
  if (explicit_fields && granted != requested) {
    absl::StrAppend(w->AddReason("", kFieldsNarrowed), "granted ",
                    granted.count(), " of ", requested.count(),
                    " requested fields");
  }
  const uint32_t lifetime_cap = rules.lifetime_cap;
  const uint32_t wanted =
      req.lifetime_seconds == 0 ? lifetime_cap : req.lifetime_seconds;
  if (wanted > lifetime_cap) {
    absl::StrAppend(w->AddReason("", kLifetimeNarrowed), "lifetime cut from ",
                    wanted, " s to ", lifetime_cap, " s");
  }
  w->decision()->lifetime_seconds = std::min(wanted, lifetime_cap);
  if (personal && !GrantSubjects(req, p, consents, now, granted,
                                 rules.subject_cap, &s.subjects, w)) {
    return false;
  }
  for (size_t i = 0; i < field_count; ++i) {
    if (granted.test(i)) w->AddField(p.fields()[i]);
  }
  GrantDuties(p, s.applied, w);
  for (uint32_t i : s.applied) {
    const CompiledRule& r = p.rules()[i];
    if (r.quota) w->AddQuota(r.id, *r.quota);
  }
  return true;
}

}  // namespace

void Decide(const Request& request, const CompiledPolicy& policy,
            absl::Span<const ConsentView> consents, absl::Time now,
            Decision* out) {
  internal::DecisionWriter w(out);
  if (Evaluate(request, policy, consents, absl::ToUnixSeconds(now), &w)) {
    out->outcome = Outcome::kPermit;
  } else {
    w.ClearGrant();
    out->lifetime_seconds = 0;
  }
  w.Finish();
}

absl::Status CheckRequestSubjects(Classification classification,
                                  size_t subject_count) {
  const bool personal = classification == Classification::kPersonal;
  if (!personal && subject_count > 0) {
    return absl::InvalidArgumentError(
        "subjects: only PERSONAL datasets take subjects");
  }
  if (personal && subject_count == 0) {
    return absl::InvalidArgumentError(
        "subjects: a PERSONAL dataset needs the subjects asked for");
  }
  return absl::OkStatus();
}

Decision Decide(const Request& request, const CompiledPolicy& policy,
                absl::Span<const ConsentView> consents, absl::Time now) {
  Decision d;
  Decide(request, policy, consents, now, &d);
  return d;
}

}  // namespace accord::policy
