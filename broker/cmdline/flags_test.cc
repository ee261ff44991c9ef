#include "broker/cmdline/flags.h"

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "broker/cmdline/usage_error.h"

namespace accord::cmdline {
namespace {

using A = FlagSpec::Arity;

std::vector<FlagSpec> Specs() {
  return {{"id", A::kValue, "ID", "", {}},
          {"json", A::kSwitch, "", "", {}},
          {"help", A::kSwitch, "", "", {}},
          {"dev", A::kOptional, "DIR", "",
           [](absl::string_view v) { return v == "dir"; }}};
}

TEST_CASE("flags: values, switches and positionals") {
  auto parsed =
      ParseFlags({"a", "--id", "x", "--json", "b", "--dev=d2"}, Specs());
  REQUIRE(parsed.ok());
  CHECK(parsed->Get("id") == "x");
  CHECK(parsed->Has("json"));
  CHECK(parsed->Get("json") == "");
  CHECK(parsed->Get("dev") == "d2");
  CHECK(parsed->positionals() == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(parsed->Has("help"));
  CHECK(parsed->GetOr("help", "no") == "no");
}

TEST_CASE("flags: --name=value and -- ends the flags") {
  auto parsed = ParseFlags({"--id=a=b", "--", "--json", "-x"}, Specs());
  REQUIRE(parsed.ok());
  CHECK(parsed->Get("id") == "a=b");
  CHECK_FALSE(parsed->Has("json"));
  CHECK(parsed->positionals() == std::vector<std::string>{"--json", "-x"});
}

TEST_CASE("flags: -h means --help") {
  auto parsed = ParseFlags({"-h"}, Specs());
  REQUIRE(parsed.ok());
  CHECK(parsed->Has("help"));
}

TEST_CASE("flags: optional value taken only when accepted") {
  auto taken = ParseFlags({"--dev", "dir", "p"}, Specs());
  REQUIRE(taken.ok());
  CHECK(taken->Get("dev") == "dir");
  CHECK(taken->positionals() == std::vector<std::string>{"p"});
  auto left = ParseFlags({"--dev", "other"}, Specs());
  REQUIRE(left.ok());
  CHECK(left->Get("dev") == "");
  CHECK(left->positionals() == std::vector<std::string>{"other"});
}

TEST_CASE("flags: malformed command lines are usage errors") {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--nope"},
                                             {"--id"},
                                             {"--id", "a", "--id", "b"},
                                             {"--json=1"},
                                             {"-x"},
                                             {"--=v"}}) {
    auto parsed = ParseFlags(args, Specs());
    INFO(args[0]);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(IsUsageError(parsed.status()));
  }
}

TEST_CASE("flags: lists, integers and required values") {
  auto parsed = ParseFlags({"--id", "a,,b, c", "x"}, Specs());
  REQUIRE(parsed.ok());
  CHECK(parsed->GetList("id") == std::vector<std::string>{"a", "b", " c"});
  CHECK(parsed->GetList("json").empty());
  CHECK(parsed->Require("id").ok());
  CHECK(IsUsageError(parsed->Require("json").status()));
  CHECK(parsed->ExpectPositionals({"X"}).ok());
  CHECK(IsUsageError(parsed->ExpectPositionals({})));
  CHECK(IsUsageError(parsed->ExpectPositionals({"X", "Y"})));

  auto n = ParseFlags({"--id", "42"}, Specs());
  REQUIRE(n.ok());
  CHECK(n->GetUint("id", 100).value() == std::optional<uint64_t>(42));
  CHECK(IsUsageError(n->GetUint("id", 41).status()));
  CHECK_FALSE(n->GetUint("json", 1).value().has_value());
  for (const char* bad : {"-1", "+1", "x", "", "1.5"}) {
    auto b = ParseFlags({"--id", bad}, Specs());
    REQUIRE(b.ok());
    CHECK_FALSE(b->GetUint("id", 100).ok());
  }
}

TEST_CASE("flags: repeatable flags keep every value, aliases share them") {
  std::vector<FlagSpec> specs = {
      {"addr", A::kValue, "HOST:PORT", "", {}, true, {"address", "a_b"}},
      {"arg", A::kValue, "FLAG", "", {}, true},
      {"id", A::kValue, "ID", "", {}}};
  auto parsed = ParseFlags({"--address", "x", "--arg", "--no-such", "--addr=y",
                            "--arg=--two", "--a_b", "z"},
                           specs);
  REQUIRE(parsed.ok());
  CHECK(parsed->GetAll("addr") == std::vector<std::string>{"x", "y", "z"});
  CHECK(parsed->Get("addr") == "z");
  CHECK_FALSE(parsed->Has("address"));
  CHECK(parsed->GetAll("arg") ==
        std::vector<std::string>{"--no-such", "--two"});
  CHECK(parsed->GetAll("id").empty());
  auto twice = ParseFlags({"--id", "1", "--id=2"}, specs);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.status().message() == "flag --id given twice");
}

TEST_CASE("flags: a name declared twice is parsed by its first spec") {
  std::vector<FlagSpec> specs = Specs();
  specs.push_back({"id", A::kValue, "OTHER", "", {}});
  auto parsed = ParseFlags({"--id", "x"}, specs);
  REQUIRE(parsed.ok());
  CHECK(parsed->Get("id") == "x");
  CHECK(FlagsUsage(specs) == FlagsUsage(Specs()));
}

TEST_CASE("flags: an empty value, and the wording of errors") {
  auto empty = ParseFlags({"--id=", "p", "--dev="}, Specs());
  REQUIRE(empty.ok());
  CHECK(empty->Get("id") == "");
  CHECK(empty->Get("dev") == "");
  CHECK(empty->positionals() == std::vector<std::string>{"p"});
  CHECK(ParseFlags({"--nope=1"}, Specs()).status().message() ==
        "unknown flag --nope");
  CHECK(ParseFlags({"-x"}, Specs()).status().message() == "unknown flag '-x'");
  CHECK(ParseFlags({"--=v"}, Specs()).status().message() == "empty flag name");
  CHECK(ParseFlags({"--id"}, Specs()).status().message() ==
        "flag --id needs a value");
}

TEST_CASE("flags: usage lines from the specs, aligned") {
  const std::string usage = FlagsUsage(Specs());
  CHECK(usage ==
        "  --id ID      \n"
        "  --json       \n"
        "  -h,--help    \n"
        "  --dev [DIR]  \n");
  const std::string help = FlagsUsage(
      {{"broker", A::kValue, "HOST:PORT", "broker address", {}, false, {"b"}},
       HelpFlag()});
  CHECK(help ==
        "  --broker,--b HOST:PORT  broker address\n"
        "  -h,--help               show this help\n");
}

}  // namespace
}  // namespace accord::cmdline
