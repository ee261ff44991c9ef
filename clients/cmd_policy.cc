// accord policy put|get|versions|explain — usage policies through
// PolicyService. `policy test` and `policy diff` run locally with the policy
// library and are added to PolicyCommands below when it is linked.

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "accord/v1/policy.grpc.pb.h"
#include "clients/commands.h"
#include "clients/usage_error.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using A = FlagSpec::Arity;

absl::StatusOr<v1::PolicyFormat> FormatFromFileName(absl::string_view path) {
  std::string lower = absl::AsciiStrToLower(path);
  if (absl::EndsWith(lower, ".yaml") || absl::EndsWith(lower, ".yml")) {
    return v1::POLICY_FORMAT_YAML;
  }
  if (absl::EndsWith(lower, ".json")) return v1::POLICY_FORMAT_JSON;
  return UsageError(
      absl::StrCat("FILE ", path, ": extension must be .yaml, .yml or .json"));
}

absl::Status Put(CommandContext& ctx) {
  const ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({"DATASET", "FILE"}); !s.ok()) {
    return s;
  }
  const std::string& path = args.positionals()[1];
  absl::StatusOr<v1::PolicyFormat> format = FormatFromFileName(path);
  if (!format.ok()) return format.status();
  absl::StatusOr<std::string> source = ReadSmallFile(path);
  if (!source.ok()) return source.status();
  v1::PutPolicyRequest request;
  request.set_dataset_id(args.positionals()[0]);
  request.set_format(*format);
  request.set_source(*std::move(source));
  request.set_file_name(path);
  v1::PutPolicyResponse response;
  absl::Status s =
      ctx.Call(&v1::PolicyService::Stub::PutPolicy, request, &response);
  if (!s.ok()) return s;
  return ctx.output().Show(response);
}

absl::Status Get(CommandContext& ctx) {
  const ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({"DATASET"}); !s.ok()) return s;
  absl::StatusOr<std::optional<uint64_t>> version =
      args.GetUint("version", UINT64_MAX);
  if (!version.ok()) return version.status();
  v1::GetPolicyRequest request;
  request.set_dataset_id(args.positionals()[0]);
  request.set_version(version->value_or(0));
  v1::GetPolicyResponse response;
  absl::Status s =
      ctx.Call(&v1::PolicyService::Stub::GetPolicy, request, &response);
  if (!s.ok()) return s;
  if (ctx.output().format() == OutputFormat::kJson) {
    return ctx.output().Show(response);
  }
  // The source is printed as written, after the metadata.
  v1::GetPolicyResponse meta = response;
  meta.mutable_policy()->clear_source();
  meta.mutable_policy()->clear_canonical();
  return ctx.output().ShowText(
      response, absl::StrCat(FormatHuman(meta), "\n",
                             response.policy().source()));
}

absl::Status Versions(CommandContext& ctx) {
  const ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({"DATASET"}); !s.ok()) return s;
  v1::ListPolicyVersionsResponse all;
  absl::Status s = CollectPages(
      [&](const std::string& token, v1::ListPolicyVersionsResponse* page) {
        v1::ListPolicyVersionsRequest request;
        request.set_dataset_id(args.positionals()[0]);
        request.set_page_token(token);
        return ctx.Call(&v1::PolicyService::Stub::ListPolicyVersions, request,
                        page);
      },
      &all);
  if (!s.ok()) return s;
  // Sources stay in the JSON document; the table shows the metadata.
  return ctx.output().ShowList(
      all, "versions",
      {"ref.version", "ref.hash", "format", "author", "created_at"});
}

absl::Status Explain(CommandContext& ctx) {
  const ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  v1::ExplainAccessRequest request;
  for (const char* flag : {"partner", "dataset", "purpose"}) {
    absl::StatusOr<std::string> value = args.Require(flag);
    if (!value.ok()) return value.status();
  }
  absl::StatusOr<std::optional<uint64_t>> lifetime =
      args.GetUint("lifetime", UINT32_MAX);
  if (!lifetime.ok()) return lifetime.status();
  request.set_partner(args.GetOr("partner", ""));
  request.set_dataset_id(args.GetOr("dataset", ""));
  request.set_purpose(args.GetOr("purpose", ""));
  for (const std::string& f : args.GetList("fields")) request.add_fields(f);
  for (const std::string& s : args.GetList("subjects")) request.add_subjects(s);
  request.set_lifetime_seconds(static_cast<uint32_t>(lifetime->value_or(0)));
  v1::ExplainAccessResponse response;
  absl::Status s =
      ctx.Call(&v1::PolicyService::Stub::ExplainAccess, request, &response);
  if (!s.ok()) return s;
  return ctx.output().Show(response);
}

}  // namespace

CommandGroup PolicyCommands() {
  CommandGroup group{
      "policy",
      "usage policies: publish, show, list versions, explain a decision",
      {
          {{"put"}, "DATASET FILE",
           "publish FILE (.yaml, .yml or .json) as the next policy version",
           {}, Put},
          {{"get"}, "DATASET [--version N]",
           "show a policy version (default: the current one)",
           {{"version", A::kValue, "N", "policy version", {}}}, Get},
          {{"versions"}, "DATASET", "list the policy versions of a dataset",
           {}, Versions},
          {{"explain"},
           "--partner P --dataset D --purpose X [--fields a,b] "
           "[--subjects s1,s2]",
           "what the broker would decide for this request (no grant issued)",
           {{"partner", A::kValue, "P", "partner principal id", {}},
            {"dataset", A::kValue, "D", "dataset id", {}},
            {"purpose", A::kValue, "X", "purpose id", {}},
            {"fields", A::kValue, "a,b", "requested fields", {}},
            {"subjects", A::kValue, "s1,s2", "subject pseudonyms", {}},
            {"lifetime", A::kValue, "S", "requested grant lifetime, seconds",
             {}}},
           Explain},
      }};
  // Offline commands (`policy test`, `policy diff`) that use the policy
  // library are appended here.
  return group;
}

}  // namespace accord::client
