#include "clients/request_file.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "clients/time_format.h"
#include "policy/problems.h"
#include "policy/yaml_tree.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using policy::Problems;
using policy::YamlNode;

// Reads one mapping of the file into a spec, recording each problem.
class Reader {
 public:
  Reader(Problems* problems, int64_t now) : p_(problems), now_(now) {}

  void Read(const YamlNode& root, v1::ConsentRequestSpec* spec) {
    if (!p_->CheckMap(root, "the request",
                      {"dataset", "purpose", "fields", "consent_duration",
                       "duties", "title", "description", "public_benefit",
                       "responsible", "opens_at", "closes_at"})) {
      return;
    }
    if (const YamlNode* n = Required(root, "dataset")) {
      p_->Scalar(*n, "dataset", spec->mutable_dataset_id());
    }
    if (const YamlNode* n = Required(root, "purpose")) {
      p_->Scalar(*n, "purpose", spec->mutable_purpose());
    }
    if (const YamlNode* n = Required(root, "fields")) {
      std::vector<std::string> fields;
      if (p_->ScalarList(*n, "fields", &fields)) {
        for (std::string& f : fields) spec->add_fields(std::move(f));
      }
    }
    if (const YamlNode* n = Required(root, "consent_duration")) {
      int64_t seconds = 0;
      if (Duration(*n, "consent_duration", &seconds)) {
        spec->set_consent_duration_seconds(seconds);
      }
    }
    if (const YamlNode* n = Problems::Find(root, "duties")) Duties(*n, spec);
    if (const YamlNode* n = Required(root, "title")) {
      Text(*n, "title", spec->mutable_title());
    }
    if (const YamlNode* n = Required(root, "description")) {
      Text(*n, "description", spec->mutable_description());
    }
    if (const YamlNode* n = Required(root, "public_benefit")) {
      Text(*n, "public_benefit", spec->mutable_public_benefit());
    }
    if (const YamlNode* n = Required(root, "responsible")) {
      Responsible(*n, spec->mutable_responsible());
    }
    spec->set_opens_at(now_);
    if (const YamlNode* n = Problems::Find(root, "opens_at")) {
      int64_t at = 0;
      if (Time(*n, "opens_at", &at)) spec->set_opens_at(at);
    }
    if (const YamlNode* n = Required(root, "closes_at")) {
      int64_t at = 0;
      if (Time(*n, "closes_at", &at)) spec->set_closes_at(at);
    }
  }

 private:
  const YamlNode* Required(const YamlNode& map, absl::string_view key,
                           absl::string_view prefix = "") {
    const YamlNode* n = Problems::Find(map, key);
    if (n == nullptr) {
      p_->Add(map.pos, absl::StrCat(prefix, key, ": required"));
    }
    return n;
  }

  bool Duration(const YamlNode& n, absl::string_view what, int64_t* out) {
    std::string text;
    if (!p_->Scalar(n, what, &text)) return false;
    absl::StatusOr<int64_t> seconds = ParseDuration(text, what);
    if (!seconds.ok()) {
      p_->Add(n.pos, seconds.status().message());
      return false;
    }
    *out = *seconds;
    return true;
  }

  bool Time(const YamlNode& n, absl::string_view what, int64_t* out) {
    std::string text;
    if (!p_->Scalar(n, what, &text)) return false;
    absl::StatusOr<int64_t> at = ParseTimeOrOffset(text, what, now_);
    if (!at.ok()) {
      p_->Add(n.pos, at.status().message());
      return false;
    }
    *out = *at;
    return true;
  }

  void Text(const YamlNode& n, absl::string_view what,
            v1::LocalizedText* out) {
    if (!p_->CheckMap(n, what, {"fr", "en"})) return;
    if (const YamlNode* fr = Required(n, "fr", absl::StrCat(what, "."))) {
      p_->Scalar(*fr, absl::StrCat(what, ".fr"), out->mutable_fr());
    }
    if (const YamlNode* en = Problems::Find(n, "en")) {
      p_->Scalar(*en, absl::StrCat(what, ".en"), out->mutable_en());
    }
  }

  void Responsible(const YamlNode& n, v1::Responsible* out) {
    if (!p_->CheckMap(n, "responsible",
                      {"organisation", "name", "role", "email"})) {
      return;
    }
    struct Member {
      const char* key;
      std::string* value;
    } members[] = {{"organisation", out->mutable_organisation()},
                   {"name", out->mutable_name()},
                   {"role", out->mutable_role()},
                   {"email", out->mutable_email()}};
    for (const Member& m : members) {
      if (const YamlNode* v = Required(n, m.key, "responsible.")) {
        p_->Scalar(*v, absl::StrCat("responsible.", m.key), m.value);
      }
    }
  }

  void Duties(const YamlNode& n, v1::ConsentRequestSpec* spec) {
    if (!p_->CheckMap(n, "duties",
                      {"delete_after", "aggregate_min_k", "attribute",
                       "no_onward_transfer", "notify_producer"})) {
      return;
    }
    for (size_t i = 0; i < n.size(); ++i) {
      const std::string& kind = n.key(i).scalar;
      const YamlNode& value = n.value(i);
      const std::string what = absl::StrCat("duties.", kind);
      if (kind == "delete_after") {
        int64_t seconds = 0;
        if (Duration(value, what, &seconds)) {
          Add(spec, kind, absl::StrCat(seconds));
        }
      } else if (kind == "aggregate_min_k") {
        int64_t k = 0;
        if (p_->Integer(value, what, 1000000, &k)) {
          Add(spec, kind, absl::StrCat(k));
        }
      } else if (kind == "attribute") {
        std::string mention;
        if (p_->Scalar(value, what, &mention)) Add(spec, kind, mention);
      } else if (kind == "no_onward_transfer" || kind == "notify_producer") {
        bool on = false;
        if (p_->Bool(value, what, &on) && on) Add(spec, kind, "");
      }
    }
  }

  static void Add(v1::ConsentRequestSpec* spec, absl::string_view kind,
                  absl::string_view value) {
    v1::Duty* duty = spec->add_duties();
    duty->set_kind(std::string(kind));
    duty->set_value(std::string(value));
  }

  Problems* p_;
  int64_t now_;
};

}  // namespace

absl::StatusOr<v1::ConsentRequestSpec> ParseRequestFile(
    absl::string_view text, absl::string_view file_name, int64_t now) {
  policy::YamlLimits limits;
  limits.max_bytes = 256 * 1024;
  limits.max_depth = 8;
  limits.max_nodes = 10000;
  absl::StatusOr<YamlNode> root =
      policy::ParseYamlTree(text, file_name, limits);
  if (!root.ok()) return root.status();
  Problems problems(file_name);
  v1::ConsentRequestSpec spec;
  if (root->kind == YamlNode::Kind::kNull) {
    problems.Add(root->pos, "the request: empty file");
  } else {
    Reader(&problems, now).Read(*root, &spec);
  }
  absl::Status status = problems.ToStatus();
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrReplaceAll(status.message(), {{"\n", "; "}}));
  }
  return spec;
}

}  // namespace accord::client
