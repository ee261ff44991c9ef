#include "clients/output.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "broker/cmdline/usage_error.h"
#include "clients/time_format.h"
#include "google/protobuf/descriptor.h"

namespace accord::client {
namespace {

using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsTimestampField(const FieldDescriptor* field) {
  if (field->cpp_type() != FieldDescriptor::CPPTYPE_INT64) return false;
  absl::string_view name = field->name();
  return absl::EndsWith(name, "_at") || name == "at" || name == "time" ||
         name == "since" || name == "until" ||
         absl::StartsWith(name, "expires");
}

// The value of a `delete_after` duty: seconds, shown with their unit.
bool IsDeleteAfterValue(const Message& m, const FieldDescriptor* f) {
  if (f->name() != "value" ||
      m.GetDescriptor()->full_name() != "accord.v1.Duty") {
    return false;
  }
  const FieldDescriptor* kind = m.GetDescriptor()->FindFieldByName("kind");
  return kind != nullptr &&
         m.GetReflection()->GetString(m, kind) == "delete_after";
}

// Durations in seconds, shown with their unit in text.
bool IsDurationField(const FieldDescriptor* field) {
  return absl::EndsWith(field->name(), "_seconds");
}

std::string EnumShortName(const EnumValueDescriptor* value) {
  if (value == nullptr) return "";
  std::string name = value->name();
  const std::string& first = value->type()->value(0)->name();
  if (absl::EndsWith(first, "UNSPECIFIED")) {
    absl::string_view prefix(first);
    prefix.remove_suffix(std::string("UNSPECIFIED").size());
    if (absl::StartsWith(name, prefix) && name.size() > prefix.size()) {
      return name.substr(prefix.size());
    }
  }
  return name;
}

// The text of a scalar field; `index` < 0 for a singular field.
std::string ScalarText(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r->GetRepeatedInt32(m, f, index)
                              : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
      if (IsTimestampField(f)) return v == 0 ? "-" : FormatRfc3339(v);
      if (IsDurationField(f)) return FormatDuration(v);
      return absl::StrCat(v);
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v = rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f);
      if (IsDurationField(f)) return FormatDuration(v);
      return absl::StrCat(v);
    }
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, index)
                              : r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(rep ? r->GetRepeatedDouble(m, f, index)
                              : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(rep ? r->GetRepeatedFloat(m, f, index)
                              : r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f))
                 ? "true"
                 : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumShortName(rep ? r->GetRepeatedEnum(m, f, index)
                               : r->GetEnum(m, f));
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v =
          rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        return absl::BytesToHexString(v);
      }
      if (!rep && IsDeleteAfterValue(m, f)) {
        int64_t seconds = 0;
        if (absl::SimpleAtoi(v, &seconds)) return FormatDuration(seconds);
      }
      return v;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return "";
}

std::string RepeatedScalarText(const Message& m, const FieldDescriptor* f) {
  std::vector<std::string> items;
  int n = m.GetReflection()->FieldSize(m, f);
  for (int i = 0; i < n; ++i) items.push_back(ScalarText(m, f, i));
  return absl::StrJoin(items, ", ");
}

// The JSON value of one field (`index` < 0 for a singular field): times as
// RFC 3339 UTC strings (null when unset), 64-bit integers as numbers, enums
// by their short lower-case name, bytes as lowercase hex.
formats::JsonValue JsonField(const Message& m, const FieldDescriptor* f,
                             int index) {
  const Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return formats::JsonValue(static_cast<long long>(
          rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f)));
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
      if (IsTimestampField(f)) {
        return v == 0 ? formats::JsonValue()
                      : formats::JsonValue(FormatRfc3339(v));
      }
      return formats::JsonValue(static_cast<long long>(v));
    }
    case FieldDescriptor::CPPTYPE_UINT32:
      return formats::JsonValue(static_cast<long long>(
          rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f)));
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v = rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f);
      // Beyond int64 (never a real count or revision): a double, still a
      // JSON number.
      if (v > static_cast<uint64_t>(INT64_MAX)) {
        return formats::JsonValue(static_cast<double>(v));
      }
      return formats::JsonValue(static_cast<long long>(v));
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return formats::JsonValue(rep ? r->GetRepeatedDouble(m, f, index)
                                    : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return formats::JsonValue(static_cast<double>(
          rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f)));
    case FieldDescriptor::CPPTYPE_BOOL:
      return formats::JsonValue(rep ? r->GetRepeatedBool(m, f, index)
                                    : r->GetBool(m, f));
    case FieldDescriptor::CPPTYPE_ENUM:
      return formats::JsonValue(absl::AsciiStrToLower(EnumShortName(
          rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f))));
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v =
          rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        return formats::JsonValue(absl::BytesToHexString(v));
      }
      return formats::JsonValue(std::move(v));
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return ToJsonValue(rep ? r->GetRepeatedMessage(m, f, index)
                             : r->GetMessage(m, f));
  }
  return formats::JsonValue();
}

