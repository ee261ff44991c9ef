// accord dataset put|get|list — datasets through PolicyService. `put`
// takes the dataset from flags or, with its descriptions, from a file
// (dataset_file.h).

#include "absl/strings/str_cat.h"
#include "accord/v1/policy.grpc.pb.h"
#include "broker/cmdline/usage_error.h"
#include "clients/commands.h"
#include "clients/dataset_file.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using A = cmdline::FlagSpec::Arity;

// The dataset from the flags: --id, --title, --classification, --fields,
// --description and --description-en.
absl::StatusOr<v1::Dataset> DatasetFromFlags(const cmdline::ParsedArgs& args) {
  absl::StatusOr<std::string> id = args.Require("id");
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> classification = args.Require("classification");
  if (!classification.ok()) return classification.status();
  absl::StatusOr<v1::Classification> c =
      ParseClassificationWord(*classification);
  if (!c.ok()) {
    return cmdline::UsageError(
        absl::StrCat("--classification: ", c.status().message()));
  }
  v1::Dataset dataset;
  dataset.set_id(*id);
  dataset.set_title(args.GetOr("title", ""));
  dataset.set_classification(*c);
  for (const std::string& f : args.GetList("fields")) dataset.add_fields(f);
  if (std::optional<std::string> fr = args.Get("description")) {
    dataset.mutable_description()->set_fr(*fr);
  }
  if (std::optional<std::string> en = args.Get("description-en")) {
    dataset.mutable_description()->set_en(*en);
  }
  return dataset;
}

// The dataset from --file, which no other dataset flag may accompany.
absl::StatusOr<v1::Dataset> DatasetFromFile(const cmdline::ParsedArgs& args) {
  for (const char* flag : {"id", "title", "classification", "fields",
                           "description", "description-en"}) {
    if (args.Has(flag)) {
      return cmdline::UsageError(
          absl::StrCat("--file and --", flag, " cannot be combined"));
    }
  }
  absl::StatusOr<std::string> path = args.Require("file");
  if (!path.ok()) return path.status();
  absl::StatusOr<std::string> text = ReadSmallFile(*path);
  if (!text.ok()) return text.status();
  return ParseDatasetFile(*text, *path);
}

absl::Status Put(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  absl::StatusOr<v1::Dataset> dataset =
      args.Has("file") ? DatasetFromFile(args) : DatasetFromFlags(args);
  if (!dataset.ok()) return dataset.status();
  v1::PutDatasetRequest request;
  *request.mutable_dataset() = *std::move(dataset);
  // A change the current policy would no longer apply to needs both.
  const std::optional<std::string> reason = args.Get("reason");
  if (args.Has("force") && !reason.has_value()) {
    return cmdline::UsageError("--force needs --reason TEXT");
  }
  if (reason.has_value() && !args.Has("force")) {
    return cmdline::UsageError("--reason: only with --force");
  }
  request.set_force(args.Has("force"));
  request.set_reason(reason.value_or(""));
  v1::PutDatasetResponse response;
  absl::Status s =
      ctx.Call(&v1::PolicyService::Stub::PutDataset, request, &response);
  if (!s.ok()) return s;
  const v1::Dataset& d = response.dataset();
  std::string policy =
      d.policy_version() == 0
          ? "no policy yet: grants wait for one (accord policy put)"
      : request.force()
          ? absl::StrCat("forced: policy version ", d.policy_version(),
                         " may no longer apply until a new one is put")
          : absl::StrCat("policy version ", d.policy_version(),
                         " still applies");
  return ctx.output().ShowChange(
      response, absl::StrCat("dataset ", d.id(), " updated (", policy, ")"));
}

absl::Status Get(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({"ID"}); !s.ok()) return s;
  v1::GetDatasetRequest request;
  request.set_id(ctx.args().positionals()[0]);
  v1::GetDatasetResponse response;
  absl::Status s =
      ctx.Call(&v1::PolicyService::Stub::GetDataset, request, &response);
  if (!s.ok()) return s;
  return ctx.output().Show(response);
}

absl::Status List(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({}); !s.ok()) return s;
  v1::ListDatasetsResponse all;
  absl::Status s = CollectPages(
      [&ctx](const std::string& token, v1::ListDatasetsResponse* page) {
        v1::ListDatasetsRequest request;
        request.set_page_token(token);
        return ctx.Call(&v1::PolicyService::Stub::ListDatasets, request, page);
      },
      &all);
  if (!s.ok()) return s;
  return ctx.output().ShowList(
      all, "datasets",
      {"id", "classification", "producer", "policy_version", "title"});
}

}  // namespace

CommandGroup DatasetCommands() {
  return {
      "dataset",
      "datasets: register, show, list",
      {
          {{"put"},
           "(--id ID --title T --classification open|restricted|personal "
           "--fields a,b,c [--description TEXT] [--description-en TEXT] | "
           "--file FILE) [--force --reason TEXT]",
           "create or update a dataset; a change the current policy would no "
           "longer apply to (say, dropping a field a rule names) is refused "
           "unless forced",
           {{"file",
             A::kValue,
             "FILE",
             "the dataset with its descriptions (.yaml or .json)",
             {}},
            {"id", A::kValue, "ID", "dataset id", {}},
            {"title", A::kValue, "T", "title", {}},
            {"classification",
             A::kValue,
             "C",
             "open, restricted or personal",
             {}},
            {"fields", A::kValue, "a,b,c", "field names", {}},
            {"description",
             A::kValue,
             "TEXT",
             "what the dataset holds, in French",
             {}},
            {"description-en", A::kValue, "TEXT", "the same in English", {}},
            {"force",
             A::kSwitch,
             "",
             "apply the change even though the current policy no longer "
             "applies to it (every grant then fails until a new policy)",
             {}},
            {"reason",
             A::kValue,
             "TEXT",
             "with --force: why, recorded in the audit log",
             {}}},
           Put},
          {{"get"}, "ID", "show a dataset", {}, Get},
          {{"list"}, "", "list datasets", {}, List},
      }};
}

}  // namespace accord::client
