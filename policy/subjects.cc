#include "policy/subjects.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace accord::policy::internal {
namespace {

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
void MarkDuplicates(absl::Span<const std::string> subjects,
                    SubjectScratch* s) {
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

}  // namespace

bool GrantSubjects(const Request& req, const CompiledPolicy& p,
                   absl::Span<const ConsentView> consents,
                   int64_t now, uint32_t cap, SubjectScratch* s, DecisionWriter* w) {
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

}  // namespace accord::policy::internal
