#ifndef ACCORD_POLICY_YAML_TREE_H_
#define ACCORD_POLICY_YAML_TREE_H_

// A bounded YAML/JSON reader that builds a small owned tree with source
// positions. yaml-cpp is only used as an event source: anchors, aliases,
// tags and multiple documents are rejected, and the text is pre-scanned for
// nesting depth so yaml-cpp never recurses deeply.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::policy {

// Limits applied before and while parsing.
struct YamlLimits {
  size_t max_bytes = 1 << 20;
  int max_depth = 32;
  size_t max_nodes = 200000;
};

// 1-based source position.
struct SourcePos {
  int line = 0;
  int column = 0;
};

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  SourcePos pos;
  // Scalar text (kScalar only).
  std::string scalar;
  // True for a quoted or block scalar (its text is never a number/bool).
  bool quoted = false;
  // kSequence: the items. kMap: keys at even, values at odd indexes.
  std::vector<YamlNode> children;

  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsMap() const { return kind == Kind::kMap; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  // Number of entries of a map or items of a sequence.
  size_t size() const {
    return kind == Kind::kMap ? children.size() / 2 : children.size();
  }
  const YamlNode& key(size_t i) const { return children[2 * i]; }
  const YamlNode& value(size_t i) const { return children[2 * i + 1]; }
};

// Checks that `text` nests no deeper than `max_depth` (flow brackets plus
// block indentation levels), without recursion.
// Returns OK, or INVALID_ARGUMENT "FILE:LINE:COLUMN: message" at the first
// place the limit is exceeded.
absl::Status CheckNestingDepth(absl::string_view text,
                               absl::string_view file_name, int max_depth);

// Parses one YAML (or JSON) document into a tree.
// Returns the root (kNull for an empty document) on success, or
// INVALID_ARGUMENT "FILE:LINE:COLUMN: message" for a syntax error, a
// document over the limits, anchors/aliases/tags, or several documents.
absl::StatusOr<YamlNode> ParseYamlTree(absl::string_view text,
                                       absl::string_view file_name,
                                       const YamlLimits& limits = {});

}  // namespace accord::policy

#endif  // ACCORD_POLICY_YAML_TREE_H_
