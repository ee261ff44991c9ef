#include "policy/subjects.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace accord::policy::internal {
namespace {

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

// Whether a consent limited to some fields covers every granted one.
bool CoversFields(const ConsentView& c, const CompiledPolicy& p,
                  const FieldSet& granted) {
  if (c.fields.empty()) return true;
  for (size_t i = 0; i < p.fields().size(); ++i) {
    if (granted.test(i) && std::find(c.fields.begin(), c.fields.end(),
                                     p.fields()[i]) == c.fields.end()) {
      return false;
    }
  }
  return true;
}

bool UsableConsent(const ConsentView& c, const Request& r,
                   const PurposeMemo* memo, int64_t now,
                   const CompiledPolicy& p, const FieldSet& granted) {
  return c.live && !c.objection && !Expired(c, now) && RecipientMatches(c, r) &&
         memo->Covers(c.purpose) && CoversFields(c, p, granted);
}

bool MatchingObjection(const ConsentView& c, const Request& r,
                       const PurposeMemo* memo, int64_t now) {
  if (!c.live || !c.objection || Expired(c, now)) return false;
  const bool any_recipient =
      c.recipient_partner.empty() && c.recipient_category.empty();
  return (any_recipient || RecipientMatches(c, r)) &&
         (c.purpose.empty() || memo->Covers(c.purpose));
}

}  // namespace

bool GrantSubjects(const Request& req, const CompiledPolicy& p,
                   absl::Span<const ConsentView> consents, int64_t now,
                   const FieldSet& granted, uint32_t cap, SubjectScratch* s,
                   DecisionWriter* w) {
  const auto subjects = req.subjects;
  if (subjects.size() > p.max_subjects()) {
    absl::StrAppend(w->AddReason("", kTooManySubjects), subjects.size(),
                    " subjects requested; the policy allows ", p.max_subjects(),
                    " per grant");
    return false;
  }
  const LegalBasis basis = p.legal_basis();
  PurposeMemo memo(req.purpose);
  // The first usable record of each subject, by position.
  s->records.Reset(consents.size());
  s->first.assign(consents.size(), 0);
  for (size_t i = 0; i < consents.size(); ++i) {
    const ConsentView& c = consents[i];
    const bool keep = basis == LegalBasis::kConsent
                          ? UsableConsent(c, req, &memo, now, p, granted)
                          : basis == LegalBasis::kLegitimateInterestOptOut &&
                                MatchingObjection(c, req, &memo, now);
    if (keep) {
      const uint32_t index = static_cast<uint32_t>(i);
      s->first[i] =
          s->records.Insert(SubjectKey(c.subject), c.subject, index) == index;
    }
  }
  if (subjects.empty() && basis == LegalBasis::kConsent) {
    // Every consenting subject once, in record order, up to the cap.
    bool narrowed = false;
    for (size_t i = 0; i < consents.size(); ++i) {
      if (!s->first[i]) continue;
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
    s->requested.Reset(subjects.size());
    int missing = 0, objected = 0;
    for (size_t i = 0; i < subjects.size(); ++i) {
      const uint64_t key = SubjectKey(subjects[i]);
      const uint32_t index = static_cast<uint32_t>(i);
      if (s->requested.Insert(key, subjects[i], index) != index) continue;
      const int64_t record = basis == LegalBasis::kPublicTask
                                 ? -1
                                 : s->records.Find(key, subjects[i]);
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

}  // namespace accord::policy::internal
