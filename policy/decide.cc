#include "policy/decide.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace accord::policy {
namespace {

// Copies `src` into `dst`, overwriting in place when the length is unchanged
// (the usual case when a Decision is reused for similar requests).
inline void Set(std::string* dst, absl::string_view src) {
  if (dst->size() == src.size()) {
    if (!src.empty()) std::memcpy(dst->data(), src.data(), src.size());
  } else {
    dst->assign(src.data(), src.size());
  }
}

// Returns the next element of `v`, reusing one left by an earlier decision.
template <typename T>
T& Next(std::vector<T>* v, size_t* n) {
  if (*n < v->size()) return (*v)[(*n)++];
  ++*n;
  return v->emplace_back();
}

// Writes a Decision in place, keeping the capacity of the strings it reuses.
class Writer {
 public:
  explicit Writer(Decision* d) : d_(d) {
    d_->outcome = Outcome::kDeny;
    d_->lifetime_seconds = 0;
    d_->subjects_without_consent = 0;
  }
  Decision* decision() { return d_; }

  std::string* AddReason(absl::string_view rule_id, absl::string_view code) {
    Reason& r = Next(&d_->reasons, &reasons_);
    Set(&r.rule_id, rule_id);
    Set(&r.code, code);
    r.message.clear();
    return &r.message;
  }
  void AddReason(absl::string_view rule_id, absl::string_view code,
                 absl::string_view message) {
    Reason& r = Next(&d_->reasons, &reasons_);
    Set(&r.rule_id, rule_id);
    Set(&r.code, code);
    Set(&r.message, message);
  }
  void AddField(absl::string_view f) { Assign(&d_->fields, &fields_, f); }
  void AddSubject(absl::string_view s) { Assign(&d_->subjects, &subjects_, s); }
  void AddConsent(absl::string_view id) {
    Assign(&d_->consent_ids, &consents_, id);
  }
  void AddDuty(DutyKind kind, absl::string_view value) {
    Duty& d = Next(&d_->duties, &duties_);
    d.kind = kind;
    Set(&d.value, value);
  }
  bool HasAttribute(absl::string_view value) const {
    for (size_t i = 0; i < duties_; ++i) {
      if (d_->duties[i].kind == DutyKind::kAttribute &&
          d_->duties[i].value == value) {
        return true;
      }
    }
    return false;
  }
  void AddQuota(absl::string_view rule_id, const Quota& q) {
    QuotaCheck& c = Next(&d_->quotas, &quotas_);
    Set(&c.rule_id, rule_id);
    c.count = q.grants;
    c.period_seconds = q.period_seconds;
  }
  size_t subject_count() const { return subjects_; }
  size_t duty_count() const { return duties_; }
  // Drops what a denial must not carry.
  void ClearGrant() { fields_ = subjects_ = duties_ = consents_ = quotas_ = 0; }
  void Finish() {
    d_->reasons.resize(reasons_);
    d_->fields.resize(fields_);
    d_->subjects.resize(subjects_);
    d_->duties.resize(duties_);
    d_->consent_ids.resize(consents_);
    d_->quotas.resize(quotas_);
  }

 private:
  static void Assign(std::vector<std::string>* v, size_t* n,
                     absl::string_view s) {
    Set(&Next(v, n), s);
  }

  Decision* d_;
  size_t reasons_ = 0, fields_ = 0, subjects_ = 0, duties_ = 0,
         consents_ = 0, quotas_ = 0;
};

// Per-thread buffers so that steady-state decisions do not allocate.
// A subject with a cheap 64-bit key, so that matching requested subjects
// against records sorts and searches integers, not strings.
struct Keyed {
  uint64_t key;
  uint32_t index;
  bool operator<(const Keyed& o) const {
    return key != o.key ? key < o.key : index < o.index;
  }
};

uint64_t SubjectKey(absl::string_view s) {
  uint64_t head = 0, tail = 0;
  const size_t n = s.size();
  if (n >= 8) {
    std::memcpy(&head, s.data(), 8);
    std::memcpy(&tail, s.data() + n - 8, 8);
  } else if (n > 0) {
    std::memcpy(&head, s.data(), n);
  }
  uint64_t h = (tail ^ (n * 0x9E3779B97F4A7C15ull)) * 0xC2B2AE3D27D4EB4Full;
  h ^= head + 0x165667B19E3779F9ull + (h << 6) + (h >> 2);
  return h ^ (h >> 29);
}

// True when an element before position k in the same key run of sorted `v`
// names the same subject (equal keys are rare for different subjects).
template <typename Name>
bool RepeatsEarlier(const std::vector<Keyed>& v, size_t k, Name name) {
  for (size_t j = k; j > 0 && v[j - 1].key == v[k].key; --j) {
    if (name(v[j - 1].index) == name(v[k].index)) return true;
  }
  return false;
}

struct Scratch {
  std::vector<uint32_t> applied;
  std::vector<Keyed> records;
  std::vector<Keyed> requested;
  std::vector<uint8_t> duplicate;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

bool Expired(const ConsentView& c, int64_t now) {
  return c.expires_at != 0 && c.expires_at <= now;
}

bool RecipientMatches(const ConsentView& c, const Request& r) {
  return (!c.recipient_partner.empty() && c.recipient_partner == r.partner) ||
         (!c.recipient_category.empty() &&
          c.recipient_category == r.partner_category);
}

// Whether a record's purpose covers the requested (known) purpose: the same
// id or a dotted prefix of it. Every prefix of a known id is itself known
// (a taxonomy defines parents first), so no lookup is needed.
class PurposeMemo {
 public:
  explicit PurposeMemo(absl::string_view requested) : requested_(requested) {}
  bool Covers(absl::string_view allowed) const {
    return !allowed.empty() && absl::StartsWith(requested_, allowed) &&
           (requested_.size() == allowed.size() ||
            requested_[allowed.size()] == '.');
  }

