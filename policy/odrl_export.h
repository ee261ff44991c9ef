#ifndef ACCORD_POLICY_ODRL_EXPORT_H_
#define ACCORD_POLICY_ODRL_EXPORT_H_

// Exports a dataset's usage policy as an ODRL 2.2 policy in JSON-LD
// (https://www.w3.org/TR/odrl-model/), for partners and tools that read
// ODRL. The mapping, and the Accord terms used where ODRL has none, are in
// policy/README.md ("ODRL export").
//
// The export reads the policy model (ParsePolicy's result), not a
// CompiledPolicy: compiling widens each purpose to its whole subtree and
// fields to bitsets, the model keeps what the producer wrote.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "policy/model.h"
#include "policy/taxonomy.h"

namespace accord::policy {

// Namespace of the Accord terms of the export (JSON-LD prefix `accord`).
inline constexpr absl::string_view kOdrlAccordNamespace = "urn:accord:odrl:";

struct OdrlExportOptions {
  // The policy version exported, part of the policy uid; 0 when unknown
  // (a local file).
  uint64_t version = 0;
};

// IRIs the export names things with: `urn:accord:<kind>:<id>`, the id
// percent-encoded outside [A-Za-z0-9._~-]. Kinds used: dataset, principal,
// category, purpose, location, policy.
std::string AccordIri(absl::string_view kind, absl::string_view id);

// The IRI of purpose `id`: its DPV IRI when the taxonomy maps it, else
// AccordIri("purpose", id).
std::string OdrlPurposeIri(const Taxonomy& taxonomy, absl::string_view id);

// The ODRL document (a `Set`) for `policy`, the policy of `dataset`,
// assigned by producer principal `producer`: one permission per permit
// rule and one prohibition per prohibit rule, in policy order, keys
// sorted, two-space indentation. Deterministic: the same inputs give the
// same bytes.
// Returns INVALID_ARGUMENT naming the field when the dataset id or the
// producer is empty, the policy names another dataset, or a rule names a
// purpose the taxonomy does not know.
absl::StatusOr<std::string> ExportOdrl(const Policy& policy,
                                       const DatasetInfo& dataset,
                                       absl::string_view producer,
                                       const Taxonomy& taxonomy,
                                       const OdrlExportOptions& options = {});

}  // namespace accord::policy

#endif  // ACCORD_POLICY_ODRL_EXPORT_H_
