#ifndef ACCORD_POLICY_JSON_WRITER_H_
#define ACCORD_POLICY_JSON_WRITER_H_

// A small JSON document builder with a deterministic writer: object keys
// sorted by byte order, two-space indentation, arrays in insertion order.
// For documents the policy library produces (the ODRL export), so that two
// exports of the same policy are byte-identical and diff cleanly.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace accord::policy {

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kInt, kString, kArray, kObject };

  // Implicit on purpose: a value is written like the JSON it stands for.
  JsonValue() = default;
  JsonValue(bool b) : kind_(Kind::kBool), bool_(b) {}   // NOLINT
  JsonValue(int64_t n) : kind_(Kind::kInt), int_(n) {}  // NOLINT
  JsonValue(int n) : JsonValue(int64_t{n}) {}           // NOLINT
  JsonValue(uint32_t n) : JsonValue(int64_t{n}) {}      // NOLINT
  JsonValue(std::string s)                              // NOLINT
      : kind_(Kind::kString), string_(std::move(s)) {}
  JsonValue(const char* s) : JsonValue(std::string(s)) {}        // NOLINT
  JsonValue(absl::string_view s) : JsonValue(std::string(s)) {}  // NOLINT

  static JsonValue Array();
  static JsonValue Object();

  Kind kind() const { return kind_; }

  // Object only: sets `key` (replacing an earlier value). Returns *this.
  JsonValue& Set(absl::string_view key, JsonValue value);
  // Array only: appends. Returns *this.
  JsonValue& Push(JsonValue value);
  size_t size() const { return values_.size(); }

  // The document, sorted keys, two-space indentation, "\n" at the end.
  // UTF-8 is written as is; quotes, backslashes and control characters are
  // escaped.
  std::string Write() const;

 private:
  void WriteTo(int depth, std::string* out) const;

  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  int64_t int_ = 0;
  std::string string_;
  std::vector<std::string> keys_;  // kObject: parallel to values_
  std::vector<JsonValue> values_;  // kArray items or kObject values
};

}  // namespace accord::policy

#endif  // ACCORD_POLICY_JSON_WRITER_H_
