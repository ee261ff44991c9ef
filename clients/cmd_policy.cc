// accord policy put|get|versions|explain — usage policies through
// PolicyService; `policy diff` (what a new version allows that the old one
// did not) and `policy export` (ODRL) run the policy library here;
// `policy test` and `policy purposes` are in cmd_policy_offline.cc.

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "accord/v1/policy.grpc.pb.h"
#include "broker/cmdline/usage_error.h"
#include "clients/cmd_policy_offline.h"
#include "clients/commands.h"
#include "google/protobuf/struct.pb.h"
#include "policy/compiled.h"
#include "policy/diff.h"
#include "policy/odrl_export.h"
#include "policy/parse.h"
#include "policy/policy_test_suite.h"
#include "policy/problems.h"
#include "policy/taxonomy.h"
#include "policy/yaml_tree.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
namespace pb = ::google::protobuf;
using A = cmdline::FlagSpec::Arity;

absl::StatusOr<v1::PolicyFormat> FormatFromFileName(absl::string_view path) {
  std::string lower = absl::AsciiStrToLower(path);
  if (absl::EndsWith(lower, ".yaml") || absl::EndsWith(lower, ".yml")) {
    return v1::POLICY_FORMAT_YAML;
  }
  if (absl::EndsWith(lower, ".json")) return v1::POLICY_FORMAT_JSON;
  return cmdline::UsageError(
      absl::StrCat("FILE ", path, ": extension must be .yaml, .yml or .json"));
}

absl::Status Put(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
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
  return ctx.output().ShowChange(
      response, absl::StrCat("policy version ", response.ref().version(),
                             " of ", request.dataset_id(),
                             " published; it applies to the next grant"));
}

absl::Status Get(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
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
      response,
      absl::StrCat(FormatHuman(meta), "\n", response.policy().source()));
}

absl::Status Versions(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
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
  const cmdline::ParsedArgs& args = ctx.args();
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
  request.set_location(args.GetOr("location", ""));
  v1::ExplainAccessResponse response;
  absl::Status s =
      ctx.Call(&v1::PolicyService::Stub::ExplainAccess, request, &response);
  if (!s.ok()) return s;
  // The outcome, the subject counts (all three, zeros included: a
  // producer or a partner is told no more than them), then the reasons as
  // a table, one line per rule.
  v1::ExplainAccessResponse summary = response;
  summary.mutable_decision()->clear_reasons();
  summary.clear_subjects_asked();
  summary.clear_subjects_permitted();
  summary.clear_subjects_without_consent();
  summary.clear_revision();
  std::string counts;
  if (response.subjects_asked() > 0) {
    counts =
        absl::StrCat("subjects: ", response.subjects_asked(), " asked, ",
                     response.subjects_permitted(), " permitted, ",
                     response.subjects_without_consent(), " without consent\n");
  }
  return ctx.output().ShowText(
      response, absl::StrCat(FormatHuman(summary), counts, "reasons:\n",
                             FormatTable(response.decision(), "reasons",
                                         {"rule_id", "code", "message"})));
}

pb::Value Str(absl::string_view s) {
  pb::Value v;
  v.set_string_value(std::string(s));
  return v;
}

// One side of a diff: a policy document with the name its errors use.
struct PolicySource {
  std::string name;
  std::string text;
  policy::SourceFormat format = policy::SourceFormat::kYaml;
};

absl::StatusOr<PolicySource> LocalPolicy(const std::string& path) {
  absl::StatusOr<v1::PolicyFormat> format = FormatFromFileName(path);
  if (!format.ok()) return format.status();
  absl::StatusOr<std::string> text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  return PolicySource{path, *std::move(text),
                      *format == v1::POLICY_FORMAT_JSON
                          ? policy::SourceFormat::kJson
                          : policy::SourceFormat::kYaml};
}

