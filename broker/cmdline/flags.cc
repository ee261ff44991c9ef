#include "broker/cmdline/flags.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "broker/cmdline/usage_error.h"

namespace accord::cmdline {
namespace {

// CLI11's name list for `spec`: "--name,--alias", "-h,--help" for help.
std::string CliNames(const FlagSpec& spec) {
  std::string names = absl::StrCat("--", spec.name);
  for (const std::string& alias : spec.aliases) {
    absl::StrAppend(&names, ",--", alias);
  }
  if (spec.name == "help") names = absl::StrCat("-h,", names);
  return names;
}

const FlagSpec* FindSpec(const std::vector<FlagSpec>& specs,
                         absl::string_view name) {
  for (const FlagSpec& spec : specs) {
    if (spec.name == name) return &spec;
    for (const std::string& alias : spec.aliases) {
      if (alias == name) return &spec;
    }
  }
  return nullptr;
}

// Marks the value of an optional flag for CLI11, which would read a bare
// `--name` as "true": Normalize gives every occurrence an inline value
// starting with it, ParseFlags strips it.
constexpr char kOptionalMark = '\x01';

// What CLI11 cannot say itself, said in its terms before it parses, up to
// "--": an optional flag always gets its value inline after kOptionalMark
// (`--name value` joined when the flag accepts the value as a separate
// argument, `--name` with an empty one), and `--name=` of a flag with a
// value becomes `--name ""` (CLI11 would take the next argument).
std::vector<std::string> Normalize(const std::vector<std::string>& args,
                                   const std::vector<FlagSpec>& specs) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--") {
      out.insert(out.end(), args.begin() + i, args.end());
      break;
    }
    absl::string_view name = arg;
    if (!absl::ConsumePrefix(&name, "--")) {
      out.emplace_back(arg);
      continue;
    }
    const size_t eq = name.find('=');
    const FlagSpec* spec = FindSpec(specs, name.substr(0, eq));
    if (spec != nullptr && spec->arity == FlagSpec::Arity::kOptional) {
      std::string value;
      if (eq != absl::string_view::npos) {
        value = std::string(name.substr(eq + 1));
      } else if (i + 1 < args.size() && !args[i + 1].empty() &&
                 args[i + 1][0] != '-' && spec->accepts_separate &&
                 spec->accepts_separate(args[i + 1])) {
        value = args[++i];
      }
      out.push_back(absl::StrCat("--", name.substr(0, eq), "=",
                                 std::string(1, kOptionalMark), value));
      continue;
    }
    if (spec != nullptr && spec->arity == FlagSpec::Arity::kValue &&
        eq == name.size() - 1) {
      out.push_back(absl::StrCat("--", name.substr(0, eq)));
      out.emplace_back();
      continue;
    }
    out.emplace_back(arg);
  }
  return out;
}

// One CLI11 option per spec, in the order of `specs`; nullptr for a spec
// whose name an earlier spec declared already (the earlier one parses it).
std::vector<CLI::Option*> AddOptions(CLI::App& app,
                                     const std::vector<FlagSpec>& specs) {
  std::vector<CLI::Option*> options;
  for (const FlagSpec& spec : specs) {
    if (FindSpec(specs, spec.name) != &spec) {
      options.push_back(nullptr);
      continue;
    }
    CLI::Option* option = nullptr;
    switch (spec.arity) {
      case FlagSpec::Arity::kSwitch:
        option =
            app.add_flag(CliNames(spec), spec.help)->disable_flag_override();
        break;
      case FlagSpec::Arity::kValue:
        option = app.add_option(CliNames(spec), spec.help)
                     ->option_text(spec.value_name.empty() ? "VALUE"
                                                           : spec.value_name)
                     ->type_name(spec.value_name);
        break;
      case FlagSpec::Arity::kOptional:
        // Never a separate value: Normalize put it inline.
        option = app.add_option(CliNames(spec), spec.help)
                     ->expected(0)
                     ->option_text(absl::StrCat("[", spec.value_name, "]"));
        break;
    }
    option->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
    options.push_back(option);
  }
  return options;
}

// The usage error for what CLI11 left unparsed: an unknown flag.
absl::Status UnknownArgument(absl::string_view arg) {
  if (!absl::ConsumePrefix(&arg, "--")) {
    return UsageError(absl::StrCat("unknown flag '", arg, "'"));
  }
  arg = arg.substr(0, arg.find('='));
  if (arg.empty()) return UsageError("empty flag name");
  return UsageError(absl::StrCat("unknown flag --", arg));
}

}  // namespace

bool ParsedArgs::Has(absl::string_view name) const {
  return values_.find(name) != values_.end();
}

