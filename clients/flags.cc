#include "clients/flags.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/usage_error.h"

namespace accord::client {
namespace {

const FlagSpec* FindSpec(const std::vector<FlagSpec>& specs,
                         absl::string_view name) {
  for (const FlagSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace

bool ParsedArgs::Has(absl::string_view name) const {
  return values_.find(name) != values_.end();
}

std::optional<std::string> ParsedArgs::Get(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string ParsedArgs::GetOr(absl::string_view name,
                              absl::string_view fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string(fallback) : it->second;
}

std::vector<std::string> ParsedArgs::GetList(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return absl::StrSplit(it->second, ',', absl::SkipWhitespace());
}

absl::StatusOr<std::optional<uint64_t>> ParsedArgs::GetUint(
    absl::string_view name, uint64_t max) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::optional<uint64_t>();
  uint64_t value = 0;
  if (!absl::SimpleAtoi(it->second, &value) || it->second.empty() ||
      it->second[0] == '+' || value > max) {
    return UsageError(absl::StrCat("--", name, ": expected an integer in [0, ",
                                   max, "]"));
  }
  return std::optional<uint64_t>(value);
}

absl::Status ParsedArgs::ExpectPositionals(
    const std::vector<std::string>& names) const {
  if (positionals_.size() < names.size()) {
    return UsageError(
        absl::StrCat("missing argument ", names[positionals_.size()]));
  }
  if (positionals_.size() > names.size()) {
    return UsageError(
        absl::StrCat("unexpected argument '", positionals_[names.size()], "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParsedArgs::Require(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) {
    return UsageError(absl::StrCat("--", name, " is required"));
  }
  return it->second;
}

absl::StatusOr<ParsedArgs> ParseFlags(const std::vector<std::string>& args,
                                      const std::vector<FlagSpec>& specs) {
  ParsedArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--") {
      parsed.positionals_.insert(parsed.positionals_.end(), args.begin() + i + 1,
                                 args.end());
      break;
    }
    if (arg == "-h") arg = "--help";
    if (!absl::ConsumePrefix(&arg, "--")) {
      if (arg.size() > 1 && arg[0] == '-') {
        return UsageError(absl::StrCat("unknown flag '", arg, "'"));
      }
      parsed.positionals_.emplace_back(arg);
      continue;
    }
    std::optional<std::string> inline_value;
    if (size_t eq = arg.find('='); eq != absl::string_view::npos) {
      inline_value = std::string(arg.substr(eq + 1));
      arg = arg.substr(0, eq);
    }
    if (arg.empty()) return UsageError("empty flag name");
    const FlagSpec* spec = FindSpec(specs, arg);
    if (spec == nullptr) {
      return UsageError(absl::StrCat("unknown flag --", arg));
    }
    if (parsed.Has(arg)) {
      return UsageError(absl::StrCat("flag --", arg, " given twice"));
    }
    std::string value;
    switch (spec->arity) {
      case FlagSpec::Arity::kSwitch:
        if (inline_value.has_value()) {
          return UsageError(absl::StrCat("flag --", arg, " takes no value"));
        }
        break;
      case FlagSpec::Arity::kValue:
        if (inline_value.has_value()) {
          value = *inline_value;
        } else if (i + 1 < args.size()) {
          value = args[++i];
        } else {
          return UsageError(absl::StrCat("flag --", arg, " needs a value"));
        }
        break;
      case FlagSpec::Arity::kOptional:
        if (inline_value.has_value()) {
          value = *inline_value;
        } else if (i + 1 < args.size() && !args[i + 1].empty() &&
                   args[i + 1][0] != '-' && spec->accepts_separate &&
                   spec->accepts_separate(args[i + 1])) {
          value = args[++i];
        }
        break;
    }
    parsed.values_.emplace(std::string(arg), std::move(value));
  }
  return parsed;
}

std::string FlagsUsage(const std::vector<FlagSpec>& specs) {
  std::vector<std::string> left;
  size_t width = 0;
  for (const FlagSpec& spec : specs) {
    std::string l = absl::StrCat("  --", spec.name);
    if (spec.arity == FlagSpec::Arity::kValue) {
      absl::StrAppend(&l, " ", spec.value_name);
    } else if (spec.arity == FlagSpec::Arity::kOptional) {
      absl::StrAppend(&l, " [", spec.value_name, "]");
    }
    width = std::max(width, l.size());
    left.push_back(std::move(l));
  }
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    absl::StrAppend(&out, left[i], std::string(width - left[i].size() + 2, ' '),
                    specs[i].help, "\n");
  }
  return out;
}

}  // namespace accord::client