 private:
  absl::string_view requested_;
};

bool UsableConsent(const ConsentView& c, const Request& r, const PurposeMemo* memo,
                   int64_t now) {
  return c.live && !c.objection && !Expired(c, now) && RecipientMatches(c, r) &&
         memo->Covers(c.purpose);
}

bool MatchingObjection(const ConsentView& c, const Request& r,
                       const PurposeMemo* memo, int64_t now) {
  if (!c.live || !c.objection || Expired(c, now)) return false;
  const bool any_recipient =
      c.recipient_partner.empty() && c.recipient_category.empty();
  return (any_recipient || RecipientMatches(c, r)) &&
         (c.purpose.empty() || memo->Covers(c.purpose));
}

// Returns the first record (by position) about `subject`, or -1.
int64_t FindSubject(absl::Span<const ConsentView> consents,
                    const std::vector<Keyed>& records,
                    absl::string_view subject) {
  const uint64_t key = SubjectKey(subject);
  auto it = std::lower_bound(records.begin(), records.end(), Keyed{key, 0});
  for (; it != records.end() && it->key == key; ++it) {
    if (consents[it->index].subject == subject) return it->index;
  }
  return -1;
}

// Marks requested subjects that repeat an earlier one.
void MarkDuplicates(absl::Span<const std::string> subjects, Scratch* s) {
  s->requested.clear();
  for (size_t i = 0; i < subjects.size(); ++i) {
    s->requested.push_back(Keyed{SubjectKey(subjects[i]),
                                 static_cast<uint32_t>(i)});
  }
  std::sort(s->requested.begin(), s->requested.end());
  s->duplicate.assign(subjects.size(), 0);
  auto name = [&](uint32_t i) -> const std::string& { return subjects[i]; };
  for (size_t k = 1; k < s->requested.size(); ++k) {
    if (RepeatsEarlier(s->requested, k, name)) {
      s->duplicate[s->requested[k].index] = 1;
    }
  }
}

// Fills the subjects of a PERSONAL grant. Returns false (with a reason)
// when none is left.
bool GrantSubjects(const Request& req, const CompiledPolicy& p,
                   absl::Span<const ConsentView> consents,
                   int64_t now, uint32_t cap, Scratch* s, Writer* w) {
  const auto subjects = req.subjects;
  if (subjects.size() > p.max_subjects()) {
    absl::StrAppend(w->AddReason("", kTooManySubjects), subjects.size(),
                    " subjects requested; the policy allows ",
                    p.max_subjects(), " per grant");
    return false;
  }
  s->records.clear();
  const LegalBasis basis = p.legal_basis();
  PurposeMemo memo(req.purpose);
  for (size_t i = 0; i < consents.size(); ++i) {
    const bool keep =
        basis == LegalBasis::kConsent
            ? UsableConsent(consents[i], req, &memo, now)
            : basis == LegalBasis::kLegitimateInterestOptOut &&
                  MatchingObjection(consents[i], req, &memo, now);
    if (keep) {
      s->records.push_back(Keyed{SubjectKey(consents[i].subject),
                                 static_cast<uint32_t>(i)});
    }
  }
  std::sort(s->records.begin(), s->records.end());
  auto record_subject = [&](uint32_t i) { return consents[i].subject; };
  if (subjects.empty() && basis == LegalBasis::kConsent) {
    // Every consenting subject once, in record order, up to the cap.
    s->duplicate.assign(consents.size(), 0);
    for (size_t k = 0; k < s->records.size(); ++k) {
      s->duplicate[s->records[k].index] =
          RepeatsEarlier(s->records, k, record_subject) ? 0 : 1;
    }
    bool narrowed = false;
    for (size_t i = 0; i < consents.size(); ++i) {
      if (!s->duplicate[i]) continue;
      if (w->subject_count() == cap) {
        narrowed = true;
        break;
      }
      w->AddSubject(consents[i].subject);
      w->AddConsent(consents[i].id);
    }
    if (narrowed) {
      absl::StrAppend(w->AddReason("", kSubjectsNarrowed),
                      "subjects capped at ", cap, " per grant");
    }
  } else {
    MarkDuplicates(subjects, s);
    int missing = 0, objected = 0;
    for (size_t i = 0; i < subjects.size(); ++i) {
      if (s->duplicate[i]) continue;
      const int64_t record = basis == LegalBasis::kPublicTask
                                 ? -1
                                 : FindSubject(consents, s->records,
                                               subjects[i]);
      if (basis == LegalBasis::kConsent) {
        if (record < 0) {
          ++missing;
          continue;
        }
        w->AddConsent(consents[record].id);
      } else if (basis == LegalBasis::kLegitimateInterestOptOut &&
                 record >= 0) {
        ++objected;
        continue;
      }
      w->AddSubject(subjects[i]);
    }
    if (missing > 0) {
      w->decision()->subjects_without_consent = missing;
      absl::StrAppend(w->AddReason("", kSubjectsWithoutConsent), missing,
                      " requested subjects have no live consent for this "
                      "purpose and recipient");
    }
    if (objected > 0) {
      absl::StrAppend(w->AddReason("", kSubjectsObjected), objected,
                      " requested subjects objected");
    }
  }
  if (w->subject_count() == 0) {
    w->AddReason("", kNoSubjects, "no subject can be granted");
    return false;
  }
  return true;
}

void GrantDuties(const CompiledPolicy& p, const std::vector<uint32_t>& applied,
                 Writer* w) {
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
  std::sort(duties.begin() + first_attribute,
            duties.begin() + w->duty_count(),
            [](const Duty& a, const Duty& b) { return a.value < b.value; });
  if (no_onward) w->AddDuty(DutyKind::kNoOnwardTransfer, "");
  if (notify) w->AddDuty(DutyKind::kNotifyProducer, "");
}

// Returns true for PERMIT; reasons and grant contents go to `w`.
bool Evaluate(const Request& req, const CompiledPolicy& p,
              absl::Span<const ConsentView> consents, int64_t now,
              Writer* w) {
  const int purpose = p.PurposeIndex(req.purpose);
  if (purpose < 0) {
    absl::StrAppend(w->AddReason("", kUnknownPurpose), "unknown purpose '",
                    req.purpose, "'");
    return false;
  }
  const size_t field_count = p.fields().size();
  FieldSet requested;
  const bool explicit_fields = !req.fields.empty();
  bool unknown = false;
  for (const std::string& f : req.fields) {
    const int i = p.FieldIndex(f);
    if (i < 0) {
      absl::StrAppend(w->AddReason("", kUnknownField), "unknown field '", f,
                      "' of dataset '", p.dataset_id(), "'");
      unknown = true;
    } else {
      requested.set(i);
    }
  }
  if (unknown) return false;
  if (!explicit_fields) {
    for (size_t i = 0; i < field_count; ++i) requested.set(i);
  }

  Scratch& s = ThreadScratch();
  s.applied.clear();
  const int principal = p.PrincipalIndex(req.partner);
  const int category = p.CategoryIndex(req.partner_category);
  const bool personal = p.classification() == Classification::kPersonal;
  const size_t subject_count = req.subjects.size();
  FieldSet allowed, withheld;
  bool deny_all = false;
  uint32_t lifetime_cap = p.max_lifetime_seconds();
  uint32_t subject_cap = p.max_subjects();
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
        allowed |= r.fields & requested;
        s.applied.push_back(i);
        lifetime_cap = std::min(lifetime_cap, r.max_lifetime_seconds);
        subject_cap = std::min(subject_cap, r.max_subjects);
      } else {
        code = kProhibited;
        if (r.all_fields) {
          deny_all = true;
        } else {
          withheld |= r.fields;
        }
      }
    }
    w->AddReason(r.id, code, *message);
  }
  if (deny_all) return false;
  if (s.applied.empty()) {
    w->AddReason("", kNoRuleMatched, "no permit rule applies");
    return false;
  }
  const FieldSet granted = allowed & ~withheld;
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
  const uint32_t wanted =
      req.lifetime_seconds == 0 ? lifetime_cap : req.lifetime_seconds;
  if (wanted > lifetime_cap) {
    absl::StrAppend(w->AddReason("", kLifetimeNarrowed), "lifetime cut from ",
                    wanted, " s to ", lifetime_cap, " s");
  }
  w->decision()->lifetime_seconds = std::min(wanted, lifetime_cap);
  if (personal &&
      !GrantSubjects(req, p, consents, now, subject_cap, &s, w)) {
    return false;
  }
  for (size_t i = 0; i < field_count; ++i) {
    if (granted.test(i)) w->AddField(p.fields()[i]);
  }
  GrantDuties(p, s.applied, w);
  for (uint32_t i : s.applied) {
    if (rules[i].quota) w->AddQuota(rules[i].id, *rules[i].quota);
  }
  return true;
}

}  // namespace

