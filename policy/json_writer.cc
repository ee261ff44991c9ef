#include "policy/json_writer.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace accord::policy {
namespace {

void AppendString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
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
        if (c < 0x20 || c == 0x7f) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void Indent(int depth, std::string* out) {
  out->push_back('\n');
  out->append(static_cast<size_t>(depth) * 2, ' ');
}

}  // namespace

JsonValue JsonValue::Array() {
  JsonValue v;
  v.kind_ = Kind::kArray;
  return v;
}

JsonValue JsonValue::Object() {
  JsonValue v;
  v.kind_ = Kind::kObject;
  return v;
}

JsonValue& JsonValue::Set(absl::string_view key, JsonValue value) {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) {
      values_[i] = std::move(value);
      return *this;
    }
  }
  keys_.emplace_back(key);
  values_.push_back(std::move(value));
  return *this;
}

JsonValue& JsonValue::Push(JsonValue value) {
  values_.push_back(std::move(value));
  return *this;
}

std::string JsonValue::Write() const {
  std::string out;
  WriteTo(0, &out);
  out.push_back('\n');
  return out;
}

void JsonValue::WriteTo(int depth, std::string* out) const {
  switch (kind_) {
    case Kind::kNull:
      out->append("null");
      return;
    case Kind::kBool:
      out->append(bool_ ? "true" : "false");
      return;
    case Kind::kInt:
      absl::StrAppend(out, int_);
      return;
    case Kind::kString:
      AppendString(string_, out);
      return;
    case Kind::kArray:
      if (values_.empty()) {
        out->append("[]");
        return;
      }
      out->push_back('[');
      for (size_t i = 0; i < values_.size(); ++i) {
        if (i > 0) out->push_back(',');
        Indent(depth + 1, out);
        values_[i].WriteTo(depth + 1, out);
      }
      Indent(depth, out);
      out->push_back(']');
      return;
    case Kind::kObject: {
      if (values_.empty()) {
        out->append("{}");
        return;
      }
      std::vector<size_t> order(keys_.size());
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(),
                [&](size_t a, size_t b) { return keys_[a] < keys_[b]; });
      out->push_back('{');
      for (size_t i = 0; i < order.size(); ++i) {
        if (i > 0) out->push_back(',');
        Indent(depth + 1, out);
        AppendString(keys_[order[i]], out);
        out->append(": ");
        values_[order[i]].WriteTo(depth + 1, out);
      }
      Indent(depth, out);
      out->push_back('}');
      return;
    }
  }
}

}  // namespace accord::policy
