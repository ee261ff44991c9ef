#include "broker/formats/json.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/str_cat.h"

namespace accord::formats {
namespace {

bool Rejects(const std::string& text, const JsonLimits& limits = {}) {
  absl::StatusOr<JsonValue> v = ParseJson(text, limits);
  return !v.ok() && v.status().code() == absl::StatusCode::kInvalidArgument;
}

TEST_CASE("json parses scalars with exact integers", "[json]") {
  REQUIRE(ParseJson("null")->is_null());
  REQUIRE(*ParseJson("true")->AsBool());
  REQUIRE_FALSE(*ParseJson(" false ")->AsBool());
  REQUIRE(*ParseJson("9007199254740993")->AsInt64() == 9007199254740993);
  REQUIRE(*ParseJson("-9223372036854775808")->AsInt64() == INT64_MIN);
  REQUIRE(ParseJson("1.5")->type() == JsonValue::Type::kDouble);
  REQUIRE(*ParseJson("1.5")->AsDouble() == 1.5);
  REQUIRE(*ParseJson("-2e3")->AsDouble() == -2000.0);
  REQUIRE_FALSE(ParseJson("-2e3")->AsInt64().has_value());
  // Beyond int64: kept as a double.
  REQUIRE(ParseJson("9223372036854775808")->type() == JsonValue::Type::kDouble);
  REQUIRE(*ParseJson("-0")->AsInt64() == 0);
}

TEST_CASE("json rejects what RFC 8259 does not allow", "[json]") {
  for (const char* bad : {"",
                          " ",
                          "01",
                          "-01",
                          "1.",
                          ".5",
                          "+1",
                          "1e",
                          "1e+",
                          "NaN",
                          "Infinity",
                          "-Infinity",
                          "nul",
                          "tru",
                          "[1,]",
                          "[1 2]",
                          "{\"a\":1,}",
                          "{a:1}",
                          "{\"a\" 1}",
                          "'a'",
                          "\"abc",
                          "[",
                          "{",
                          "]",
                          "1 2",
                          "{} x",
                          "1e400",
                          "\"\\x\"",
                          "\"\\u12\"",
                          "\"\\uZZZZ\"",
                          "\"\\ud800\"",
                          "\"\\udc00\"",
                          "\"\\ud800\\u0041\"",
                          "\"tab\there\"",
                          "[1]\n]"}) {
    INFO(bad);
    REQUIRE(Rejects(bad));
  }
}

TEST_CASE("json rejects duplicate keys", "[json]") {
  REQUIRE(Rejects(R"({"a":1,"a":2})"));
  REQUIRE(Rejects(R"({"a":{"b":1,"b":1}})"));
  REQUIRE(ParseJson(R"({"a":{"b":1},"b":1})").ok());
  // Large objects too, where keys are looked up in a set rather than
  // scanned: a duplicate of an early key, of a late one, and none.
  auto object = [](int n, int dup_of, int dup_at) {
    std::string text = "{";
    for (int i = 0; i < n; ++i) {
      const int key = i == dup_at ? dup_of : i;
      absl::StrAppend(&text, i == 0 ? "" : ",", "\"k", key, "\":", i);
    }
    return text + "}";
  };
  REQUIRE(ParseJson(object(40, -1, -1)).ok());
  REQUIRE(Rejects(object(40, 3, 30)));
  REQUIRE(Rejects(object(40, 20, 39)));
  REQUIRE(Rejects(object(40, 2, 9)));
  // Either side of the switch from scanning to the set.
  REQUIRE(Rejects(object(16, 0, 15)));
  REQUIRE(Rejects(object(17, 0, 16)));
  REQUIRE(Rejects(object(18, 16, 17)));
}

TEST_CASE("json validates UTF-8", "[json]") {
  REQUIRE(*ParseJson("\"caf\xc3\xa9\"")->AsString() == "caf\xc3\xa9");
  REQUIRE(*ParseJson("\"\xf0\x9f\x98\x80\"")->AsString() == "\xf0\x9f\x98\x80");
  REQUIRE(Rejects("\"\xc3\""));              // truncated
  REQUIRE(Rejects("\"\xc0\xaf\""));          // overlong
  REQUIRE(Rejects("\"\xe0\x80\xaf\""));      // overlong
  REQUIRE(Rejects("\"\xed\xa0\x80\""));      // encoded surrogate
  REQUIRE(Rejects("\"\xf4\x90\x80\x80\""));  // above U+10FFFF
  REQUIRE(Rejects("\"\xff\""));
  REQUIRE(Rejects("\"\x80\""));
}

TEST_CASE("json decodes escapes including surrogate pairs", "[json]") {
  REQUIRE(*ParseJson(R"("a\"b\\c\/d\b\f\n\r\t")")->AsString() ==
          "a\"b\\c/d\b\f\n\r\t");
  REQUIRE(*ParseJson(R"("\u00e9")")->AsString() == "\xc3\xa9");
  REQUIRE(*ParseJson(R"("\ud83d\ude00")")->AsString() == "\xf0\x9f\x98\x80");
  REQUIRE(*ParseJson(R"("\u0000")")->AsString() == std::string(1, '\0'));
}

TEST_CASE("json enforces depth and size limits", "[json]") {
  std::string deep32 = std::string(32, '[') + std::string(32, ']');
  std::string deep33 = std::string(33, '[') + std::string(33, ']');
  REQUIRE(ParseJson(deep32).ok());
  REQUIRE(Rejects(deep33));
  JsonLimits small;
  small.max_bytes = 8;
  REQUIRE(ParseJson("[1,2,3]", small).ok());
  REQUIRE(Rejects("[1,2,3,4]", small));
  JsonLimits shallow;
  shallow.max_depth = 1;
  REQUIRE(ParseJson(R"({"a":1})", shallow).ok());
  REQUIRE(Rejects(R"({"a":[]})", shallow));
}

TEST_CASE("json objects keep insertion order and serialize compactly",
          "[json]") {
  absl::StatusOr<JsonValue> v =
      ParseJson(R"( { "z" : 1 , "a" : [ true , null , "x" ] , "m" : {} } )");
  REQUIRE(v.ok());
  REQUIRE(v->Serialize() == R"({"z":1,"a":[true,null,"x"],"m":{}})");
  REQUIRE(v->AsObject()->size() == 3);
  REQUIRE(*v->GetInt64("z") == 1);
  REQUIRE(v->GetString("z").status().code() ==
          absl::StatusCode::kInvalidArgument);
  REQUIRE(v->GetString("nope").status().code() == absl::StatusCode::kNotFound);
  REQUIRE(v->Find("a")->AsArray()->size() == 3);
}

TEST_CASE("json builders and escaping", "[json]") {
  JsonValue obj = JsonValue::Object();
  obj.Set("s", std::string("q\"\\\n\x01\x1f\xc3\xa9"))
      .Set("i", int64_t{-5})
      .Set("d", 0.25)
      .Set("whole", 2.0)
      .Set("b", false)
      .Set("n", nullptr);
  JsonValue arr = JsonValue::Array();
  arr.Push(1).Push("two");
  obj.Set("arr", arr);
  obj.Set("i", 7);  // replaces in place
  std::string text = obj.Serialize();
  REQUIRE(text ==
          "{\"s\":\"q\\\"\\\\\\n\\u0001\\u001f\xc3\xa9\",\"i\":7,\"d\":0.25,"
          "\"whole\":2.0,\"b\":false,\"n\":null,\"arr\":[1,\"two\"]}");
  absl::StatusOr<JsonValue> back = ParseJson(text);
  REQUIRE(back.ok());
  REQUIRE(*back == obj);
}

TEST_CASE("json round-trips doubles exactly", "[json]") {
  for (double d : {0.1, 1e-300, 123456.789, -1e300, 5e-324}) {
    JsonValue v(d);
    absl::StatusOr<JsonValue> back = ParseJson(v.Serialize());
    REQUIRE(back.ok());
    REQUIRE(*back->AsDouble() == d);
  }
}

}  // namespace
}  // namespace accord::formats