absl::StatusOr<PolicySource> StoredPolicy(CommandContext& ctx,
                                          const std::string& dataset,
                                          const std::string& version_arg) {
  uint64_t version = 0;
  if (!absl::SimpleAtoi(version_arg, &version) || version == 0) {
    return cmdline::UsageError(absl::StrCat(
        "version '", version_arg, "': must be a policy version number >= 1"));
  }
  v1::GetPolicyRequest request;
  request.set_dataset_id(dataset);
  request.set_version(version);
  v1::GetPolicyResponse response;
  absl::Status s =
      ctx.Call(&v1::PolicyService::Stub::GetPolicy, request, &response);
  if (!s.ok()) return s;
  return PolicySource{absl::StrCat(dataset, "@v", version),
                      response.policy().source(),
                      response.policy().format() == v1::POLICY_FORMAT_JSON
                          ? policy::SourceFormat::kJson
                          : policy::SourceFormat::kYaml};
}

// The dataset's policy-engine view; its producer in `producer` when given.
absl::StatusOr<policy::DatasetInfo> StoredDataset(
    CommandContext& ctx, const std::string& id,
    std::string* producer = nullptr) {
  v1::GetDatasetRequest request;
  request.set_id(id);
  v1::GetDatasetResponse response;
  absl::Status s =
      ctx.Call(&v1::PolicyService::Stub::GetDataset, request, &response);
  if (!s.ok()) return s;
  policy::DatasetInfo info;
  info.id = response.dataset().id();
  switch (response.dataset().classification()) {
    case v1::CLASSIFICATION_OPEN:
      info.classification = policy::Classification::kOpen;
      break;
    case v1::CLASSIFICATION_RESTRICTED:
      info.classification = policy::Classification::kRestricted;
      break;
    case v1::CLASSIFICATION_PERSONAL:
      info.classification = policy::Classification::kPersonal;
      break;
    default:
      return absl::DataLossError(
          absl::StrCat("dataset ", id, " has no known classification"));
  }
  info.fields.assign(response.dataset().fields().begin(),
                     response.dataset().fields().end());
  if (producer != nullptr) *producer = response.dataset().producer();
  return info;
}

absl::StatusOr<policy::CompiledPolicy> CompileSource(
    const PolicySource& source, const policy::DatasetInfo& dataset,
    const policy::Taxonomy& taxonomy, const policy::Directory& directory) {
  absl::StatusOr<policy::Policy> parsed = policy::ParsePolicy(
      source.text, source.format, source.name, dataset, taxonomy, directory);
  if (!parsed.ok()) return parsed.status();
  return policy::Compile(*parsed, dataset, taxonomy, directory);
}

std::string DiffText(const policy::PolicyDiff& diff, absl::string_view old_name,
                     absl::string_view new_name) {
  std::string out = absl::StrCat("--- ", old_name, "\n+++ ", new_name, "\n");
  auto section = [&](absl::string_view title,
                     const std::vector<policy::DiffEntry>& entries,
                     absl::string_view mark) {
    absl::StrAppend(&out, title, " (", entries.size(), "):\n");
    if (entries.empty()) absl::StrAppend(&out, "  (none)\n");
    size_t a = 0, p = 0;
    for (const policy::DiffEntry& e : entries) {
      a = std::max(a, e.assignee.size());
      p = std::max(p, e.purpose.size());
    }
    for (const policy::DiffEntry& e : entries) {
      absl::StrAppend(&out, mark, " ", e.assignee,
                      std::string(a - e.assignee.size() + 2, ' '), e.purpose,
                      std::string(p - e.purpose.size() + 2, ' '), e.field,
                      "\n");
    }
  };
  section("newly allowed", diff.newly_allowed, "+");
  section("no longer allowed", diff.no_longer_allowed, "-");
  return out;
}

pb::Value EntriesJson(const std::vector<policy::DiffEntry>& entries) {
  pb::Value v;
  pb::ListValue* list = v.mutable_list_value();
  for (const policy::DiffEntry& e : entries) {
    auto& f = *list->add_values()->mutable_struct_value()->mutable_fields();
    f["assignee"] = Str(e.assignee);
    f["purpose"] = Str(e.purpose);
    f["field"] = Str(e.field);
  }
  return v;
}

