#include "policy/policy_test_suite.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "policy/compiled.h"
#include "policy/parse.h"
#include "policy/problems.h"
#include "policy/yaml_tree.h"

namespace accord::policy {
namespace {

struct ConsentRecord {
  std::string id, subject, purpose, partner, category;
  bool live = true;
  bool objection = false;
  int64_t expires_at = 0;
};

struct Expectation {
  bool has_outcome = false;
  // `outcome: invalid`: the broker refuses the request before deciding it.
  bool invalid = false;
  Outcome outcome = Outcome::kDeny;
  bool has_fields = false, has_subjects = false, has_lifetime = false,
       has_without = false;
  std::vector<std::string> fields, subjects, reasons, duties, consents;
  int64_t lifetime = 0, without = 0;
};

struct Case {
  std::string name;
  std::string partner, category, purpose, location = "eu";
  bool has_category = false;
  std::vector<std::string> fields, subjects;
  int64_t lifetime = 0;
  absl::Time now;
  Expectation expect;
};

// Reads the suite document; problems go to `problems`.
class SuiteReader {
 public:
  explicit SuiteReader(Problems* problems) : p_(*problems) {}

  bool Time(const YamlNode& n, absl::string_view what, absl::Time* t) {
    std::string text, error;
    if (!p_.Scalar(n, what, &text)) return false;
    if (!absl::ParseTime(absl::RFC3339_full, text, t, &error)) {
      p_.Add(n.pos, absl::StrCat(what, " must be an RFC 3339 time"));
      return false;
    }
    return true;
  }

  void Dataset(const YamlNode& n, DatasetInfo* d) {
    if (!p_.CheckMap(n, "dataset", {"id", "classification", "fields"})) return;
    std::string text;
    if (const YamlNode* v = Problems::Find(n, "id"))
      p_.Scalar(*v, "id", &d->id);
    if (const YamlNode* v = Problems::Find(n, "classification");
        v != nullptr && p_.Scalar(*v, "classification", &text) &&
        !ParseClassification(text, &d->classification)) {
      p_.Add(v->pos, "classification must be OPEN, RESTRICTED or PERSONAL");
    }
    if (const YamlNode* v = Problems::Find(n, "fields")) {
      p_.ScalarList(*v, "fields", &d->fields);
    }
    if (d->id.empty()) p_.Add(n.pos, "dataset needs an 'id'");
  }

  void Directory(const YamlNode& n, struct Directory* d) {
    if (!p_.CheckMap(n, "directory", {"principals", "categories"})) return;
    if (const YamlNode* v = Problems::Find(n, "categories")) {
      p_.ScalarList(*v, "categories", &d->categories);
    }
    const YamlNode* v = Problems::Find(n, "principals");
    if (v == nullptr) return;
    if (!v->IsMap()) {
      p_.Add(v->pos, "principals must map principal ids to categories");
      return;
    }
    for (size_t i = 0; i < v->size(); ++i) {
      std::string id, category;
      if (v->value(i).kind == YamlNode::Kind::kNull) {
        p_.Scalar(v->key(i), "principal id", &id);
      } else if (!p_.Scalar(v->key(i), "principal id", &id) ||
                 !p_.Scalar(v->value(i), "category", &category)) {
        continue;
      }
      d->principal_categories[id] = category;
    }
  }

  void Consent(const YamlNode& n, ConsentRecord* c) {
    if (!p_.CheckMap(
            n, "consent",
            {"id", "subject", "purpose", "recipient_partner",
             "recipient_category", "state", "expires_at", "objection"})) {
      return;
    }
    auto text = [&](absl::string_view key, std::string* out) {
      if (const YamlNode* v = Problems::Find(n, key)) p_.Scalar(*v, key, out);
    };
    text("id", &c->id);
    text("subject", &c->subject);
    text("purpose", &c->purpose);
    text("recipient_partner", &c->partner);
    text("recipient_category", &c->category);
    std::string state = "given";
    text("state", &state);
    if (state != "given" && state != "withdrawn" && state != "expired") {
      p_.Add(n.pos, "state must be given, withdrawn or expired");
    }
    c->live = state == "given";
    absl::Time t;
    if (const YamlNode* v = Problems::Find(n, "expires_at");
        v != nullptr && Time(*v, "expires_at", &t)) {
      c->expires_at = absl::ToUnixSeconds(t);
    }
    if (const YamlNode* v = Problems::Find(n, "objection")) {
      p_.Bool(*v, "objection", &c->objection);
    }
  }

