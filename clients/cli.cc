#include "clients/cli.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "broker/build_info.h"
#include "broker/cmdline/usage_error.h"
#include "clients/commands.h"
#include "clients/suggest.h"

namespace accord::client {

std::vector<CommandGroup> AllCommandGroups() {
  return {DatasetCommands(), PolicyCommands(), ConsentCommands(),
          RequestCommands(), GrantCommands(),  AuditCommands(),
          AdminCommands(),   DevCommands(),    TrustCommands()};
}

namespace {

std::vector<cmdline::FlagSpec> GlobalFlagSpecs() {
  std::vector<cmdline::FlagSpec> specs = ConnectionFlagSpecs();
  specs.push_back({"output",
                   cmdline::FlagSpec::Arity::kValue,
                   "json|text",
                   "output format (default text)",
                   {}});
  specs.push_back(cmdline::HelpFlag());
  return specs;
}

std::string TopUsage(const std::vector<CommandGroup>& groups) {
  std::string out =
      "usage: accord <group> <command> [arguments] [flags]\n\ngroups:\n";
  size_t width = 0;
  for (const CommandGroup& g : groups) width = std::max(width, g.name.size());
  for (const CommandGroup& g : groups) {
    absl::StrAppend(&out, "  ", g.name,
                    std::string(width + 2 - g.name.size(), ' '), g.summary,
                    "\n");
  }
  absl::StrAppend(&out, "\nflags of every command:\n",
                  cmdline::FlagsUsage(GlobalFlagSpecs()),
                  "\n'accord <group> --help' lists the commands of a group; "
                  "'accord --version' prints the version.\n");
  return out;
}

std::string CommandLine(const CommandGroup& g, const Command& c) {
  std::string line =
      absl::StrCat("accord ", g.name, " ", absl::StrJoin(c.path, " "));
  if (!c.synopsis.empty()) absl::StrAppend(&line, " ", c.synopsis);
  return line;
}

std::string GroupUsage(const CommandGroup& g) {
  std::string out = absl::StrCat("usage: accord ", g.name,
                                 " <command> [arguments] [flags]\n\n",
                                 g.summary, "\n\ncommands:\n");
  for (const Command& c : g.commands) {
    absl::StrAppend(&out, "  ", CommandLine(g, c), "\n      ", c.summary, "\n");
  }
  absl::StrAppend(&out, "\n'accord ", g.name,
                  " <command> --help' shows a command's flags.\n");
  return out;
}

std::string CommandUsage(const CommandGroup& g, const Command& c) {
  std::string out =
      absl::StrCat("usage: ", CommandLine(g, c), "\n\n", c.summary, "\n");
  if (!c.flags.empty()) {
    absl::StrAppend(&out, "\nflags:\n", cmdline::FlagsUsage(c.flags));
  }
  absl::StrAppend(&out, "\nconnection and output flags:\n",
                  cmdline::FlagsUsage(GlobalFlagSpecs()));
  return out;
}

// Positions of the words (non-flag arguments) in `args`, skipping the
// values of global flags, up to "--".
std::vector<size_t> WordPositions(const std::vector<std::string>& args) {
  std::vector<cmdline::FlagSpec> globals = GlobalFlagSpecs();
  std::vector<size_t> words;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view a = args[i];
    if (a == "--") break;
    if (!absl::StartsWith(a, "-")) {
      words.push_back(i);
      continue;
    }
    if (!absl::ConsumePrefix(&a, "--") || absl::StrContains(a, '=')) continue;
    for (const cmdline::FlagSpec& spec : globals) {
      if (spec.name != a || i + 1 >= args.size()) continue;
      if (spec.arity == cmdline::FlagSpec::Arity::kValue ||
          (spec.arity == cmdline::FlagSpec::Arity::kOptional &&
           !absl::StartsWith(args[i + 1], "-") && spec.accepts_separate &&
           spec.accepts_separate(args[i + 1]))) {
        ++i;
      }
    }
  }
  return words;
}

bool WantsHelp(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

int Fail(std::ostream& err, const absl::Status& status) {
  err << ErrorLine(status) << "\n";
  return cmdline::IsUsageError(status) ? kExitUsage : kExitError;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err, const EnvLookup& env, int64_t now) {
  const std::vector<CommandGroup> groups = AllCommandGroups();
  const bool help = WantsHelp(args);
  if (args.size() == 1 && args[0] == "--version") {
    out << VersionLine("accord");
    return kExitOk;
  }
  const std::vector<size_t> words = WordPositions(args);
  if (words.empty()) {
    if (help) {
      out << TopUsage(groups);
      return kExitOk;
    }
    err << TopUsage(groups);
    return Fail(err, cmdline::UsageError("missing command group"));
  }
  const CommandGroup* group = nullptr;
  for (const CommandGroup& g : groups) {
    if (g.name == args[words[0]]) group = &g;
  }
  if (group == nullptr) {
    return Fail(err, cmdline::UsageError(
                         absl::StrCat("unknown command group '", args[words[0]],
                                      "' (see accord --help)")));
  }
  const Command* command = nullptr;
  for (const Command& c : group->commands) {
    if (c.path.size() + 1 > words.size()) continue;
    bool match = true;
    for (size_t i = 0; i < c.path.size(); ++i) {
      match = match && args[words[i + 1]] == c.path[i];
    }
    if (match && (command == nullptr || c.path.size() > command->path.size())) {
      command = &c;
    }
  }
  if (command == nullptr) {
    if (help) {
      out << GroupUsage(*group);
      return kExitOk;
    }
    err << GroupUsage(*group);
    return Fail(err, cmdline::UsageError(
                         words.size() > 1
                             ? absl::StrCat("unknown command '", group->name,
                                            " ", args[words[1]], "'")
                             : absl::StrCat("missing command for '",
                                            group->name, "'")));
  }
  if (help) {
    out << CommandUsage(*group, *command);
    return kExitOk;
  }

  std::vector<std::string> rest;
  size_t next_word = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    if (next_word <= command->path.size() && i == words[next_word]) {
      ++next_word;
      continue;
    }
    rest.push_back(args[i]);
  }
  std::vector<cmdline::FlagSpec> specs = GlobalFlagSpecs();
  specs.insert(specs.end(), command->flags.begin(), command->flags.end());
  absl::StatusOr<cmdline::ParsedArgs> parsed = cmdline::ParseFlags(rest, specs);
  if (!parsed.ok()) return Fail(err, parsed.status());
  absl::StatusOr<OutputFormat> format =
      ParseOutputFormat(parsed->GetOr("output", "text"));
  if (!format.ok()) return Fail(err, format.status());

  Output output(*format, &out);
  CommandContext context(&*parsed, &output, &err, env, now);
  absl::Status status = command->run(context);
  if (!status.ok()) return Fail(err, SuggestKnownName(context, status));
  return kExitOk;
}

}  // namespace accord::client
