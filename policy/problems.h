#ifndef ACCORD_POLICY_PROBLEMS_H_
#define ACCORD_POLICY_PROBLEMS_H_

// Collects every problem found in a document as "FILE:LINE:COLUMN: message"
// and offers strict accessors over a YamlNode map (unknown keys are errors).

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "policy/yaml_tree.h"

namespace accord::policy {

class Problems {
 public:
  static constexpr size_t kMaxProblems = 100;

  explicit Problems(absl::string_view file_name) : file_(file_name) {}

  // Records a problem at `pos`.
  void Add(SourcePos pos, absl::string_view message);
  bool empty() const { return lines_.empty(); }
  // True once enough problems were recorded that more would not help; the
  // callers then skip costly checks (suggestions) of the remaining input.
  bool full() const { return lines_.size() > kMaxProblems; }
  size_t count() const { return lines_.size(); }
  // Returns OK when no problem was recorded, else INVALID_ARGUMENT whose
  // message is every problem, one per line, in the order found.
  absl::Status ToStatus() const;

  // Requires `node` to be a map whose keys are unique scalars from
  // `allowed`; records a problem (with a suggestion) for each other key.
  // Returns false when `node` is not a map.
  bool CheckMap(const YamlNode& node, absl::string_view what,
                std::initializer_list<absl::string_view> allowed);

  // Returns the value for `key` in map `node`, or nullptr when absent.
  static const YamlNode* Find(const YamlNode& node, absl::string_view key);

  // Returns the scalar text of `node`, recording a problem (and returning
  // false) when it is not a scalar.
  bool Scalar(const YamlNode& node, absl::string_view what, std::string* out);
  // Same for a sequence of scalars; a single scalar is not accepted.
  bool ScalarList(const YamlNode& node, absl::string_view what,
                  std::vector<std::string>* out);
  // Parses a non-negative integer scalar no larger than `max`.
  bool Integer(const YamlNode& node, absl::string_view what, int64_t max,
               int64_t* out);
  // Parses `true`/`false`.
  bool Bool(const YamlNode& node, absl::string_view what, bool* out);
  // Parses a duration: an integer number of seconds or `<n>s|m|h|d|w`.
  bool Duration(const YamlNode& node, absl::string_view what, int64_t max,
                int64_t* seconds);

 private:
  std::string file_;
  std::vector<std::string> lines_;
};

// True for identifiers `[a-z0-9][a-z0-9._-]{0,127}`.
bool IsIdentifier(absl::string_view s);

}  // namespace accord::policy

#endif  // ACCORD_POLICY_PROBLEMS_H_
