#include "clients/dataset_file.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "policy/problems.h"
#include "policy/yaml_tree.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using policy::Problems;
using policy::YamlNode;

void ReadText(Problems* p, const YamlNode& n, const std::string& what,
              v1::LocalizedText* out) {
  if (!p->CheckMap(n, what, {"fr", "en"})) return;
  if (const YamlNode* fr = Problems::Find(n, "fr")) {
    p->Scalar(*fr, what + ".fr", out->mutable_fr());
  }
  if (const YamlNode* en = Problems::Find(n, "en")) {
    p->Scalar(*en, what + ".en", out->mutable_en());
  }
}

const YamlNode* Required(Problems* p, const YamlNode& map,
                         absl::string_view key) {
  const YamlNode* n = Problems::Find(map, key);
  if (n == nullptr) p->Add(map.pos, absl::StrCat(key, ": required"));
  return n;
}

void Read(Problems* p, const YamlNode& root, v1::Dataset* dataset) {
  if (!p->CheckMap(root, "the dataset",
                   {"id", "title", "classification", "fields", "description",
                    "field_descriptions"})) {
    return;
  }
  if (const YamlNode* n = Required(p, root, "id")) {
    p->Scalar(*n, "id", dataset->mutable_id());
  }
  if (const YamlNode* n = Required(p, root, "title")) {
    p->Scalar(*n, "title", dataset->mutable_title());
  }
  if (const YamlNode* n = Required(p, root, "classification")) {
    std::string word;
    if (p->Scalar(*n, "classification", &word)) {
      absl::StatusOr<v1::Classification> c = ParseClassificationWord(word);
      if (c.ok()) {
        dataset->set_classification(*c);
      } else {
        p->Add(n->pos, absl::StrCat("classification: ", c.status().message()));
      }
    }
  }
  if (const YamlNode* n = Required(p, root, "fields")) {
    std::vector<std::string> fields;
    if (p->ScalarList(*n, "fields", &fields)) {
      for (std::string& f : fields) dataset->add_fields(std::move(f));
    }
  }
  if (const YamlNode* n = Problems::Find(root, "description")) {
    ReadText(p, *n, "description", dataset->mutable_description());
  }
  if (const YamlNode* n = Problems::Find(root, "field_descriptions")) {
    if (!n->IsMap()) {
      p->Add(n->pos, "field_descriptions must be a mapping");
      return;
    }
    for (size_t i = 0; i < n->size(); ++i) {
      const YamlNode& key = n->key(i);
      if (!key.IsScalar()) {
        p->Add(key.pos, "keys of field_descriptions must be field names");
        continue;
      }
      const auto& known = dataset->field_descriptions();
      if (std::any_of(known.begin(), known.end(),
                      [&](const v1::FieldDescription& d) {
                        return d.field() == key.scalar;
                      })) {
        p->Add(key.pos, absl::StrCat("duplicate key '", key.scalar,
                                     "' in field_descriptions"));
        continue;
      }
      v1::FieldDescription* d = dataset->add_field_descriptions();
      d->set_field(key.scalar);
      ReadText(p, n->value(i), absl::StrCat("field_descriptions.", key.scalar),
               d->mutable_text());
    }
  }
}

}  // namespace

absl::StatusOr<v1::Classification> ParseClassificationWord(
    absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "open") return v1::CLASSIFICATION_OPEN;
  if (lower == "restricted") return v1::CLASSIFICATION_RESTRICTED;
  if (lower == "personal") return v1::CLASSIFICATION_PERSONAL;
  return absl::InvalidArgumentError("expected open, restricted or personal");
}

absl::StatusOr<v1::Dataset> ParseDatasetFile(absl::string_view text,
                                             absl::string_view file_name) {
  policy::YamlLimits limits;
  limits.max_bytes = 1024 * 1024;
  limits.max_depth = 8;
  absl::StatusOr<YamlNode> root =
      policy::ParseYamlTree(text, file_name, limits);
  if (!root.ok()) return root.status();
  Problems problems(file_name);
  v1::Dataset dataset;
  if (root->kind == YamlNode::Kind::kNull) {
    problems.Add(root->pos, "the dataset: empty file");
  } else {
    Read(&problems, *root, &dataset);
  }
  absl::Status status = problems.ToStatus();
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrReplaceAll(status.message(), {{"\n", "; "}}));
  }
  return dataset;
}

}  // namespace accord::client
