#ifndef ACCORD_BROKER_SERVICE_POLICY_REGISTRY_H_
#define ACCORD_BROKER_SERVICE_POLICY_REGISTRY_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
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

// Caches compiled policies and the principal directory the policy engine
// needs. Entries are dropped by the write paths that change them, before the
// write is acknowledged, so readers never see older state than they wrote.
class PolicyRegistry {
 public:
  PolicyRegistry(store::Store* store, policy::Taxonomy taxonomy)
      : store_(store), taxonomy_(std::move(taxonomy)) {}

  const policy::Taxonomy& taxonomy() const { return taxonomy_; }

  // Errors: NOT_FOUND (unknown dataset), FAILED_PRECONDITION (no policy
  // yet), or the store's error.
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

  void InvalidateDataset(absl::string_view dataset_id) ABSL_LOCKS_EXCLUDED(mu_);
  void InvalidateDirectory() ABSL_LOCKS_EXCLUDED(mu_);

  static policy::DatasetInfo InfoOf(const accord::v1::Dataset& dataset);

 private:
  store::Store* const store_;
  const policy::Taxonomy taxonomy_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const DatasetPolicy>>
      datasets_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const policy::Directory> directory_ ABSL_GUARDED_BY(mu_);
  // Bumped by every invalidation, so a load that raced with a write is not
  // cached.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_POLICY_REGISTRY_H_
