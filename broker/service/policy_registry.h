#ifndef ACCORD_BROKER_SERVICE_POLICY_REGISTRY_H_
#define ACCORD_BROKER_SERVICE_POLICY_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "accord/v1/admin.pb.h"
#include "accord/v1/common.pb.h"
#include "accord/v1/policy.pb.h"
#include "broker/store/store.h"
#include "policy/compiled.h"
#include "policy/model.h"
#include "policy/taxonomy.h"

namespace accord::service {

// A dataset with its current policy, compiled.
struct DatasetPolicy {
  accord::v1::Dataset dataset;
  policy::DatasetInfo info;
  accord::v1::PolicyRef ref;
  policy::CompiledPolicy compiled;
};

// A validated policy document ready to store.
struct PreparedPolicy {
  std::string canonical;
  std::string hash;  // lowercase hex SHA-256 of `canonical`
};

// What a change of a dataset's description does to its current policy.
struct DatasetChangeCheck {
  // The current policy applies to the dataset as it is but would not to the
  // changed one.
  bool breaks_policy = false;
  uint64_t policy_version = 0;
  // The fields the change removes that the policy names, in dataset order.
  std::vector<std::string> fields_in_use;
  // The policy's problems against the changed dataset, one per line.
  std::string problems;
};

// The message a caller other than the dataset's producer or an operator gets
// when the dataset's current policy cannot be applied (PolicyErrorFor).
inline constexpr absl::string_view kPolicyNotApplicable =
    "the dataset's policy cannot be applied; its producer has been told";

// The payload type marking an error of PolicyRegistry::Current for a stored
// policy that no longer applies to its dataset; the value is the dataset's
// producer.
inline constexpr absl::string_view kPolicyNotApplicablePayload =
    "type.accord/policy-not-applicable";

// What `viewer` may see of an error of PolicyRegistry::Current. The problems
// of a policy that no longer applies are the producer's: its producer and
// operators get `status` as is, anyone else FAILED_PRECONDITION with
// kPolicyNotApplicable. Other errors are returned unchanged.
absl::Status PolicyErrorFor(const absl::Status& status,
                            const accord::v1::Principal& viewer);

// Caches compiled policies and the principal directory the policy engine
// needs. Entries are dropped by the write paths that change them, before the
// write is acknowledged, so readers never see older state than they wrote.
class PolicyRegistry {
 public:
  PolicyRegistry(store::Store* store, policy::Taxonomy taxonomy)
      : store_(store), taxonomy_(std::move(taxonomy)) {}

  const policy::Taxonomy& taxonomy() const { return taxonomy_; }

  // Errors: NOT_FOUND (unknown dataset), FAILED_PRECONDITION (no policy
  // yet; or the stored policy no longer applies to the dataset, with its
  // problems and a kPolicyNotApplicablePayload: show it through
  // PolicyErrorFor), or the store's error.
  absl::StatusOr<std::shared_ptr<const DatasetPolicy>> Current(
      absl::string_view dataset_id) ABSL_LOCKS_EXCLUDED(mu_);

  // The partner directory (principal id -> category) from the store.
  absl::StatusOr<std::shared_ptr<const policy::Directory>> Directory()
      ABSL_LOCKS_EXCLUDED(mu_);

  // Validates `source` against the dataset, taxonomy and directory.
  // Errors: INVALID_ARGUMENT with every problem as FILE:LINE:COLUMN lines.
  absl::StatusOr<PreparedPolicy> Prepare(const accord::v1::Dataset& dataset,
                                         absl::string_view source,
                                         accord::v1::PolicyFormat format,
                                         absl::string_view file_name);

  // Whether the current policy of `current` would still apply with the
  // description `proposed` (same id). A policy that already does not apply
  // to `current` is not broken by the change. Errors: the store's.
  absl::StatusOr<DatasetChangeCheck> CheckDatasetChange(
      const accord::v1::Dataset& current, const accord::v1::Dataset& proposed);

  void InvalidateDataset(absl::string_view dataset_id) ABSL_LOCKS_EXCLUDED(mu_);
  void InvalidateDirectory() ABSL_LOCKS_EXCLUDED(mu_);

  static policy::DatasetInfo InfoOf(const accord::v1::Dataset& dataset);

 private:
  store::Store* const store_;
  const policy::Taxonomy taxonomy_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const DatasetPolicy>>
      datasets_ ABSL_GUARDED_BY(mu_);
  // Stored policies that no longer apply, with Current's error: kept so that
  // requests on such a dataset neither parse the policy again nor log again.
  absl::flat_hash_map<std::string, absl::Status> not_applicable_
      ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const policy::Directory> directory_ ABSL_GUARDED_BY(mu_);
  // Bumped by every invalidation, so a load that raced with a write is not
  // cached.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_POLICY_REGISTRY_H_
