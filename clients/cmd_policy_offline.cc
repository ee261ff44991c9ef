#include "clients/cmd_policy_offline.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/cmdline/usage_error.h"
#include "clients/output.h"
#include "google/protobuf/struct.pb.h"
#include "policy/language.h"
#include "policy/policy_test_suite.h"

namespace accord::client {

namespace pb = ::google::protobuf;

// The default purpose taxonomy, extended with --taxonomy FILE when given.
absl::StatusOr<policy::Taxonomy> LoadTaxonomy(const cmdline::ParsedArgs& args) {
  absl::StatusOr<policy::Taxonomy> taxonomy = policy::Taxonomy::Default();
  if (!taxonomy.ok()) return taxonomy.status();
  if (std::optional<std::string> path = args.Get("taxonomy")) {
    absl::StatusOr<std::string> text = ReadSmallFile(*path);
    if (!text.ok()) return text.status();
    if (absl::Status s = taxonomy->Extend(*text, *path); !s.ok()) return s;
  }
  return taxonomy;
}

namespace {

pb::Value Str(absl::string_view s) {
  pb::Value v;
  v.set_string_value(std::string(s));
  return v;
}

pb::Value Num(double n) {
  pb::Value v;
  v.set_number_value(n);
  return v;
}

pb::Value Flag(bool b) {
  pb::Value v;
  v.set_bool_value(b);
  return v;
}

pb::Value SuiteJson(const policy::SuiteResult& result) {
  pb::Value v;
  auto& f = *v.mutable_struct_value()->mutable_fields();
  f["file"] = Str(result.file);
  f["passed"] = Num(static_cast<double>(result.cases.size()) - result.failed());
  f["failed"] = Num(result.failed());
  pb::ListValue* cases = f["cases"].mutable_list_value();
  for (const policy::SuiteCaseResult& c : result.cases) {
    auto& cf = *cases->add_values()->mutable_struct_value()->mutable_fields();
    cf["name"] = Str(c.name);
    cf["passed"] = Flag(c.passed);
    cf["outcome"] =
        Str(!c.invalid.empty()                               ? "INVALID"
            : c.decision.outcome == policy::Outcome::kPermit ? "PERMIT"
                                                             : "DENY");
    pb::ListValue* failures = cf["failures"].mutable_list_value();
    for (const std::string& why : c.failures)
      *failures->add_values() = Str(why);
  }
  return v;
}

// Runs every suite, even after a failing one, and fails when any case or
// suite did.
}  // namespace

absl::Status PolicyTest(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (args.positionals().empty())
    return cmdline::UsageError("missing argument FILE");
  absl::StatusOr<policy::Taxonomy> taxonomy = LoadTaxonomy(args);
  if (!taxonomy.ok()) return taxonomy.status();
  const policy::FileReader reader = [](absl::string_view path) {
    return ReadSmallFile(std::string(path));
  };
  pb::Struct doc;
  pb::ListValue* suites =
      (*doc.mutable_fields())["suites"].mutable_list_value();
  std::string text;
  int cases = 0, failed_cases = 0, broken_suites = 0;
  for (const std::string& path : args.positionals()) {
    absl::StatusOr<std::string> source = ReadSmallFile(path);
    absl::StatusOr<policy::SuiteResult> result =
        source.ok() ? policy::RunPolicySuite(*source, path, *taxonomy, reader)
                    : absl::StatusOr<policy::SuiteResult>(source.status());
    if (!result.ok()) {
      ++broken_suites;
      absl::StrAppend(&text, "ERROR ", path, ": ", result.status().message(),
                      "\n");
      auto& f = *suites->add_values()->mutable_struct_value()->mutable_fields();
      f["file"] = Str(path);
      f["error"] = Str(result.status().message());
      continue;
    }
    cases += static_cast<int>(result->cases.size());
    failed_cases += result->failed();
    absl::StrAppend(&text, policy::FormatSuiteResult(*result));
    *suites->add_values() = SuiteJson(*result);
  }
  if (args.positionals().size() > 1) {
    absl::StrAppend(&text, "total: ", cases - failed_cases, " passed, ",
                    failed_cases, " failed in ", args.positionals().size(),
                    " suites\n");
  }
  (*doc.mutable_fields())["passed"] = Num(cases - failed_cases);
  (*doc.mutable_fields())["failed"] = Num(failed_cases);
  (*doc.mutable_fields())["broken_suites"] = Num(broken_suites);
  absl::Status shown = ctx.output().ShowText(doc, text);
  if (!shown.ok()) return shown;
  if (failed_cases > 0 || broken_suites > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(failed_cases, " of ", cases, " cases failed, ",
                     broken_suites, " suites could not run"));
  }
  return absl::OkStatus();
}

absl::Status PolicyPurposes(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  policy::Language language = policy::Language::kEn;
  if (!policy::ParseLanguage(args.GetOr("lang", "en"), &language)) {
    return cmdline::UsageError("--lang: expected 'fr' or 'en'");
  }
  absl::StatusOr<policy::Taxonomy> taxonomy = LoadTaxonomy(args);
  if (!taxonomy.ok()) return taxonomy.status();
  pb::Struct doc;
  pb::ListValue* list =
      (*doc.mutable_fields())["purposes"].mutable_list_value();
  std::vector<std::vector<std::string>> rows = {{"ID", "LABEL"}};
  for (size_t i = 0; i < taxonomy->size(); ++i) {
    const std::string& id = taxonomy->IdAt(static_cast<int>(i));
    const int parent = taxonomy->Parent(static_cast<int>(i));
    auto& f = *list->add_values()->mutable_struct_value()->mutable_fields();
    f["id"] = Str(id);
    f["parent"] = parent < 0 ? pb::Value() : Str(taxonomy->IdAt(parent));
    if (parent < 0) f["parent"].set_null_value(pb::NULL_VALUE);
    for (const char* kind : {"label", "description"}) {
      auto& texts = *f[kind].mutable_struct_value()->mutable_fields();
      for (policy::Language l : policy::kLanguages) {
        texts[std::string(policy::LanguageCode(l))] =
            Str(std::string(kind) == "label" ? taxonomy->Label(id, l)
                                             : taxonomy->Description(id, l));
      }
    }
    f["dpv"] = Str(taxonomy->DpvIri(id));
    std::string label = taxonomy->Label(id, language);
    rows.push_back({id, label.empty() ? "-" : label});
  }
  return ctx.output().ShowText(doc, FormatRows(rows));
}

}  // namespace accord::client