using Lines = std::vector<std::pair<std::string, std::string>>;

void Flatten(const Message& m, const std::string& prefix, Lines* out) {
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    std::string key = absl::StrCat(prefix, f->name());
    if (f->is_map()) {
      const FieldDescriptor* k = f->message_type()->map_key();
      const FieldDescriptor* v = f->message_type()->map_value();
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        const Message& entry = r->GetRepeatedMessage(m, f, i);
        std::string entry_key =
            absl::StrCat(key, ".", ScalarText(entry, k, -1));
        if (v->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          Flatten(entry.GetReflection()->GetMessage(entry, v), entry_key + ".",
                  out);
        } else {
          out->emplace_back(std::move(entry_key), ScalarText(entry, v, -1));
        }
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) {
          Flatten(r->GetRepeatedMessage(m, f, i),
                  absl::StrCat(key, "[", i, "]."), out);
        }
      } else {
        Flatten(r->GetMessage(m, f), key + ".", out);
      }
    } else if (f->is_repeated()) {
      out->emplace_back(key, RepeatedScalarText(m, f));
    } else {
      out->emplace_back(key, ScalarText(m, f, -1));
    }
  }
}

std::string Align(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size()) {
        line.append(width[i] - row[i].size() + 2, ' ');
      }
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view value) {
  if (value == "json") return OutputFormat::kJson;
  if (value == "text" || value == "human") return OutputFormat::kHuman;
  return cmdline::UsageError("--output: expected 'json' or 'text'");
}

std::string HashText(absl::string_view bytes) {
  return absl::BytesToHexString(bytes);
}

std::string ErrorLine(const absl::Status& status) {
  return absl::StrCat("accord: ", absl::StatusCodeToString(status.code()), ": ",
                      status.message());
}

absl::StatusOr<std::string> ToJson(const Message& message) {
  return ToJsonValue(message).Serialize();
}

formats::JsonValue ToJsonValue(const Message& message) {
  const google::protobuf::Descriptor* d = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  // google.protobuf.Struct, Value and ListValue (documents a command builds
  // itself) are plain JSON; integral numbers print as integers.
  const std::string& type = d->full_name();
  if (type == "google.protobuf.Struct") {
    formats::JsonValue out = formats::JsonValue::Object();
    const FieldDescriptor* fields = d->FindFieldByName("fields");
    std::vector<std::pair<std::string, formats::JsonValue>> members;
    for (int j = 0; j < r->FieldSize(message, fields); ++j) {
      const Message& entry = r->GetRepeatedMessage(message, fields, j);
      const google::protobuf::Descriptor* e = entry.GetDescriptor();
      members.emplace_back(
          entry.GetReflection()->GetString(entry, e->map_key()),
          ToJsonValue(
              entry.GetReflection()->GetMessage(entry, e->map_value())));
    }
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [key, value] : members) out.Set(key, std::move(value));
    return out;
  }
  if (type == "google.protobuf.ListValue") {
    formats::JsonValue out = formats::JsonValue::Array();
    const FieldDescriptor* values = d->FindFieldByName("values");
    for (int j = 0; j < r->FieldSize(message, values); ++j) {
      out.Push(ToJsonValue(r->GetRepeatedMessage(message, values, j)));
    }
    return out;
  }
  if (type == "google.protobuf.Value") {
    const FieldDescriptor* kind =
        r->GetOneofFieldDescriptor(message, d->FindOneofByName("kind"));
    if (kind == nullptr || kind->name() == "null_value") return {};
    if (kind->name() == "number_value") {
      const double n = r->GetDouble(message, kind);
      if (n == static_cast<double>(static_cast<int64_t>(n)) && n > -9e15 &&
          n < 9e15) {
        return formats::JsonValue(static_cast<long long>(n));
      }
      return formats::JsonValue(n);
    }
    if (kind->name() == "string_value") {
      return formats::JsonValue(r->GetString(message, kind));
    }
    if (kind->name() == "bool_value") {
      return formats::JsonValue(r->GetBool(message, kind));
    }
    return ToJsonValue(r->GetMessage(message, kind));
  }
  formats::JsonValue out = formats::JsonValue::Object();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_map()) {
      formats::JsonValue map = formats::JsonValue::Object();
      const FieldDescriptor* k = f->message_type()->map_key();
      const FieldDescriptor* v = f->message_type()->map_value();
      std::vector<std::pair<std::string, formats::JsonValue>> entries;
      for (int j = 0; j < r->FieldSize(message, f); ++j) {
        const Message& entry = r->GetRepeatedMessage(message, f, j);
        entries.emplace_back(ScalarText(entry, k, -1), JsonField(entry, v, -1));
      }
      // Map order is unspecified in protobuf: sort so output is stable.
      std::sort(entries.begin(), entries.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      for (auto& [key, value] : entries) map.Set(key, std::move(value));
      out.Set(f->name(), std::move(map));
    } else if (f->is_repeated()) {
      formats::JsonValue list = formats::JsonValue::Array();
      for (int j = 0; j < r->FieldSize(message, f); ++j) {
        list.Push(JsonField(message, f, j));
      }
      out.Set(f->name(), std::move(list));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ||
               f->containing_oneof() != nullptr) {
      // Unset messages and unset oneof members are left out.
      if (r->HasField(message, f))
        out.Set(f->name(), JsonField(message, f, -1));
    } else {
      out.Set(f->name(), JsonField(message, f, -1));
    }
  }
  return out;
}

