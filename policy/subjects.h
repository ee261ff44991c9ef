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
#include "policy/subject_table.h"

namespace accord::policy::internal {

// Reusable buffers of GrantSubjects.
struct SubjectScratch {
  SubjectTable records;        // usable records: subject -> first record index
  SubjectTable requested;      // requested subjects: name -> first position
  std::vector<uint8_t> first;  // per record: first usable one of its subject
};

// Writes the granted subjects (at most `cap`), the consent ids relied on and
// the subject reasons to `w`. Returns false, with a reason, when the request
// names more subjects than the policy allows or no subject is left.
bool GrantSubjects(const Request& req, const CompiledPolicy& p,
                   absl::Span<const ConsentView> consents, int64_t now,
                   const FieldSet& granted, uint32_t cap, SubjectScratch* s,
                   DecisionWriter* w);

}  // namespace accord::policy::internal

#endif  // ACCORD_POLICY_SUBJECTS_H_
