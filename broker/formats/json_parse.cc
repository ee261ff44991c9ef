// The strict JSON parser behind ParseJson (declared in json.h).
#include <charconv>
#include <cmath>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/formats/json.h"
#include "broker/formats/utf8.h"

namespace accord::formats {

class JsonParser {
 public:
  JsonParser(absl::string_view text, const JsonLimits& limits)
      : text_(text), limits_(limits) {}

  absl::Status Parse(JsonValue* out) {
    if (text_.size() > limits_.max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("json: text of ", text_.size(), " bytes exceeds the ",
                       limits_.max_bytes, "-byte limit"));
    }
    SkipSpace();
    absl::Status s = ParseValue(out, 0);
    if (!s.ok()) return s;
    SkipSpace();
    if (pos_ != text_.size()) return Error("trailing characters");
    return absl::OkStatus();
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("json: ", what, " at offset ", pos_));
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  void SkipSpace() {
    while (!AtEnd()) {
      char c = Peek();
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool Consume(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  absl::Status ParseValue(JsonValue* out, size_t depth) {
    if (AtEnd()) return Error("unexpected end of input");
    switch (Peek()) {
      case '{':
        return ParseObject(out, depth + 1);
      case '[':
        return ParseArray(out, depth + 1);
      case '"':
        return ParseString(&out->value_.emplace<std::string>());
      case 't':
        if (!Consume("true")) return Error("invalid literal");
        out->value_ = true;
        return absl::OkStatus();
      case 'f':
        if (!Consume("false")) return Error("invalid literal");
        out->value_ = false;
        return absl::OkStatus();
      case 'n':
        if (!Consume("null")) return Error("invalid literal");
        out->value_ = std::monostate();
        return absl::OkStatus();
      default:
        return ParseNumber(out);
    }
  }

  absl::Status ParseObject(JsonValue* out, size_t depth) {
    if (depth > limits_.max_depth) return Error("nesting too deep");
    ++pos_;  // '{'
    JsonValue::Members members;
    // The outermost object of a document (a JWS header or claim set) has
    // several members: room for them up front saves the regrowths. Inner
    // objects start empty, so that many small ones cost no more memory.
    if (depth == 1) members.reserve(kTopLevelMembers);
    // Duplicate keys: a linear scan while the object is small (JOSE headers
    // and claim sets), a hash set beyond, so hostile input stays linear.
    std::unordered_set<std::string> keys;
    SkipSpace();
    if (!AtEnd() && Peek() == '}') {
      ++pos_;
      out->value_ = std::move(members);
      return absl::OkStatus();
    }
    while (true) {
      SkipSpace();
      if (AtEnd() || Peek() != '"') return Error("expected object key");
      size_t key_pos = pos_;
      std::string key;
      absl::Status s = ParseString(&key);
      if (!s.ok()) return s;
      if (IsDuplicateKey(members, key, &keys)) {
        pos_ = key_pos;
        return Error(absl::StrCat("duplicate key \"", key.substr(0, 64), "\""));
      }
      SkipSpace();
      if (AtEnd() || Peek() != ':') return Error("expected ':'");
      ++pos_;
      SkipSpace();
      // Parsed in place: no move of the value into the list.
      members.emplace_back(std::piecewise_construct,
                           std::forward_as_tuple(std::move(key)),
                           std::forward_as_tuple());
      s = ParseValue(&members.back().second, depth);
      if (!s.ok()) return s;
      SkipSpace();
      if (AtEnd()) return Error("unterminated object");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        out->value_ = std::move(members);
        return absl::OkStatus();
      }
      return Error("expected ',' or '}'");
    }
  }

  static constexpr size_t kLinearKeyScan = 16;
  static constexpr size_t kTopLevelMembers = 16;

  // True when `key` is already a member. Beyond kLinearKeyScan members the
  // keys are kept in `keys` (filled from `members` once) and looked up
  // there.
  static bool IsDuplicateKey(const JsonValue::Members& members,
                             const std::string& key,
                             std::unordered_set<std::string>* keys) {
    if (members.size() < kLinearKeyScan) {
      for (const JsonValue::Member& m : members) {
        if (m.first == key) return true;
      }
      return false;
    }
    if (keys->empty()) {
      for (const JsonValue::Member& m : members) keys->insert(m.first);
    }
    return !keys->insert(key).second;
  }

  absl::Status ParseArray(JsonValue* out, size_t depth) {
    if (depth > limits_.max_depth) return Error("nesting too deep");
    ++pos_;  // '['
    JsonValue::Elements elements;
    SkipSpace();
    if (!AtEnd() && Peek() == ']') {
      ++pos_;
      out->value_ = std::move(elements);
      return absl::OkStatus();
    }
    while (true) {
      SkipSpace();
      elements.emplace_back();
      absl::Status s = ParseValue(&elements.back(), depth);
      if (!s.ok()) return s;
      SkipSpace();
      if (AtEnd()) return Error("unterminated array");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        out->value_ = std::move(elements);
        return absl::OkStatus();
      }
      return Error("expected ',' or ']'");
    }
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  absl::Status ParseNumber(JsonValue* out) {
    size_t start = pos_;
    if (!AtEnd() && Peek() == '-') ++pos_;
    if (AtEnd() || !IsDigit(Peek())) return Error("invalid value");
    if (Peek() == '0') {
      ++pos_;
      if (!AtEnd() && IsDigit(Peek())) return Error("leading zero");
    } else {
      while (!AtEnd() && IsDigit(Peek())) ++pos_;
    }
    bool integral = true;
    if (!AtEnd() && Peek() == '.') {
      integral = false;
      ++pos_;
      if (AtEnd() || !IsDigit(Peek())) return Error("invalid fraction");
      while (!AtEnd() && IsDigit(Peek())) ++pos_;
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      integral = false;
      ++pos_;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++pos_;
      if (AtEnd() || !IsDigit(Peek())) return Error("invalid exponent");
      while (!AtEnd() && IsDigit(Peek())) ++pos_;
    }
    absl::string_view num = text_.substr(start, pos_ - start);
    if (integral) {
      int64_t i;
      auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), i);
      if (ec == std::errc() && p == num.data() + num.size()) {
        out->value_ = i;
        return absl::OkStatus();
      }
    }
    double d;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), d);
    if (ec != std::errc() || p != num.data() + num.size() ||
        !std::isfinite(d)) {
      pos_ = start;
      return Error("number out of range");
    }
    out->value_ = d;
    return absl::OkStatus();
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Reads 4 hex digits after "\u"; returns -1 when they are not hex.
  int ReadHex4() {
    if (text_.size() - pos_ < 4) return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = HexValue(text_[pos_ + i]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    pos_ += 4;
    return v;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  absl::Status ParseEscape(std::string* out) {
    ++pos_;  // '\\'
    if (AtEnd()) return Error("unterminated string");
    char c = Peek();
    ++pos_;
    switch (c) {
      case '"':
        out->push_back('"');
        return absl::OkStatus();
      case '\\':
        out->push_back('\\');
        return absl::OkStatus();
      case '/':
        out->push_back('/');
        return absl::OkStatus();
      case 'b':
        out->push_back('\b');
        return absl::OkStatus();
      case 'f':
        out->push_back('\f');
        return absl::OkStatus();
      case 'n':
        out->push_back('\n');
        return absl::OkStatus();
      case 'r':
        out->push_back('\r');
        return absl::OkStatus();
      case 't':
        out->push_back('\t');
        return absl::OkStatus();
      case 'u':
        break;
      default:
        --pos_;
        return Error("invalid escape");
    }
    int hi = ReadHex4();
    if (hi < 0) return Error("invalid \\u escape");
    uint32_t cp = static_cast<uint32_t>(hi);
    if (cp >= 0xDC00 && cp <= 0xDFFF) return Error("unpaired surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (!Consume("\\u")) return Error("unpaired surrogate");
      int lo = ReadHex4();
      if (lo < 0xDC00 || lo > 0xDFFF) return Error("unpaired surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) +
           (static_cast<uint32_t>(lo) - 0xDC00);
    }
    AppendUtf8(cp, out);
    return absl::OkStatus();
  }

  // Copies one valid multi-byte UTF-8 sequence at pos_.
  absl::Status CopyUtf8(std::string* out) {
    uint32_t cp;
    size_t len = internal::DecodeUtf8(text_, pos_, &cp);
    if (len == 0) return Error("invalid UTF-8");
    out->append(text_.data() + pos_, len);
    pos_ += len;
    return absl::OkStatus();
  }

  // A byte that stands for itself inside a string: printable ASCII other
  // than '"' and '\\'.
  static bool IsPlainAscii(char ch) {
    const unsigned char c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
  }

  absl::Status ParseString(std::string* out) {
    ++pos_;  // '"'
    while (true) {
      if (AtEnd()) return Error("unterminated string");
      unsigned char c = static_cast<unsigned char>(Peek());
      if (c == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      absl::Status s;
      if (c == '\\') {
        s = ParseEscape(out);
      } else if (c < 0x20) {
        return Error("unescaped control character in string");
      } else if (c < 0x80) {
        // Copy the whole run of plain ASCII at once.
        size_t end = pos_ + 1;
        while (end < text_.size() && IsPlainAscii(text_[end])) ++end;
        out->append(text_.data() + pos_, end - pos_);
        pos_ = end;
      } else {
        s = CopyUtf8(out);
      }
      if (!s.ok()) return s;
    }
  }

  absl::string_view text_;
  const JsonLimits& limits_;
  size_t pos_ = 0;
};

absl::StatusOr<JsonValue> ParseJson(absl::string_view text,
                                    const JsonLimits& limits) {
  JsonValue value;
  absl::Status s = JsonParser(text, limits).Parse(&value);
  if (!s.ok()) return s;
  return value;
}

}  // namespace accord::formats