// OLD and NEW are files, or with --dataset stored version numbers. The
// directory of partners and categories (which an operator-only RPC would
// list) always comes from --directory FILE, so the diff is over the
// partners the caller names; the dataset comes from the broker with
// --dataset, otherwise from the same file.
absl::Status Diff(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({"OLD", "NEW"}); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> context_path = args.Require("directory");
  if (!context_path.ok()) return context_path.status();
  absl::StatusOr<std::string> context_text = ReadSmallFile(*context_path);
  if (!context_text.ok()) return context_text.status();
  absl::StatusOr<policy::SuiteContext> context =
      policy::ReadSuiteContext(*context_text, *context_path);
  if (!context.ok()) return context.status();
  absl::StatusOr<policy::Taxonomy> taxonomy = LoadTaxonomy(args);
  if (!taxonomy.ok()) return taxonomy.status();

  const std::string& old_arg = args.positionals()[0];
  const std::string& new_arg = args.positionals()[1];
  absl::StatusOr<PolicySource> old_source, new_source;
  policy::DatasetInfo dataset = context->dataset;
  if (std::optional<std::string> id = args.Get("dataset")) {
    absl::StatusOr<policy::DatasetInfo> stored = StoredDataset(ctx, *id);
    if (!stored.ok()) return stored.status();
    dataset = *std::move(stored);
    old_source = StoredPolicy(ctx, *id, old_arg);
    if (old_source.ok()) new_source = StoredPolicy(ctx, *id, new_arg);
  } else {
    if (!context->has_dataset) {
      return cmdline::UsageError(absl::StrCat(
          "--directory ", *context_path,
          ": needs a 'dataset' block to diff local files (or use --dataset)"));
    }
    old_source = LocalPolicy(old_arg);
    if (old_source.ok()) new_source = LocalPolicy(new_arg);
  }
  if (!old_source.ok()) return old_source.status();
  if (!new_source.ok()) return new_source.status();
  absl::StatusOr<policy::CompiledPolicy> old_policy =
      CompileSource(*old_source, dataset, *taxonomy, context->directory);
  if (!old_policy.ok()) return old_policy.status();
  absl::StatusOr<policy::CompiledPolicy> new_policy =
      CompileSource(*new_source, dataset, *taxonomy, context->directory);
  if (!new_policy.ok()) return new_policy.status();

  const policy::PolicyDiff diff = policy::DiffPolicies(
      *old_policy, *new_policy, dataset, *taxonomy, context->directory);
  pb::Struct doc;
  auto& f = *doc.mutable_fields();
  f["dataset"] = Str(dataset.id);
  f["old"] = Str(old_source->name);
  f["new"] = Str(new_source->name);
  f["newly_allowed"] = EntriesJson(diff.newly_allowed);
  f["no_longer_allowed"] = EntriesJson(diff.no_longer_allowed);
  return ctx.output().ShowText(
      doc, DiffText(diff, old_source->name, new_source->name));
}

// The partners and categories a stored policy names, read from its
// canonical encoding: the broker checked them against its directory when
// the version was put, and the directory itself is operator-only.
absl::StatusOr<policy::Directory> DirectoryNamedBy(const std::string& canonical,
                                                   const std::string& name) {
  absl::StatusOr<policy::YamlNode> root =
      policy::ParseYamlTree(canonical, name);
  if (!root.ok()) return root.status();
  policy::Directory directory;
  const policy::YamlNode* rules = policy::Problems::Find(*root, "rules");
  if (rules == nullptr || !rules->IsSequence()) {
    return absl::DataLossError(
        absl::StrCat(name, ": canonical encoding without rules"));
  }
  for (const policy::YamlNode& rule : rules->children) {
    const policy::YamlNode* assignees =
        policy::Problems::Find(rule, "assignees");
    if (assignees == nullptr || !assignees->IsMap()) continue;  // "any"
    if (const policy::YamlNode* p =
            policy::Problems::Find(*assignees, "principals")) {
      for (const policy::YamlNode& id : p->children) {
        directory.principal_categories.emplace(id.scalar, "");
      }
    }
    if (const policy::YamlNode* c =
            policy::Problems::Find(*assignees, "categories")) {
      for (const policy::YamlNode& id : c->children) {
        if (std::find(directory.categories.begin(), directory.categories.end(),
                      id.scalar) == directory.categories.end()) {
          directory.categories.push_back(id.scalar);
        }
      }
    }
  }
  return directory;
}