  void Request(const YamlNode& n, Case* c) {
    if (!p_.CheckMap(n, "request",
                     {"partner", "category", "purpose", "fields", "subjects",
                      "lifetime", "location"})) {
      return;
    }
    if (const YamlNode* v = Problems::Find(n, "partner")) {
      p_.Scalar(*v, "partner", &c->partner);
    }
    if (const YamlNode* v = Problems::Find(n, "category")) {
      c->has_category = p_.Scalar(*v, "category", &c->category);
    }
    if (const YamlNode* v = Problems::Find(n, "purpose")) {
      p_.Scalar(*v, "purpose", &c->purpose);
    }
    if (const YamlNode* v = Problems::Find(n, "location")) {
      p_.Scalar(*v, "location", &c->location);
    }
    if (const YamlNode* v = Problems::Find(n, "fields")) {
      p_.ScalarList(*v, "fields", &c->fields);
    }
    if (const YamlNode* v = Problems::Find(n, "subjects")) {
      p_.ScalarList(*v, "subjects", &c->subjects);
    }
    if (const YamlNode* v = Problems::Find(n, "lifetime")) {
      p_.Duration(*v, "lifetime", 86400 * 366, &c->lifetime);
    }
  }

  void Expect(const YamlNode& n, Expectation* e) {
    if (!p_.CheckMap(n, "expect",
                     {"outcome", "fields", "subjects", "lifetime", "reasons",
                      "duties", "consents", "subjects_without_consent"})) {
      return;
    }
    std::string text;
    if (const YamlNode* v = Problems::Find(n, "outcome");
        v != nullptr && p_.Scalar(*v, "outcome", &text)) {
      text = absl::AsciiStrToLower(text);
      e->has_outcome = text == "permit" || text == "deny" || text == "invalid";
      e->invalid = text == "invalid";
      e->outcome = text == "permit" ? Outcome::kPermit : Outcome::kDeny;
      if (!e->has_outcome) {
        p_.Add(v->pos, "outcome must be permit, deny or invalid");
      }
    }
    if (const YamlNode* v = Problems::Find(n, "fields")) {
      e->has_fields = p_.ScalarList(*v, "fields", &e->fields);
    }
    if (const YamlNode* v = Problems::Find(n, "subjects")) {
      e->has_subjects = p_.ScalarList(*v, "subjects", &e->subjects);
    }
    if (const YamlNode* v = Problems::Find(n, "lifetime")) {
      e->has_lifetime = p_.Duration(*v, "lifetime", 86400 * 366, &e->lifetime);
    }
    if (const YamlNode* v = Problems::Find(n, "subjects_without_consent")) {
      e->has_without =
          p_.Integer(*v, "subjects_without_consent", 1000000, &e->without);
    }
    for (auto [key, list] :
         {std::pair{"reasons", &e->reasons}, std::pair{"duties", &e->duties},
          std::pair{"consents", &e->consents}}) {
      if (const YamlNode* v = Problems::Find(n, key)) {
        p_.ScalarList(*v, key, list);
      }
    }
  }

  void CaseNode(const YamlNode& n, absl::Time default_now, Case* c) {
    c->now = default_now;
    if (!p_.CheckMap(n, "case", {"name", "now", "request", "expect"})) return;
    if (const YamlNode* v = Problems::Find(n, "name")) {
      p_.Scalar(*v, "name", &c->name);
    }
    if (const YamlNode* v = Problems::Find(n, "now")) Time(*v, "now", &c->now);
    const YamlNode* request = Problems::Find(n, "request");
    const YamlNode* expect = Problems::Find(n, "expect");
    if (request == nullptr || expect == nullptr) {
      p_.Add(n.pos, "a case needs 'request' and 'expect'");
      return;
    }
    Request(*request, c);
    Expect(*expect, &c->expect);
  }

