#ifndef ACCORD_BROKER_FORMATS_JSON_H_
#define ACCORD_BROKER_FORMATS_JSON_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::formats {

// A JSON value (RFC 8259) as JOSE needs it: integers stay exact as int64,
// other numbers are doubles, objects keep insertion order. Strings hold
// UTF-8. Copyable; not thread-safe for concurrent mutation.
class JsonValue {
 public:
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
  using Member = std::pair<std::string, JsonValue>;
  using Members = std::vector<Member>;
  using Elements = std::vector<JsonValue>;

  JsonValue() = default;  // null
  JsonValue(std::nullptr_t) {}
  JsonValue(bool b) : value_(b) {}
  JsonValue(int i) : value_(static_cast<int64_t>(i)) {}
  JsonValue(long i) : value_(static_cast<int64_t>(i)) {}
  JsonValue(long long i) : value_(static_cast<int64_t>(i)) {}
  JsonValue(double d) : value_(d) {}
  JsonValue(const char* s) : value_(std::string(s)) {}
  JsonValue(std::string s) : value_(std::move(s)) {}
  JsonValue(absl::string_view s) : value_(std::string(s)) {}
  // Other pointers would silently become booleans.
  template <typename T>
  JsonValue(T*) = delete;

  // An empty object / array.
  static JsonValue Object();
  static JsonValue Array();

  Type type() const { return static_cast<Type>(value_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_object() const { return type() == Type::kObject; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_string() const { return type() == Type::kString; }
  bool is_number() const {
    return type() == Type::kInt || type() == Type::kDouble;
  }

  // Typed views. Each returns nullptr / nullopt when the value has another
  // type. AsDouble accepts integers too; AsInt64 accepts integers only.
  const std::string* AsString() const;
  std::optional<int64_t> AsInt64() const;
  std::optional<double> AsDouble() const;
  std::optional<bool> AsBool() const;
  const Elements* AsArray() const;
  const Members* AsObject() const;

  // Object: sets `key` to `value`, replacing an existing member in place or
  // appending a new one. Turns a non-object into an empty object first.
  // Returns *this for chaining.
  JsonValue& Set(absl::string_view key, JsonValue value);
  // Array: appends `value`. Turns a non-array into an empty array first.
  JsonValue& Push(JsonValue value);

  // Object member lookup. Returns nullptr when this is not an object or has
  // no such member.
  const JsonValue* Find(absl::string_view key) const;

  // Typed member lookups. Return the value on success; NOT_FOUND naming the
  // key when the member is absent (or this is not an object);
  // INVALID_ARGUMENT naming the key when it has another type.
  absl::StatusOr<std::string> GetString(absl::string_view key) const;
  absl::StatusOr<int64_t> GetInt64(absl::string_view key) const;
  absl::StatusOr<bool> GetBool(absl::string_view key) const;

  // Compact serialization, members in insertion order. Strings are escaped
  // for '"', '\\' and control characters; other bytes pass through as they
  // are (builders must supply UTF-8). Doubles use the shortest form that
  // reads back the same; a non-finite double is written as null.
  std::string Serialize() const;

  friend bool operator==(const JsonValue& a, const JsonValue& b) {
    return a.value_ == b.value_;
  }

 private:
  friend class JsonParser;
  void SerializeTo(std::string* out) const;

  std::variant<std::monostate, bool, int64_t, double, std::string, Elements,
               Members>
      value_;
};

// Limits applied while parsing hostile input.
struct JsonLimits {
  size_t max_depth = 32;           // nesting of arrays and objects
  size_t max_bytes = 1024 * 1024;  // size of the whole text
};

// Parses `text` as exactly one JSON value (RFC 8259, strict): no trailing
// garbage, no duplicate object keys, no leading zeros, NaN or Infinity, only
// valid escapes (surrogates must pair) and valid UTF-8. Integers that fit in
// int64 are kept exact; other numbers become doubles (out of double range is
// an error). Returns the value, or INVALID_ARGUMENT naming the problem and
// its byte offset (never echoing the input) when the text is not accepted or
// exceeds `limits`.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text,
                                    const JsonLimits& limits = {});

// Appends `s` to `out` as a quoted JSON string (escaping as Serialize does).
void AppendJsonString(absl::string_view s, std::string* out);

}  // namespace accord::formats

#endif  // ACCORD_BROKER_FORMATS_JSON_H_