// The stored policy (current or --version N) and its dataset, or a local
// policy file with --file, its dataset and directory from --dataset-file
// and its producer from --producer; printed as an ODRL 2.2 document.
absl::Status Export(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  absl::StatusOr<std::string> format = args.Require("format");
  if (!format.ok()) return format.status();
  if (*format != "odrl") {
    return cmdline::UsageError(
        absl::StrCat("--format ", *format, ": the only export format is odrl"));
  }
  absl::StatusOr<policy::Taxonomy> taxonomy = LoadTaxonomy(args);
  if (!taxonomy.ok()) return taxonomy.status();

  policy::DatasetInfo dataset;
  policy::Directory directory;
  std::string producer;
  absl::StatusOr<PolicySource> source;
  policy::OdrlExportOptions options;
  if (std::optional<std::string> file = args.Get("file")) {
    if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
    if (args.Has("version")) {
      return cmdline::UsageError(
          "--version: only for a stored policy, not --file");
    }
    absl::StatusOr<std::string> context_path = args.Require("dataset-file");
    if (!context_path.ok()) return context_path.status();
    absl::StatusOr<std::string> producer_arg = args.Require("producer");
    if (!producer_arg.ok()) return producer_arg.status();
    producer = *producer_arg;
    absl::StatusOr<std::string> context_text = ReadSmallFile(*context_path);
    if (!context_text.ok()) return context_text.status();
    absl::StatusOr<policy::SuiteContext> context =
        policy::ReadSuiteContext(*context_text, *context_path);
    if (!context.ok()) return context.status();
    if (!context->has_dataset) {
      return cmdline::UsageError(absl::StrCat("--dataset-file ", *context_path,
                                              ": needs a 'dataset' block"));
    }
    dataset = context->dataset;
    directory = context->directory;
    source = LocalPolicy(*file);
  } else {
    if (absl::Status s = args.ExpectPositionals({"DATASET"}); !s.ok()) {
      return s;
    }
    for (const char* offline : {"dataset-file", "producer"}) {
      if (args.Has(offline)) {
        return cmdline::UsageError(
            absl::StrCat("--", offline, ": only with --file"));
      }
    }
    const std::string& id = args.positionals()[0];
    absl::StatusOr<std::optional<uint64_t>> version =
        args.GetUint("version", UINT64_MAX);
    if (!version.ok()) return version.status();
    absl::StatusOr<policy::DatasetInfo> stored =
        StoredDataset(ctx, id, &producer);
    if (!stored.ok()) return stored.status();
    dataset = *std::move(stored);
    v1::GetPolicyRequest request;
    request.set_dataset_id(id);
    request.set_version(version->value_or(0));
    v1::GetPolicyResponse response;
    absl::Status s =
        ctx.Call(&v1::PolicyService::Stub::GetPolicy, request, &response);
    if (!s.ok()) return s;
    options.version = response.policy().ref().version();
    const std::string name =
        absl::StrCat(id, "@v", response.policy().ref().version());
    absl::StatusOr<policy::Directory> named =
        DirectoryNamedBy(response.policy().canonical(), name);
    if (!named.ok()) return named.status();
    directory = *std::move(named);
    source = PolicySource{name, response.policy().source(),
                          response.policy().format() == v1::POLICY_FORMAT_JSON
                              ? policy::SourceFormat::kJson
                              : policy::SourceFormat::kYaml};
  }
  if (!source.ok()) return source.status();
  absl::StatusOr<policy::Policy> parsed =
      policy::ParsePolicy(source->text, source->format, source->name, dataset,
                          *taxonomy, directory);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<std::string> doc =
      policy::ExportOdrl(*parsed, dataset, producer, *taxonomy, options);
  if (!doc.ok()) return doc.status();
  return ctx.output().ShowJson(*doc, *doc);
}

}  // namespace

