#include "policy/canonical.h"

#include <string>
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
        if (c < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendList(const std::vector<std::string>& items, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendString(items[i], out);
  }
  out->push_back(']');
}

// Writes `"key":` preceded by a comma unless it is the first key.
void Key(absl::string_view key, bool* first, std::string* out) {
  if (!*first) out->push_back(',');
  *first = false;
  AppendString(key, out);
  out->push_back(':');
}

void AppendRule(const Rule& rule, std::string* out) {
  bool first = true;
  out->push_back('{');
  // Keys in byte order.
  Key("assignees", &first, out);
  if (rule.any_assignee) {
    AppendString("any", out);
  } else {
    out->append("{\"categories\":");
    AppendList(rule.categories, out);
    out->append(",\"principals\":");
    AppendList(rule.principals, out);
    out->push_back('}');
  }
  Key("duties", &first, out);
  out->push_back('[');
  for (size_t i = 0; i < rule.duties.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"kind\":");
    AppendString(DutyKindName(rule.duties[i].kind), out);
    out->append(",\"value\":");
    AppendString(rule.duties[i].value, out);
    out->push_back('}');
  }
  out->push_back(']');
  Key("effect", &first, out);
  AppendString(EffectName(rule.effect), out);
  Key("fields", &first, out);
  AppendList(rule.fields, out);
  Key("id", &first, out);
  AppendString(rule.id, out);
  Key("locations", &first, out);
  AppendList(rule.locations, out);
  if (rule.max_lifetime_seconds) {
    Key("max_lifetime_seconds", &first, out);
    absl::StrAppend(out, *rule.max_lifetime_seconds);
  }
  if (rule.max_subjects) {
    Key("max_subjects", &first, out);
    absl::StrAppend(out, *rule.max_subjects);
  }
  if (rule.not_after) {
    Key("not_after", &first, out);
    absl::StrAppend(out, *rule.not_after);
  }
  if (rule.not_before) {
    Key("not_before", &first, out);
    absl::StrAppend(out, *rule.not_before);
  }
  Key("purposes", &first, out);
  if (rule.any_purpose) {
    AppendString("any", out);
  } else {
    AppendList(rule.purposes, out);
  }
  if (rule.quota) {
    Key("quota", &first, out);
    absl::StrAppend(out, "{\"grants\":", rule.quota->grants,
                    ",\"period_seconds\":", rule.quota->period_seconds, "}");
  }
  out->push_back('}');
}

}  // namespace

std::string CanonicalEncoding(const Policy& policy) {
  std::string out;
  bool first = true;
  out.push_back('{');
  Key("dataset", &first, &out);
  AppendString(policy.dataset, &out);
  Key("legal_basis", &first, &out);
  AppendString(LegalBasisName(policy.legal_basis), &out);
  Key("max_lifetime_seconds", &first, &out);
  absl::StrAppend(&out, policy.max_lifetime_seconds);
  Key("max_subjects", &first, &out);
  absl::StrAppend(&out, policy.max_subjects);
  Key("rules", &first, &out);
  out.push_back('[');
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendRule(policy.rules[i], &out);
  }
  out.append("]}");
  return out;
}

}  // namespace accord::policy