std::optional<std::string> ParsedArgs::Get(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::GetAll(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return it->second;
}

std::string ParsedArgs::GetOr(absl::string_view name,
                              absl::string_view fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string(fallback) : it->second.back();
}

std::vector<std::string> ParsedArgs::GetList(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return absl::StrSplit(it->second.back(), ',', absl::SkipWhitespace());
}

absl::StatusOr<std::optional<uint64_t>> ParsedArgs::GetUint(
    absl::string_view name, uint64_t max) const {
  std::optional<std::string> text = Get(name);
  if (!text.has_value()) return std::optional<uint64_t>();
  uint64_t value = 0;
  if (!absl::SimpleAtoi(*text, &value) || text->empty() || (*text)[0] == '+' ||
      value > max) {
    return UsageError(
        absl::StrCat("--", name, ": expected an integer in [0, ", max, "]"));
  }
  return std::optional<uint64_t>(value);
}

absl::StatusOr<std::optional<double>> ParsedArgs::GetDouble(
    absl::string_view name) const {
  std::optional<std::string> text = Get(name);
  if (!text.has_value()) return std::optional<double>();
  double value = 0;
  if (!absl::SimpleAtod(*text, &value)) {
    return UsageError(absl::StrCat("--", name, ": not a number"));
  }
  return std::optional<double>(value);
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
  std::optional<std::string> value = Get(name);
  if (!value.has_value() || value->empty()) {
    return UsageError(absl::StrCat("--", name, " is required"));
  }
  return *value;
}

absl::StatusOr<ParsedArgs> ParseFlags(const std::vector<std::string>& args,
                                      const std::vector<FlagSpec>& specs) {
  ParsedArgs parsed;
  try {
    CLI::App app;
    app.set_help_flag();
    app.allow_extras();
    std::vector<CLI::Option*> options = AddOptions(app, specs);
    app.add_option("positional", parsed.positionals_)
        ->allow_extra_args()
        ->expected(0, CLI::detail::expected_max_vector_size);
    // CLI11 takes the arguments last first.
    std::vector<std::string> reversed = Normalize(args, specs);
    std::reverse(reversed.begin(), reversed.end());
    app.parse(reversed);
    // CLI11 leaves unknown flags, and the "--" it saw, unparsed.
    for (const std::string& rest : app.remaining()) {
      if (rest != "--") return UnknownArgument(rest);
    }
    for (size_t i = 0; i < specs.size(); ++i) {
      if (options[i] == nullptr) continue;
      const FlagSpec& spec = specs[i];
      const CLI::Option& option = *options[i];
      if (option.count() == 0) continue;
      if (option.count() > 1 && !spec.repeatable) {
        return UsageError(absl::StrCat("flag --", spec.name, " given twice"));
      }
      std::vector<std::string> values = option.results();
      // A switch's results are CLI11's "true"s: one "" per occurrence.
      if (spec.arity == FlagSpec::Arity::kSwitch) {
        values.assign(option.count(), "");
      }
      if (spec.arity == FlagSpec::Arity::kOptional) {
        for (std::string& value : values) {
          if (!value.empty() && value[0] == kOptionalMark) value.erase(0, 1);
        }
      }
      parsed.values_.emplace(spec.name, std::move(values));
    }
  } catch (const CLI::ArgumentMismatch& e) {
    // "--name: 1 required VALUE missing": the last argument lacks its value.
    const absl::string_view what = e.what();
    if (absl::EndsWith(what, " missing") &&
        what.find(':') != absl::string_view::npos) {
      return UsageError(absl::StrCat("flag ", what.substr(0, what.find(':')),
                                     " needs a value"));
    }
    return UsageError(what);
  } catch (const CLI::ParseError& e) {
    return UsageError(e.what());
  } catch (const CLI::Error& e) {
    // A construction error: two specs with one name, an invalid name.
    return absl::InternalError(absl::StrCat("flag specs: ", e.what()));
  }
  return parsed;
}

absl::StatusOr<ParsedArgs> ParseFlags(int argc, const char* const* argv,
                                      const std::vector<FlagSpec>& specs) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return ParseFlags(args, specs);
}

std::string FlagsUsage(const std::vector<FlagSpec>& specs) {
  std::string out;
  try {
    CLI::App app;
    app.set_help_flag();
    std::vector<CLI::Option*> options = AddOptions(app, specs);
    CLI::Formatter formatter;
    size_t width = 0;
    std::erase(options, nullptr);
    for (const CLI::Option* option : options) {
      width =
          std::max(width, 2 + formatter.make_option_name(option, false).size() +
                              formatter.make_option_opts(option).size());
    }
    formatter.column_width(width + 2);
    for (const CLI::Option* option : options) {
      absl::StrAppend(&out, formatter.make_option(option, false));
    }
  } catch (const CLI::Error& e) {
    return absl::StrCat("(flag specs: ", e.what(), ")\n");
  }
  return out;
}

FlagSpec HelpFlag() {
  return {"help", FlagSpec::Arity::kSwitch, "", "show this help", {}};
}

}  // namespace accord::cmdline
