#ifndef ACCORD_POLICY_SUBJECTS_H_
#define ACCORD_POLICY_SUBJECTS_H_

// Chooses the subjects of a grant on a PERSONAL dataset from the request and
// the consent (or objection) records, by the policy's legal basis.
// Internal to the policy module.

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "policy/compiled.h"
#include "policy/decide.h"
#include "policy/decision_writer.h"

namespace accord::policy::internal {

// A subject with a cheap 64-bit key, so that matching requested subjects
// against records sorts and searches integers, not strings.
struct Keyed {
  uint64_t key;
  uint32_t index;
  bool operator<(const Keyed& o) const {
    return key != o.key ? key < o.key : index < o.index;
  }
};

// Reusable buffers of GrantSubjects.
struct SubjectScratch {
  std::vector<Keyed> records;
  std::vector<Keyed> requested;
  std::vector<uint8_t> duplicate;
};

// Writes the granted subjects (at most `cap`), the consent ids relied on and
// the subject reasons to `w`. Returns false, with a reason, when the request
// names more subjects than the policy allows or no subject is left.
bool GrantSubjects(const Request& req, const CompiledPolicy& p,
                   absl::Span<const ConsentView> consents, int64_t now,
                   uint32_t cap, SubjectScratch* s, DecisionWriter* w);

}  // namespace accord::policy::internal

#endif  // ACCORD_POLICY_SUBJECTS_H_
