#include "broker/service/policy_registry.h"

#include "absl/strings/str_cat.h"
#include "broker/crypto/sha256.h"
#include "policy/canonical.h"
#include "policy/parse.h"

namespace accord::service {
namespace {

policy::SourceFormat ToSourceFormat(accord::v1::PolicyFormat format) {
  return format == accord::v1::POLICY_FORMAT_JSON ? policy::SourceFormat::kJson
                                                  : policy::SourceFormat::kYaml;
}

}  // namespace

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
  absl::StatusOr<policy::Policy> parsed = policy::ParsePolicy(
      version->source(), ToSourceFormat(version->format()),
      absl::StrCat(dataset_id, "@", version->ref().version()), entry->info,
      taxonomy_, **directory);
  if (!parsed.ok()) {
    // Fail closed: a stored policy that no longer validates (say, it names a
    // removed principal) grants nothing until the producer fixes it.
    return absl::FailedPreconditionError(
        absl::StrCat("the current policy of '", dataset_id,
                     "' no longer validates: ", parsed.status().message()));
  }
  absl::StatusOr<policy::CompiledPolicy> compiled =
      policy::Compile(*parsed, entry->info, taxonomy_, **directory);
  if (!compiled.ok()) return compiled.status();
  entry->dataset = *std::move(dataset);
  entry->ref = version->ref();
  entry->compiled = *std::move(compiled);
  absl::MutexLock l(&mu_);
  if (generation == generation_) datasets_[dataset_id] = entry;
  return std::shared_ptr<const DatasetPolicy>(entry);
}

void PolicyRegistry::InvalidateDataset(absl::string_view dataset_id) {
  absl::MutexLock l(&mu_);
  ++generation_;
  datasets_.erase(dataset_id);
}

void PolicyRegistry::InvalidateDirectory() {
  absl::MutexLock l(&mu_);
  ++generation_;
  directory_ = nullptr;
  // Compiled policies may depend on the directory.
  datasets_.clear();
}

}  // namespace accord::service
