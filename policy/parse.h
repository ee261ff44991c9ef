#ifndef ACCORD_POLICY_PARSE_H_
#define ACCORD_POLICY_PARSE_H_

// Reads and validates a usage-policy document (format: policy/README.md).

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "policy/model.h"
#include "policy/taxonomy.h"
#include "policy/yaml_tree.h"

namespace accord::policy {

enum class SourceFormat { kYaml, kJson };

// Document limits, checked before any parsing work.
inline constexpr size_t kMaxPolicyBytes = 1 << 20;
inline constexpr int kMaxPolicyDepth = 32;
inline constexpr size_t kMaxRules = 1000;

// Parses `source` and checks it completely against the dataset (fields,
// classification and legal basis), the taxonomy (purposes) and the
// directory (principals, categories). Unknown keys are errors.
// Returns the policy with lists sorted and deduplicated and defaults filled
// in, or INVALID_ARGUMENT whose message is every problem, one per line, as
// `FILE:LINE:COLUMN: message` (with "did you mean" for near misses).
absl::StatusOr<Policy> ParsePolicy(absl::string_view source,
                                   SourceFormat format,
                                   absl::string_view file_name,
                                   const DatasetInfo& dataset,
                                   const Taxonomy& taxonomy,
                                   const Directory& directory);

// Same as ParsePolicy for a document already read into a tree (e.g. a
// policy written inline in a test suite); positions refer to `file_name`.
absl::StatusOr<Policy> ParsePolicyNode(const YamlNode& root,
                                       absl::string_view file_name,
                                       const DatasetInfo& dataset,
                                       const Taxonomy& taxonomy,
                                       const Directory& directory);

}  // namespace accord::policy

#endif  // ACCORD_POLICY_PARSE_H_
