#include "broker/service/policy_registry.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "broker/crypto/sha256.h"
#include "broker/service/logging.h"
#include "policy/canonical.h"
#include "policy/parse.h"

namespace accord::service {
namespace {

policy::SourceFormat ToSourceFormat(accord::v1::PolicyFormat format) {
  return format == accord::v1::POLICY_FORMAT_JSON ? policy::SourceFormat::kJson
                                                  : policy::SourceFormat::kYaml;
}

// Parses and compiles a stored policy version against `info`.
absl::StatusOr<policy::CompiledPolicy> CompileStored(
    const accord::v1::PolicyVersion& version, const policy::DatasetInfo& info,
    const policy::Taxonomy& taxonomy, const policy::Directory& directory,
    policy::Policy* parsed_out = nullptr) {
  absl::StatusOr<policy::Policy> parsed = policy::ParsePolicy(
      version.source(), ToSourceFormat(version.format()),
      absl::StrCat(version.dataset_id(), "@", version.ref().version()), info,
      taxonomy, directory);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<policy::CompiledPolicy> compiled =
      policy::Compile(*parsed, info, taxonomy, directory);
  if (compiled.ok() && parsed_out != nullptr) *parsed_out = *std::move(parsed);
  return compiled;
}

}  // namespace

absl::Status PolicyErrorFor(const absl::Status& status,
                            const accord::v1::Principal& viewer) {
  absl::optional<absl::Cord> producer =
      status.GetPayload(kPolicyNotApplicablePayload);
  if (!producer.has_value() || viewer.role() == accord::v1::ROLE_OPERATOR ||
      (viewer.role() == accord::v1::ROLE_PRODUCER &&
       *producer == viewer.id())) {
    return status;
  }
  return absl::FailedPreconditionError(kPolicyNotApplicable);
}

policy::DatasetInfo PolicyRegistry::InfoOf(const accord::v1::Dataset& dataset) {
  policy::DatasetInfo info;
  info.id = dataset.id();
  switch (dataset.classification()) {
    case accord::v1::CLASSIFICATION_PERSONAL:
      info.classification = policy::Classification::kPersonal;
      break;
    case accord::v1::CLASSIFICATION_RESTRICTED:
      info.classification = policy::Classification::kRestricted;
      break;
    default:
      info.classification = policy::Classification::kOpen;
      break;
  }
  info.fields.assign(dataset.fields().begin(), dataset.fields().end());
  return info;
}

absl::StatusOr<std::shared_ptr<const policy::Directory>>
PolicyRegistry::Directory() {
  uint64_t generation;
  {
    absl::MutexLock l(&mu_);
    if (directory_ != nullptr) return directory_;
    generation = generation_;
  }
  auto directory = std::make_shared<policy::Directory>();
  directory->categories = {"academic", "public-service", "association",
                           "company"};
  std::string cursor;
  do {
    auto page = store_->ListPrincipals(cursor, 1000);
    if (!page.ok()) return page.status();
    for (const accord::v1::Principal& p : page->records) {
      if (p.role() == accord::v1::ROLE_PARTNER) {
        directory->principal_categories[p.id()] = p.category();
      }
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  absl::MutexLock l(&mu_);
  if (generation == generation_) directory_ = directory;
  return std::shared_ptr<const policy::Directory>(directory);
}

absl::StatusOr<PreparedPolicy> PolicyRegistry::Prepare(
    const accord::v1::Dataset& dataset, absl::string_view source,
    accord::v1::PolicyFormat format, absl::string_view file_name) {
  auto directory = Directory();
  if (!directory.ok()) return directory.status();
  const policy::DatasetInfo info = InfoOf(dataset);
  absl::StatusOr<policy::Policy> parsed = policy::ParsePolicy(
      source, ToSourceFormat(format), file_name, info, taxonomy_, **directory);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<policy::CompiledPolicy> compiled =
      policy::Compile(*parsed, info, taxonomy_, **directory);
  if (!compiled.ok()) return compiled.status();
  PreparedPolicy prepared;
  prepared.canonical = policy::CanonicalEncoding(*parsed);
  prepared.hash = crypto::ToHex(crypto::Sha256(prepared.canonical));
  return prepared;
}

absl::StatusOr<std::shared_ptr<const DatasetPolicy>> PolicyRegistry::Current(
    absl::string_view dataset_id) {
  uint64_t generation;
  {
    absl::MutexLock l(&mu_);
    auto it = datasets_.find(dataset_id);
    if (it != datasets_.end()) return it->second;
    auto broken = not_applicable_.find(dataset_id);
    if (broken != not_applicable_.end()) return broken->second;
    generation = generation_;
  }
  absl::StatusOr<accord::v1::Dataset> dataset = store_->GetDataset(dataset_id);
  if (!dataset.ok()) return dataset.status();
  if (dataset->policy_version() == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("dataset '", dataset_id, "' has no policy yet"));
  }
  absl::StatusOr<accord::v1::PolicyVersion> version =
      store_->GetPolicyVersion(dataset_id, dataset->policy_version());
  if (!version.ok()) return version.status();
  auto directory = Directory();
  if (!directory.ok()) return directory.status();
  auto entry = std::make_shared<DatasetPolicy>();
  entry->info = InfoOf(*dataset);
  absl::StatusOr<policy::CompiledPolicy> compiled =
      CompileStored(*version, entry->info, taxonomy_, **directory);
  if (!compiled.ok()) {
    // Fail closed: a stored policy that no longer validates (say, it names a
    // removed principal, or a field a forced dataset change dropped) grants
    // nothing until the producer fixes it. The problems are the producer's
    // (PolicyErrorFor); the operator sees them once in the log.
    absl::Status error = absl::FailedPreconditionError(absl::StrCat(
        "the current policy (version ", version->ref().version(), ") of '",
        dataset_id, "' no longer validates: ", compiled.status().message()));
    error.SetPayload(kPolicyNotApplicablePayload,
                     absl::Cord(dataset->producer()));
    bool first = false;
    {
      absl::MutexLock l(&mu_);
      if (generation == generation_) {
        first = not_applicable_.emplace(dataset_id, error).second;
      }
    }
    if (first) {
      Log("warning", "a dataset's current policy no longer applies",
          {{"dataset", std::string(dataset_id)},
           {"producer", dataset->producer()},
           {"policy_version", absl::StrCat(version->ref().version())},
           {"problems", std::string(compiled.status().message())}});
    }
    return error;
  }
  entry->dataset = *std::move(dataset);
  entry->ref = version->ref();
  entry->compiled = *std::move(compiled);
  absl::MutexLock l(&mu_);
  if (generation == generation_) datasets_[dataset_id] = entry;
  return std::shared_ptr<const DatasetPolicy>(entry);
}

absl::StatusOr<DatasetChangeCheck> PolicyRegistry::CheckDatasetChange(
    const accord::v1::Dataset& current, const accord::v1::Dataset& proposed) {
  DatasetChangeCheck check;
  if (current.policy_version() == 0) return check;
  absl::StatusOr<accord::v1::PolicyVersion> version =
      store_->GetPolicyVersion(current.id(), current.policy_version());
  if (!version.ok()) return version.status();
  auto directory = Directory();
  if (!directory.ok()) return directory.status();
  const policy::DatasetInfo after = InfoOf(proposed);
  absl::StatusOr<policy::CompiledPolicy> changed =
      CompileStored(*version, after, taxonomy_, **directory);
  if (changed.ok()) return check;
  policy::Policy parsed;
  if (!CompileStored(*version, InfoOf(current), taxonomy_, **directory, &parsed)
           .ok()) {
    return check;  // it did not apply before the change either
  }
  check.breaks_policy = true;
  check.policy_version = current.policy_version();
  check.problems = std::string(changed.status().message());
  for (const std::string& field : current.fields()) {
    const auto& kept = after.fields;
    if (std::find(kept.begin(), kept.end(), field) != kept.end()) continue;
    const bool named = std::any_of(
        parsed.rules.begin(), parsed.rules.end(), [&](const policy::Rule& r) {
          return std::find(r.fields.begin(), r.fields.end(), field) !=
                 r.fields.end();
        });
    if (named) check.fields_in_use.push_back(field);
  }
  return check;
}

void PolicyRegistry::InvalidateDataset(absl::string_view dataset_id) {
  absl::MutexLock l(&mu_);
  ++generation_;
  datasets_.erase(dataset_id);
  not_applicable_.erase(dataset_id);
}

void PolicyRegistry::InvalidateDirectory() {
  absl::MutexLock l(&mu_);
  ++generation_;
  directory_ = nullptr;
  // Compiled policies may depend on the directory.
  datasets_.clear();
  not_applicable_.clear();
}

}  // namespace accord::service