CommandGroup PolicyCommands() {
  CommandGroup group{
      "policy",
      "usage policies: publish, show, list versions, explain a decision, "
      "test suites offline, diff two versions, export as ODRL",
      {
          {{"put"},
           "DATASET FILE",
           "publish FILE (.yaml, .yml or .json) as the next policy version",
           {},
           Put},
          {{"get"},
           "DATASET [--version N]",
           "show a policy version (default: the current one)",
           {{"version", A::kValue, "N", "policy version", {}}},
           Get},
          {{"versions"},
           "DATASET",
           "list the policy versions of a dataset",
           {},
           Versions},
          {{"explain"},
           "--partner P --dataset D --purpose X [--fields a,b] "
           "[--subjects s1,s2] [--lifetime S] [--location L]",
           "what the broker would decide for this request (no grant "
           "issued); the dataset's producer or the partner itself sees "
           "subject counts only, and a question naming subjects is "
           "recorded in the audit log",
           {{"partner", A::kValue, "P", "partner principal id", {}},
            {"dataset", A::kValue, "D", "dataset id", {}},
            {"purpose", A::kValue, "X", "purpose id", {}},
            {"fields", A::kValue, "a,b", "requested fields", {}},
            {"subjects", A::kValue, "s1,s2", "subject pseudonyms", {}},
            {"lifetime",
             A::kValue,
             "S",
             "requested grant lifetime, seconds",
             {}},
            {"location",
             A::kValue,
             "L",
             "where the data would be processed, e.g. eu or us (default eu)",
             {}}},
           Explain},
          {{"test"},
           "FILE... [--taxonomy FILE]",
           "run offline policy test suites (no broker); exit 1 if any case "
           "fails",
           {{"taxonomy",
             A::kValue,
             "FILE",
             "purposes added to the default "
             "taxonomy",
             {}}},
           PolicyTest},
          {{"purposes"},
           "[--lang fr|en] [--taxonomy FILE]",
           "list the purpose taxonomy: ids and labels (no broker)",
           {{"lang",
             A::kValue,
             "fr|en",
             "language of the labels (default en)",
             {}},
            {"taxonomy",
             A::kValue,
             "FILE",
             "purposes added to the default "
             "taxonomy",
             {}}},
           PolicyPurposes},
          {{"diff"},
           "OLD NEW --directory FILE [--dataset D] [--taxonomy FILE]",
           "what NEW allows that OLD did not, and the reverse, per (partner "
           "or category, purpose, field); OLD and NEW are policy files, or "
           "version numbers of dataset D",
           {{"directory",
             A::kValue,
             "FILE",
             "YAML with a 'directory' block (and a 'dataset' block for "
             "files), e.g. a test suite",
             {}},
            {"dataset",
             A::kValue,
             "D",
             "compare stored versions OLD and NEW of dataset D",
             {}},
            {"taxonomy",
             A::kValue,
             "FILE",
             "purposes added to the default "
             "taxonomy",
             {}}},
           Diff},
          {{"export"},
           "--format odrl (DATASET [--version N] | --file POLICY "
           "--dataset-file FILE --producer P) [--taxonomy FILE]",
           "a policy as an ODRL 2.2 JSON-LD document: the stored one of "
           "DATASET (default: the current version), or a local file",
           {{"format", A::kValue, "F", "export format: odrl", {}},
            {"version", A::kValue, "N", "stored policy version", {}},
            {"file",
             A::kValue,
             "POLICY",
             "a local policy file (.yaml, .yml or .json) instead of a stored "
             "one",
             {}},
            {"dataset-file",
             A::kValue,
             "FILE",
             "with --file: YAML with a 'dataset' and a 'directory' block, "
             "e.g. a test suite",
             {}},
            {"producer",
             A::kValue,
             "P",
             "with --file: the producer principal, the policy's assigner",
             {}},
            {"taxonomy",
             A::kValue,
             "FILE",
             "purposes added to the default "
             "taxonomy",
             {}}},
           Export},
      }};
  return group;
}

}  // namespace accord::client