void Decide(const Request& request, const CompiledPolicy& policy,
            absl::Span<const ConsentView> consents, absl::Time now,
            Decision* out) {
  Writer w(out);
  if (Evaluate(request, policy, consents, absl::ToUnixSeconds(now), &w)) {
    out->outcome = Outcome::kPermit;
  } else {
    w.ClearGrant();
    out->lifetime_seconds = 0;
  }
  w.Finish();
}

Decision Decide(const Request& request, const CompiledPolicy& policy,
                absl::Span<const ConsentView> consents, absl::Time now) {
  Decision d;
  Decide(request, policy, consents, now, &d);
  return d;
}

absl::Status CouldEverPermit(const CompiledPolicy& policy,
                             absl::string_view purpose,
                             absl::string_view recipient_partner,
                             absl::string_view recipient_category) {
  const LegalBasis basis = policy.legal_basis();
  if (basis != LegalBasis::kConsent &&
      basis != LegalBasis::kLegitimateInterestOptOut) {
    return absl::FailedPreconditionError(absl::StrCat(
        "dataset '", policy.dataset_id(), "' is not processed on the basis "
        "of consent (legal basis: ", LegalBasisName(basis), ")"));
  }
  const int p = policy.PurposeIndex(purpose);
  if (p < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown purpose '", purpose, "'"));
  }
  if (recipient_partner.empty() && recipient_category.empty()) {
    return absl::InvalidArgumentError("recipient is empty");
  }
  const int principal = policy.PrincipalIndex(recipient_partner);
  const absl::string_view category =
      recipient_partner.empty() ? recipient_category
                                : policy.PrincipalCategory(recipient_partner);
  const int category_index = policy.CategoryIndex(category);
  // Whether the rule names the recipient; `whole` requires it to name every
  // partner the consent could serve (for a prohibition).
  auto names_recipient = [&](const CompiledRule& r, bool whole) {
    if (r.any_assignee || r.categories.Test(category_index)) return true;
    if (!recipient_partner.empty()) return r.principals.Test(principal);
    if (whole) return false;
    // A category consent serves every listed partner of that category.
    for (size_t i = 0; i < policy.principal_count(); ++i) {
      if (r.principals.Test(static_cast<int>(i)) &&
          policy.PrincipalCategoryAt(static_cast<int>(i)) == category) {
        return true;
      }
    }
    return false;
  };
  // A consent to `purpose` serves requests at or below it.
  auto meets_purpose = [&](const CompiledRule& r) {
    if (r.any_purpose || r.purposes.Test(p)) return true;
    for (size_t t = 0; t < policy.purpose_count(); ++t) {
      if (r.purposes.Test(static_cast<int>(t)) &&
          policy.PurposeCovers(p, static_cast<int>(t))) {
        return true;
      }
    }
    return false;
  };
  for (const CompiledRule& r : policy.rules()) {
    const bool unconditional =
        r.effect == Effect::kProhibit && r.all_fields &&
        r.locations.empty() &&
        r.not_before == std::numeric_limits<int64_t>::min() &&
        r.not_after == std::numeric_limits<int64_t>::max();
    if (unconditional && names_recipient(r, true) &&
        (r.any_purpose || r.purposes.Test(p))) {
      return absl::FailedPreconditionError(absl::StrCat(
          "rule '", r.id, "' prohibits purpose '", purpose,
          "' for this recipient"));
    }
  }
  for (const CompiledRule& r : policy.rules()) {
    if (r.effect == Effect::kPermit && names_recipient(r, false) &&
        meets_purpose(r)) {
      return absl::OkStatus();
    }
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "no rule of the policy of '", policy.dataset_id(),
      "' permits purpose '", purpose, "' for this recipient"));
}

}  // namespace accord::policy
