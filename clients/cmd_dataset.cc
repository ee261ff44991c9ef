// accord dataset put|get|list — datasets through PolicyService.

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/policy.grpc.pb.h"
#include "clients/commands.h"
#include "clients/usage_error.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using A = FlagSpec::Arity;

absl::StatusOr<v1::Classification> ParseClassification(
    absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "open") return v1::CLASSIFICATION_OPEN;
  if (lower == "restricted") return v1::CLASSIFICATION_RESTRICTED;
  if (lower == "personal") return v1::CLASSIFICATION_PERSONAL;
  return UsageError(
      "--classification: expected open, restricted or personal");
}

absl::Status Put(CommandContext& ctx) {
  const ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  v1::PutDatasetRequest request;
  v1::Dataset* dataset = request.mutable_dataset();
  absl::StatusOr<std::string> id = args.Require("id");
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> classification = args.Require("classification");
  if (!classification.ok()) return classification.status();
  absl::StatusOr<v1::Classification> c = ParseClassification(*classification);
  if (!c.ok()) return c.status();
  dataset->set_id(*id);
  dataset->set_title(args.GetOr("title", ""));
  dataset->set_classification(*c);
  for (const std::string& f : args.GetList("fields")) dataset->add_fields(f);
  v1::PutDatasetResponse response;
  absl::Status s =
      ctx.Call(&v1::PolicyService::Stub::PutDataset, request, &response);
  if (!s.ok()) return s;
  return ctx.output().Show(response);
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
           "--id ID --title T --classification open|restricted|personal "
           "--fields a,b,c",
           "create or update a dataset",
           {{"id", A::kValue, "ID", "dataset id", {}},
            {"title", A::kValue, "T", "title", {}},
            {"classification", A::kValue, "C", "open, restricted or personal",
             {}},
            {"fields", A::kValue, "a,b,c", "field names", {}}},
           Put},
          {{"get"}, "ID", "show a dataset", {}, Get},
          {{"list"}, "", "list datasets", {}, List},
      }};
}

}  // namespace accord::client
