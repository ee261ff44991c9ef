#include "policy/taxonomy.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "policy/near_miss.h"
#include "policy/problems.h"
#include "policy/yaml_tree.h"

namespace accord::policy {
namespace {

// True for dotted paths of segments `[a-z0-9][a-z0-9-]*`.
bool IsPurposeId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  bool segment_start = true;
  for (char c : id) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '.') {
      if (segment_start) return false;
      segment_start = true;
    } else if (alnum || (c == '-' && !segment_start)) {
      segment_start = false;
    } else {
      return false;
    }
  }
  return !segment_start;
}

struct Declared {
  std::string id;
  std::string label;
  SourcePos pos;
};

}  // namespace

absl::StatusOr<Taxonomy> Taxonomy::Parse(absl::string_view yaml,
                                         absl::string_view file_name) {
  Taxonomy taxonomy;
  absl::Status s = taxonomy.Extend(yaml, file_name);
  if (!s.ok()) return s;
  return taxonomy;
}

absl::StatusOr<Taxonomy> Taxonomy::Default() {
  absl::StatusOr<Taxonomy> t = Parse(DefaultTaxonomyYaml(), "purposes.yaml");
  if (!t.ok()) {
    return absl::InternalError(
        absl::StrCat("default taxonomy: ", t.status().message()));
  }
  return t;
}

absl::Status Taxonomy::Extend(absl::string_view yaml,
                              absl::string_view file_name) {
  absl::StatusOr<YamlNode> root = ParseYamlTree(yaml, file_name);
  if (!root.ok()) return root.status();
  Problems problems(file_name);
  std::vector<Declared> declared;
  if (problems.CheckMap(*root, "taxonomy", {"purposes"})) {
    const YamlNode* list = Problems::Find(*root, "purposes");
    if (list == nullptr) {
      problems.Add(root->pos, "missing key 'purposes'");
    } else if (!list->IsSequence()) {
      problems.Add(list->pos, "'purposes' must be a list");
    } else {
      for (const YamlNode& item : list->children) {
        if (!problems.CheckMap(item, "purpose",
                               {"id", "label", "description", "dpv"})) {
          continue;
        }
        Declared d;
        d.pos = item.pos;
        const YamlNode* id = Problems::Find(item, "id");
        if (id == nullptr) {
          problems.Add(item.pos, "purpose without 'id'");
          continue;
        }
        if (!problems.Scalar(*id, "purpose id", &d.id)) continue;
        d.pos = id->pos;
        if (!IsPurposeId(d.id)) {
          problems.Add(id->pos,
                       absl::StrCat("invalid purpose id '", d.id,
                                    "': use dotted lowercase segments"));
          continue;
        }
        for (absl::string_view key : {"label", "description", "dpv"}) {
          const YamlNode* v = Problems::Find(item, key);
          std::string text;
          if (v != nullptr && problems.Scalar(*v, key, &text) &&
              key == "label") {
            d.label = text;
          }
        }
        declared.push_back(std::move(d));
      }
    }
  }
  // Parents before children, whatever the order in the document.
  std::stable_sort(declared.begin(), declared.end(),
                   [](const Declared& a, const Declared& b) {
                     return std::count(a.id.begin(), a.id.end(), '.') <
                            std::count(b.id.begin(), b.id.end(), '.');
                   });
  std::vector<Entry> entries = entries_;
  absl::flat_hash_map<std::string, int> index = index_;
  for (const Declared& d : declared) {
    if (index.contains(d.id)) {
      problems.Add(d.pos, absl::StrCat("purpose '", d.id,
                                       "' is already defined"));
      continue;
    }
    int parent = -1;
    const size_t dot = d.id.rfind('.');
    if (dot != std::string::npos) {
      auto it = index.find(absl::string_view(d.id).substr(0, dot));
      if (it == index.end()) {
        problems.Add(d.pos, absl::StrCat("parent purpose '",
                                         d.id.substr(0, dot),
                                         "' of '", d.id, "' is not defined"));
        continue;
      }
      parent = it->second;
    }
    index.emplace(d.id, static_cast<int>(entries.size()));
    entries.push_back(Entry{d.id, d.label, parent});
  }
  if (!problems.empty()) return problems.ToStatus();
  entries_ = std::move(entries);
  index_ = std::move(index);
  return absl::OkStatus();
}

bool Taxonomy::Contains(absl::string_view id) const {
  return index_.contains(id);
}

int Taxonomy::IndexOf(absl::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? -1 : it->second;
}

bool Taxonomy::Covers(absl::string_view allowed,
                      absl::string_view requested) const {
  const int a = IndexOf(allowed);
  for (int r = IndexOf(requested); r >= 0 && a >= 0; r = entries_[r].parent) {
    if (r == a) return true;
  }
  return false;
}

std::vector<std::string> Taxonomy::Ids() const {
  std::vector<std::string> ids;
  ids.reserve(entries_.size());
  for (const Entry& e : entries_) ids.push_back(e.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string Taxonomy::Suggest(absl::string_view id) const {
  return ClosestName(id, Ids());
}

std::string Taxonomy::Label(absl::string_view id) const {
  const int i = IndexOf(id);
  return i < 0 ? "" : entries_[i].label;
}

}  // namespace accord::policy
