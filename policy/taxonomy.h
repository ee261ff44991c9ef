#ifndef ACCORD_POLICY_TAXONOMY_H_
#define ACCORD_POLICY_TAXONOMY_H_

// The purpose taxonomy: a tree of dotted purpose ids
// (`public-benefit.improve-transport-mobility`). A purpose covers itself and
// every purpose below it. Each purpose may carry a label and a description
// per language (for notices shown to citizens) and a W3C DPV purpose IRI.

#include <array>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "policy/language.h"

namespace accord::policy {

// Returns the default taxonomy document (policy/data/purposes.yaml, compiled
// into the library).
absl::string_view DefaultTaxonomyYaml();

class Taxonomy {
 public:
  // Namespace of the expanded DPV IRIs.
  static constexpr absl::string_view kDpvNamespace = "https://w3id.org/dpv#";

  // Builds a taxonomy from a document of the form
  //   purposes:
  //     - id: a.b
  //       label: {fr: ..., en: ...}        # or a plain string: English
  //       description: {fr: ..., en: ...}  # or a plain string: English
  //       dpv: dpv:Term                    # or https://w3id.org/dpv#Term
  // Every key but `id` is optional. Returns INVALID_ARGUMENT with every
  // problem as FILE:LINE:COLUMN lines (bad id, duplicate, missing parent,
  // unknown key or language, empty or overlong text, malformed dpv,
  // document limits).
  static absl::StatusOr<Taxonomy> Parse(absl::string_view yaml,
                                        absl::string_view file_name);
  // Parses DefaultTaxonomyYaml(). Returns INTERNAL only if the shipped file
  // is broken.
  static absl::StatusOr<Taxonomy> Default();

  // Adds the purposes of another document of the same form (operator
  // additions). New ids only; each parent must exist here or in the
  // document. Returns OK, or INVALID_ARGUMENT as for Parse, in which case
  // the taxonomy is unchanged.
  absl::Status Extend(absl::string_view yaml, absl::string_view file_name);

  // True when `id` is a purpose of the taxonomy.
  bool Contains(absl::string_view id) const;
  // True when both ids are known and `requested` is `allowed` or below it.
  bool Covers(absl::string_view allowed, absl::string_view requested) const;
  // Every purpose id, sorted.
  std::vector<std::string> Ids() const;
  // Returns the known id closest to a misspelt `id`, or "" if none is close.
  std::string Suggest(absl::string_view id) const;
  // English label of `id`, or "" when unknown or without one (the form
  // read before labels had languages).
  std::string Label(absl::string_view id) const;
  // Label and description of `id` in `language`, or "" when unknown or
  // without one. There is no fallback to another language.
  std::string Label(absl::string_view id, Language language) const;
  std::string Description(absl::string_view id, Language language) const;
  // Expanded DPV IRI of `id` (https://w3id.org/dpv#Term), or "" when unknown
  // or not mapped.
  std::string DpvIri(absl::string_view id) const;
  // One line per missing text, "ID: no fr label" / "ID: no en description",
  // in id order; empty when every purpose has both in every language.
  std::vector<std::string> MissingTexts() const;

  // Dense view used by compiled policies: ids are numbered 0..size()-1,
  // every parent before its children.
  size_t size() const { return entries_.size(); }
  // Index of `id`, or -1 when unknown.
  int IndexOf(absl::string_view id) const;
  // Parent index, or -1 for a root.
  int Parent(int index) const { return entries_[index].parent; }
  const std::string& IdAt(int index) const { return entries_[index].id; }

 private:
  // Label and description in one language.
  struct Text {
    std::string label;
    std::string description;
  };
  struct Entry {
    std::string id;
    int parent = -1;
    std::array<Text, kLanguages.size()> texts;  // indexed by Language
    std::string dpv_iri;
  };

  const Text* TextOf(absl::string_view id, Language language) const;

  std::vector<Entry> entries_;
  absl::flat_hash_map<std::string, int> index_;
};

}  // namespace accord::policy

#endif  // ACCORD_POLICY_TAXONOMY_H_