std::string FormatHuman(const Message& message) {
  Lines lines;
  Flatten(message, "", &lines);
  std::vector<std::vector<std::string>> rows;
  for (auto& [key, value] : lines) rows.push_back({key + ":", value});
  return Align(rows);
}

std::string FormatRows(const std::vector<std::vector<std::string>>& rows) {
  return Align(rows);
}

std::string FieldText(const Message& message, absl::string_view path) {
  const Message* m = &message;
  std::vector<absl::string_view> names = absl::StrSplit(path, '.');
  for (size_t i = 0; i < names.size(); ++i) {
    const FieldDescriptor* f =
        m->GetDescriptor()->FindFieldByName(std::string(names[i]));
    if (f == nullptr) return "";
    const bool last = i + 1 == names.size();
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        return last ? absl::StrCat(m->GetReflection()->FieldSize(*m, f)) : "";
      }
      if (last) return FormatHuman(m->GetReflection()->GetMessage(*m, f));
      m = &m->GetReflection()->GetMessage(*m, f);
      continue;
    }
    if (!last) return "";
    return f->is_repeated() ? RepeatedScalarText(*m, f) : ScalarText(*m, f, -1);
  }
  return "";
}

std::string FormatTable(const Message& message, absl::string_view list_field,
                        const std::vector<std::string>& columns) {
  const FieldDescriptor* f =
      message.GetDescriptor()->FindFieldByName(std::string(list_field));
  if (f == nullptr || !f->is_repeated() ||
      f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return "";
  }
  const Reflection* r = message.GetReflection();
  int n = r->FieldSize(message, f);
  if (n == 0) return "(none)\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  for (const std::string& c : columns)
    header.push_back(absl::AsciiStrToUpper(c));
  rows.push_back(std::move(header));
  for (int i = 0; i < n; ++i) {
    const Message& element = r->GetRepeatedMessage(message, f, i);
    std::vector<std::string> row;
    for (const std::string& c : columns) {
      std::string text = FieldText(element, c);
      row.push_back(text.empty() ? "-" : text);
    }
    rows.push_back(std::move(row));
  }
  return Align(rows);
}

absl::Status Output::WriteJson(const Message& message) {
  absl::StatusOr<std::string> json = ToJson(message);
  if (!json.ok()) return json.status();
  *out_ << *json << "\n";
  return absl::OkStatus();
}

absl::Status Output::Show(const Message& message) {
  if (format_ == OutputFormat::kJson) return WriteJson(message);
  *out_ << FormatHuman(message);
  return absl::OkStatus();
}

absl::Status Output::ShowList(const Message& message,
                              absl::string_view list_field,
                              const std::vector<std::string>& columns) {
  if (format_ == OutputFormat::kJson) return WriteJson(message);
  *out_ << FormatTable(message, list_field, columns);
  return absl::OkStatus();
}

absl::Status Output::ShowChange(const Message& message,
                                absl::string_view sentence) {
  if (format_ == OutputFormat::kJson) return WriteJson(message);
  *out_ << sentence << "\n" << FormatHuman(message);
  return absl::OkStatus();
}

absl::Status Output::ShowText(const Message& message, absl::string_view text) {
  if (format_ == OutputFormat::kJson) return WriteJson(message);
  *out_ << text;
  if (!text.empty() && text.back() != '\n') *out_ << "\n";
  return absl::OkStatus();
}

absl::Status Output::ShowJson(absl::string_view json, absl::string_view text) {
  absl::string_view shown = format_ == OutputFormat::kJson ? json : text;
  *out_ << shown;
  if (!shown.empty() && shown.back() != '\n') *out_ << "\n";
  return absl::OkStatus();
}

}  // namespace accord::client