 private:
  Problems& p_;
};

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

void Compare(const Expectation& e, const Decision& d,
             std::vector<std::string>* failures) {
  auto list = [](const std::vector<std::string>& v) {
    return absl::StrCat("[", absl::StrJoin(v, ", "), "]");
  };
  if (e.invalid) {
    failures->push_back(
        absl::StrCat("request is valid; outcome is ",
                     d.outcome == Outcome::kPermit ? "permit" : "deny"));
    return;
  }
  if (e.has_outcome && e.outcome != d.outcome) {
    failures->push_back(absl::StrCat(
        "outcome is ", d.outcome == Outcome::kPermit ? "permit" : "deny"));
  }
  if (e.has_fields && Sorted(e.fields) != Sorted(d.fields)) {
    failures->push_back(absl::StrCat("fields are ", list(d.fields)));
  }
  if (e.has_subjects && Sorted(e.subjects) != Sorted(d.subjects)) {
    failures->push_back(absl::StrCat("subjects are ", list(d.subjects)));
  }
  if (e.has_lifetime && e.lifetime != d.lifetime_seconds) {
    failures->push_back(absl::StrCat("lifetime is ", d.lifetime_seconds));
  }
  if (e.has_without && e.without != d.subjects_without_consent) {
    failures->push_back(absl::StrCat("subjects_without_consent is ",
                                     d.subjects_without_consent));
  }
  std::vector<std::string> codes, kinds;
  for (const Reason& r : d.reasons) codes.push_back(r.code);
  for (const Duty& duty : d.duties) {
    kinds.push_back(std::string(DutyKindName(duty.kind)));
  }
  for (const std::string& code : e.reasons) {
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) {
      failures->push_back(
          absl::StrCat("no reason '", code, "' among ", list(codes)));
    }
  }
  for (const std::string& kind : e.duties) {
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
      failures->push_back(
          absl::StrCat("no duty '", kind, "' among ", list(kinds)));
    }
  }
  if (!e.consents.empty() && Sorted(e.consents) != Sorted(d.consent_ids)) {
    failures->push_back(absl::StrCat("consents are ", list(d.consent_ids)));
  }
}

// What a suite file holds, read but not yet compiled or run.
struct Suite {
  DatasetInfo dataset;
  Directory directory;
  absl::Time now = absl::UnixEpoch();
  std::vector<ConsentRecord> records;
  std::vector<Case> cases;
  const YamlNode* inline_policy = nullptr;  // `policy`, or
  const YamlNode* policy_file = nullptr;    // `policy_file`
};

// Reads the keys of the suite's root into `suite`; what is wrong goes to
// `problems`.
void ReadSuite(const YamlNode& root, SuiteReader& reader, Problems& problems,
               Suite* suite) {
  const YamlNode* n = Problems::Find(root, "dataset");
  if (n == nullptr) {
    problems.Add(root.pos, "missing key 'dataset'");
  } else {
    reader.Dataset(*n, &suite->dataset);
  }
  if ((n = Problems::Find(root, "directory"))) {
    reader.Directory(*n, &suite->directory);
  }
  if ((n = Problems::Find(root, "now"))) reader.Time(*n, "now", &suite->now);
  if ((n = Problems::Find(root, "consents"))) {
    if (!n->IsSequence()) {
      problems.Add(n->pos, "consents must be a list");
    } else {
      for (const YamlNode& item : n->children) {
        reader.Consent(item, &suite->records.emplace_back());
      }
    }
  }
  if ((n = Problems::Find(root, "cases")) == nullptr || !n->IsSequence()) {
    problems.Add(n == nullptr ? root.pos : n->pos, "'cases' must be a list");
  } else {
    for (const YamlNode& item : n->children) {
      reader.CaseNode(item, suite->now, &suite->cases.emplace_back());
    }
  }
  suite->inline_policy = Problems::Find(root, "policy");
  suite->policy_file = Problems::Find(root, "policy_file");
  if ((suite->inline_policy == nullptr) == (suite->policy_file == nullptr)) {
    problems.Add(root.pos, "give exactly one of 'policy' and 'policy_file'");
  }
}

// The suite's policy: inline, or read from `policy_file` (relative to the
// suite's own path) with `read_file`.
absl::StatusOr<Policy> SuitePolicy(const Suite& suite,
                                   absl::string_view suite_path,
                                   const Taxonomy& taxonomy,
                                   const FileReader& read_file,
                                   Problems& problems) {
  if (suite.inline_policy != nullptr) {
    return ParsePolicyNode(*suite.inline_policy, suite_path, suite.dataset,
                           taxonomy, suite.directory);
  }
  std::string name;
  if (!problems.Scalar(*suite.policy_file, "policy_file", &name)) {
    return problems.ToStatus();
  }
  const std::string path = ResolveRelative(suite_path, name);
  absl::StatusOr<std::string> text = read_file(path);
  if (!text.ok()) return text.status();
  return ParsePolicy(
      *text,
      absl::EndsWith(path, ".json") ? SourceFormat::kJson : SourceFormat::kYaml,
      path, suite.dataset, taxonomy, suite.directory);
}

// The request a case asks; the partner's category is the case's, else the
// directory's.
Request CaseRequest(const Case& c, const Directory& directory) {
  Request request;
  request.partner = c.partner;
  auto known = directory.principal_categories.find(c.partner);
  request.partner_category = c.has_category ? absl::string_view(c.category)
                             : known != directory.principal_categories.end()
                                 ? absl::string_view(known->second)
                                 : absl::string_view();
  request.purpose = c.purpose;
  request.fields = c.fields;
  request.subjects = c.subjects;
  request.lifetime_seconds = static_cast<uint32_t>(c.lifetime);
  request.location = c.location;
  return request;
}

