#include "broker/formats/json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <unordered_set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace accord::formats {

JsonValue JsonValue::Object() {
  JsonValue v;
  v.value_ = Members();
  return v;
}

JsonValue JsonValue::Array() {
  JsonValue v;
  v.value_ = Elements();
  return v;
}

const std::string* JsonValue::AsString() const {
  return std::get_if<std::string>(&value_);
}

std::optional<int64_t> JsonValue::AsInt64() const {
  if (const int64_t* i = std::get_if<int64_t>(&value_)) return *i;
  return std::nullopt;
}

std::optional<double> JsonValue::AsDouble() const {
  if (const int64_t* i = std::get_if<int64_t>(&value_)) {
    return static_cast<double>(*i);
  }
  if (const double* d = std::get_if<double>(&value_)) return *d;
  return std::nullopt;
}

std::optional<bool> JsonValue::AsBool() const {
  if (const bool* b = std::get_if<bool>(&value_)) return *b;
  return std::nullopt;
}

const JsonValue::Elements* JsonValue::AsArray() const {
  return std::get_if<Elements>(&value_);
}

const JsonValue::Members* JsonValue::AsObject() const {
  return std::get_if<Members>(&value_);
}

JsonValue& JsonValue::Set(absl::string_view key, JsonValue value) {
  if (!is_object()) value_ = Members();
  Members& members = std::get<Members>(value_);
  for (Member& m : members) {
    if (m.first == key) {
      m.second = std::move(value);
      return *this;
    }
  }
  members.emplace_back(std::string(key), std::move(value));
  return *this;
}

JsonValue& JsonValue::Push(JsonValue value) {
  if (!is_array()) value_ = Elements();
  std::get<Elements>(value_).push_back(std::move(value));
  return *this;
}

const JsonValue* JsonValue::Find(absl::string_view key) const {
  const Members* members = AsObject();
  if (members == nullptr) return nullptr;
  for (const Member& m : *members) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

absl::StatusOr<std::string> JsonValue::GetString(absl::string_view key) const {
  const JsonValue* v = Find(key);
  if (v == nullptr)
    return absl::NotFoundError(absl::StrCat("missing \"", key, "\""));
  if (!v->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", key, "\" is not a string"));
  }
  return *v->AsString();
}

absl::StatusOr<int64_t> JsonValue::GetInt64(absl::string_view key) const {
  const JsonValue* v = Find(key);
  if (v == nullptr)
    return absl::NotFoundError(absl::StrCat("missing \"", key, "\""));
  std::optional<int64_t> i = v->AsInt64();
  if (!i) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", key, "\" is not an integer"));
  }
  return *i;
}

absl::StatusOr<bool> JsonValue::GetBool(absl::string_view key) const {
  const JsonValue* v = Find(key);
  if (v == nullptr)
    return absl::NotFoundError(absl::StrCat("missing \"", key, "\""));
  std::optional<bool> b = v->AsBool();
  if (!b) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", key, "\" is not a boolean"));
  }
  return *b;
}

void AppendJsonString(absl::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  // Runs of characters that need no escape (nearly all of them) are
  // appended at once.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 0xf]);
        }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void JsonValue::SerializeTo(std::string* out) const {
  switch (type()) {
    case Type::kNull:
      out->append("null");
      break;
    case Type::kBool:
      out->append(std::get<bool>(value_) ? "true" : "false");
      break;
    case Type::kInt:
      absl::StrAppend(out, std::get<int64_t>(value_));
      break;
    case Type::kDouble: {
      double d = std::get<double>(value_);
      if (!std::isfinite(d)) {
        out->append("null");
        break;
      }
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
      std::string_view text(buf, ec == std::errc() ? end - buf : 0);
      out->append(text);
      // Keep the value a double when read back.
      if (text.find_first_of(".eE") == std::string_view::npos) {
        out->append(".0");
      }
      break;
    }
    case Type::kString:
      AppendJsonString(std::get<std::string>(value_), out);
      break;
    case Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const JsonValue& e : std::get<Elements>(value_)) {
        if (!first) out->push_back(',');
        first = false;
        e.SerializeTo(out);
      }
      out->push_back(']');
      break;
    }
    case Type::kObject: {
      out->push_back('{');
      bool first = true;
      for (const Member& m : std::get<Members>(value_)) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(m.first, out);
        out->push_back(':');
        m.second.SerializeTo(out);
      }
      out->push_back('}');
      break;
    }
  }
}

std::string JsonValue::Serialize() const {
  std::string out;
  SerializeTo(&out);
  return out;
}

}  // namespace accord::formats
