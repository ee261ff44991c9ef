#include "policy/taxonomy.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
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

constexpr size_t kMaxLabelBytes = 200;
constexpr size_t kMaxDescriptionBytes = 2000;

// True for DPV term names: a letter, then letters and digits.
bool IsDpvTerm(absl::string_view term) {
  if (term.empty() || term.size() > 128 || !absl::ascii_isalpha(term[0])) {
    return false;
  }
  for (char c : term) {
    if (!absl::ascii_isalnum(c)) return false;
  }
  return true;
}

// Expands `dpv:Term` or accepts `https://w3id.org/dpv#Term`; "" otherwise.
std::string ExpandDpv(absl::string_view text) {
  absl::string_view term = text;
  if (!absl::ConsumePrefix(&term, "dpv:") &&
      !absl::ConsumePrefix(&term, Taxonomy::kDpvNamespace)) {
    return "";
  }
  return IsDpvTerm(term) ? absl::StrCat(Taxonomy::kDpvNamespace, term) : "";
}

struct Declared {
  std::string id;
  // Per language (indexed by Language): label and description.
  std::array<std::string, kLanguages.size()> labels;
  std::array<std::string, kLanguages.size()> descriptions;
  std::string dpv_iri;
  SourcePos pos;
};

// Reads `label` or `description`: a plain string (English) or a map of
// language code to text. Records problems; leaves `out` as far as read.
void ReadTexts(const YamlNode& node, absl::string_view key, size_t max_bytes,
               Problems& problems,
               std::array<std::string, kLanguages.size()>* out) {
  auto check = [&](const YamlNode& v, absl::string_view what,
                   std::string* text) {
    if (!problems.Scalar(v, what, text)) return;
    if (text->empty() || text->size() > max_bytes) {
      problems.Add(v.pos,
                   absl::StrCat(what, " must be 1 to ", max_bytes, " bytes"));
      text->clear();
    }
  };
  if (node.IsScalar()) {
    check(node, key, &(*out)[static_cast<size_t>(Language::kEn)]);
    return;
  }
  if (!node.IsMap()) {
    problems.Add(node.pos, absl::StrCat(key,
                                        " must be a text or a map of "
                                        "language (fr, en) to text"));
    return;
  }
  if (!problems.CheckMap(node, key, {"fr", "en"})) return;
  for (size_t i = 0; i < node.size(); ++i) {
    Language language;
    if (!node.key(i).IsScalar() ||
        !ParseLanguage(node.key(i).scalar, &language)) {
      continue;  // reported by CheckMap
    }
    check(node.value(i), absl::StrCat(key, " ", node.key(i).scalar),
          &(*out)[static_cast<size_t>(language)]);
  }
}

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
        if (const YamlNode* v = Problems::Find(item, "label")) {
          ReadTexts(*v, "label", kMaxLabelBytes, problems, &d.labels);
        }
        if (const YamlNode* v = Problems::Find(item, "description")) {
          ReadTexts(*v, "description", kMaxDescriptionBytes, problems,
                    &d.descriptions);
        }
        std::string dpv;
        if (const YamlNode* v = Problems::Find(item, "dpv");
            v != nullptr && problems.Scalar(*v, "dpv", &dpv)) {
          d.dpv_iri = ExpandDpv(dpv);
          if (d.dpv_iri.empty()) {
            problems.Add(v->pos, absl::StrCat("dpv '", dpv, "' of '", d.id,
                                              "' must be dpv:Term or ",
                                              Taxonomy::kDpvNamespace, "Term"));
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
      problems.Add(d.pos,
                   absl::StrCat("purpose '", d.id, "' is already defined"));
      continue;
    }
    int parent = -1;
    const size_t dot = d.id.rfind('.');
    if (dot != std::string::npos) {
      auto it = index.find(absl::string_view(d.id).substr(0, dot));
      if (it == index.end()) {
        problems.Add(d.pos,
                     absl::StrCat("parent purpose '", d.id.substr(0, dot),
                                  "' of '", d.id, "' is not defined"));
        continue;
      }
      parent = it->second;
    }
    index.emplace(d.id, static_cast<int>(entries.size()));
    Entry entry;
    entry.id = d.id;
    entry.parent = parent;
    for (size_t l = 0; l < kLanguages.size(); ++l) {
      entry.texts[l] = Text{d.labels[l], d.descriptions[l]};
    }
    entry.dpv_iri = d.dpv_iri;
    entries.push_back(std::move(entry));
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

const Taxonomy::Text* Taxonomy::TextOf(absl::string_view id,
                                       Language language) const {
  const int i = IndexOf(id);
  return i < 0 ? nullptr : &entries_[i].texts[static_cast<size_t>(language)];
}

std::string Taxonomy::Label(absl::string_view id) const {
  return Label(id, Language::kEn);
}

std::string Taxonomy::Label(absl::string_view id, Language language) const {
  const Text* t = TextOf(id, language);
  return t == nullptr ? "" : t->label;
}

std::string Taxonomy::Description(absl::string_view id,
                                  Language language) const {
  const Text* t = TextOf(id, language);
  return t == nullptr ? "" : t->description;
}

std::string Taxonomy::DpvIri(absl::string_view id) const {
  const int i = IndexOf(id);
  return i < 0 ? "" : entries_[i].dpv_iri;
}

std::vector<std::string> Taxonomy::MissingTexts() const {
  std::vector<std::string> missing;
  for (const std::string& id : Ids()) {
    for (Language l : kLanguages) {
      const Text* t = TextOf(id, l);
      if (t->label.empty()) {
        missing.push_back(absl::StrCat(id, ": no ", LanguageCode(l), " label"));
      }
      if (t->description.empty()) {
        missing.push_back(
            absl::StrCat(id, ": no ", LanguageCode(l), " description"));
      }
    }
  }
  return missing;
}

}  // namespace accord::policy
