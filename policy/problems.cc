#include "policy/problems.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "policy/near_miss.h"

namespace accord::policy {

void Problems::Add(SourcePos pos, absl::string_view message) {
  // Enough to show what is wrong without echoing a huge hostile document.
  if (lines_.size() == kMaxProblems) {
    lines_.push_back(absl::StrCat(file_, ":", pos.line, ":", pos.column,
                                  ": too many problems; stopping"));
  }
  if (lines_.size() > kMaxProblems) return;
  lines_.push_back(absl::StrCat(file_, ":", pos.line < 1 ? 1 : pos.line, ":",
                                pos.column < 1 ? 1 : pos.column, ": ",
                                message));
}

absl::Status Problems::ToStatus() const {
  if (lines_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(lines_, "\n"));
}

bool Problems::CheckMap(const YamlNode& node, absl::string_view what,
                        std::initializer_list<absl::string_view> allowed) {
  if (!node.IsMap()) {
    Add(node.pos, absl::StrCat(what, " must be a mapping"));
    return false;
  }
  std::vector<std::string> names(allowed.begin(), allowed.end());
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i = 0; i < node.size() && !full(); ++i) {
    const YamlNode& key = node.key(i);
    if (!key.IsScalar()) {
      Add(key.pos, absl::StrCat("keys of ", what, " must be plain names"));
      continue;
    }
    bool known = false;
    for (absl::string_view a : allowed) known = known || a == key.scalar;
    if (!known) {
      Add(key.pos, absl::StrCat("unknown key '", key.scalar, "' in ", what,
                                DidYouMean(key.scalar, names)));
    }
    if (!seen.insert(key.scalar).second) {
      Add(key.pos, absl::StrCat("duplicate key '", key.scalar, "' in ", what));
    }
  }
  return true;
}

const YamlNode* Problems::Find(const YamlNode& node, absl::string_view key) {
  if (!node.IsMap()) return nullptr;
  for (size_t i = 0; i < node.size(); ++i) {
    if (node.key(i).IsScalar() && node.key(i).scalar == key) {
      return &node.value(i);
    }
  }
  return nullptr;
}

bool Problems::Scalar(const YamlNode& node, absl::string_view what,
                      std::string* out) {
  if (!node.IsScalar()) {
    Add(node.pos, absl::StrCat(what, " must be a single value"));
    return false;
  }
  *out = node.scalar;
  return true;
}

bool Problems::ScalarList(const YamlNode& node, absl::string_view what,
                          std::vector<std::string>* out) {
  if (!node.IsSequence()) {
    Add(node.pos, absl::StrCat(what, " must be a list"));
    return false;
  }
  bool ok = true;
  for (const YamlNode& item : node.children) {
    if (full()) return false;
    std::string s;
    if (Scalar(item, absl::StrCat("each item of ", what), &s)) {
      out->push_back(std::move(s));
    } else {
      ok = false;
    }
  }
  return ok;
}

bool Problems::Integer(const YamlNode& node, absl::string_view what,
                       int64_t max, int64_t* out) {
  int64_t v = 0;
  if (!node.IsScalar() || node.scalar.empty() || node.scalar.size() > 19 ||
      node.scalar.find_first_not_of("0123456789") != std::string::npos ||
      !absl::SimpleAtoi(node.scalar, &v) || v > max) {
    Add(node.pos, absl::StrCat(what, " must be an integer from 0 to ", max));
    return false;
  }
  *out = v;
  return true;
}

bool Problems::Bool(const YamlNode& node, absl::string_view what, bool* out) {
  if (node.IsScalar() && !node.quoted &&
      (node.scalar == "true" || node.scalar == "false")) {
    *out = node.scalar == "true";
    return true;
  }
  Add(node.pos, absl::StrCat(what, " must be true or false"));
  return false;
}

bool Problems::Duration(const YamlNode& node, absl::string_view what,
                        int64_t max, int64_t* seconds) {
  const std::string message = absl::StrCat(
      what,
      " must be a duration such as 300, 300s, 10m, 12h, 30d or 2w, at "
      "most ",
      max, " seconds");
  if (!node.IsScalar() || node.scalar.empty() || node.scalar.size() > 12) {
    Add(node.pos, message);
    return false;
  }
  absl::string_view text = node.scalar;
  int64_t unit = 1;
  switch (text.back()) {
    case 's':
      unit = 1;
      text.remove_suffix(1);
      break;
    case 'm':
      unit = 60;
      text.remove_suffix(1);
      break;
    case 'h':
      unit = 3600;
      text.remove_suffix(1);
      break;
    case 'd':
      unit = 86400;
      text.remove_suffix(1);
      break;
    case 'w':
      unit = 7 * 86400;
      text.remove_suffix(1);
      break;
    default:
      break;
  }
  int64_t n = 0;
  if (text.empty() ||
      text.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(text, &n) || n > max / unit) {
    Add(node.pos, message);
    return false;
  }
  *seconds = n * unit;
  return true;
}

bool IsIdentifier(absl::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

}  // namespace accord::policy