// Decides one case and compares the decision with what it expects.
void RunCase(const Case& c, const Suite& suite, const CompiledPolicy& compiled,
             absl::Span<const ConsentView> views, SuiteCaseResult& out) {
  const Request request = CaseRequest(c, suite.directory);
  out.name = c.name;
  // The broker refuses such a request before deciding it: so does the
  // suite.
  if (absl::Status s =
          CheckRequestSubjects(suite.dataset.classification, c.subjects.size());
      !s.ok()) {
    out.invalid = std::string(s.message());
    if (!c.expect.invalid) {
      out.failures.push_back(absl::StrCat("request is invalid: ", out.invalid));
    }
  } else {
    Decide(request, compiled, views, c.now, &out.decision);
    Compare(c.expect, out.decision, &out.failures);
  }
  out.passed = out.failures.empty();
}

}  // namespace

int SuiteResult::failed() const {
  return static_cast<int>(
      std::count_if(cases.begin(), cases.end(),
                    [](const SuiteCaseResult& c) { return !c.passed; }));
}

std::string ResolveRelative(absl::string_view base_file,
                            absl::string_view relative) {
  if (absl::StartsWith(relative, "/")) return std::string(relative);
  const size_t slash = base_file.rfind('/');
  if (slash == absl::string_view::npos) return std::string(relative);
  return absl::StrCat(base_file.substr(0, slash + 1), relative);
}

absl::StatusOr<SuiteResult> RunPolicySuite(absl::string_view suite_yaml,
                                           absl::string_view suite_path,
                                           const Taxonomy& taxonomy,
                                           const FileReader& read_file) {
  absl::StatusOr<YamlNode> root = ParseYamlTree(suite_yaml, suite_path);
  if (!root.ok()) return root.status();
  Problems problems(suite_path);
  SuiteReader reader(&problems);
  if (!problems.CheckMap(*root, "suite",
                         {"dataset", "directory", "policy", "policy_file",
                          "now", "consents", "cases"})) {
    return problems.ToStatus();
  }
  Suite suite;
  ReadSuite(*root, reader, problems, &suite);
  if (!problems.empty()) return problems.ToStatus();

  absl::StatusOr<Policy> policy =
      SuitePolicy(suite, suite_path, taxonomy, read_file, problems);
  if (!policy.ok()) return policy.status();
  absl::StatusOr<CompiledPolicy> compiled =
      Compile(*policy, suite.dataset, taxonomy, suite.directory);
  if (!compiled.ok()) return compiled.status();

  std::vector<ConsentView> views;
  for (const ConsentRecord& r : suite.records) {
    views.push_back(ConsentView{r.id,
                                r.subject,
                                r.purpose,
                                r.partner,
                                r.category,
                                r.live,
                                r.expires_at,
                                r.objection,
                                {}});
  }
  SuiteResult result;
  result.file = std::string(suite_path);
  for (const Case& c : suite.cases) {
    RunCase(c, suite, *compiled, views, result.cases.emplace_back());
  }
  return result;
}

absl::StatusOr<SuiteContext> ReadSuiteContext(absl::string_view yaml,
                                              absl::string_view path) {
  absl::StatusOr<YamlNode> root = ParseYamlTree(yaml, path);
  if (!root.ok()) return root.status();
  Problems problems(path);
  SuiteReader reader(&problems);
  if (!problems.CheckMap(*root, "suite",
                         {"dataset", "directory", "policy", "policy_file",
                          "now", "consents", "cases"})) {
    return problems.ToStatus();
  }
  SuiteContext context;
  if (const YamlNode* n = Problems::Find(*root, "dataset")) {
    context.has_dataset = true;
    reader.Dataset(*n, &context.dataset);
  }
  if (const YamlNode* n = Problems::Find(*root, "directory")) {
    reader.Directory(*n, &context.directory);
  }
  if (!problems.empty()) return problems.ToStatus();
  return context;
}

std::string FormatSuiteResult(const SuiteResult& result) {
  std::string out;
  for (const SuiteCaseResult& c : result.cases) {
    absl::StrAppend(&out, c.passed ? "PASS " : "FAIL ", result.file, ": ",
                    c.name);
    if (!c.passed) absl::StrAppend(&out, ": ", absl::StrJoin(c.failures, "; "));
    out.push_back('\n');
  }
  absl::StrAppend(&out, result.cases.size() - result.failed(), " passed, ",
                  result.failed(), " failed\n");
  return out;
}

}  // namespace accord::policy
