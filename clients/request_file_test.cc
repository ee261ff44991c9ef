#include "clients/request_file.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "clients/connection.h"
#include "clients/dataset_file.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;

constexpr int64_t kNow = 1777636800;  // 2026-05-01T12:00:00Z
constexpr int64_t kDay = 86400;

constexpr char kMinimal[] = R"(
dataset: rennes.energy.household-consumption
purpose: public-benefit.energy
fields: [day, kwh]
consent_duration: 26w
title: {fr: Étude}
description: {fr: Le projet}
public_benefit: {fr: L'intérêt}
responsible: {organisation: Université, name: DPO, role: dpo, email: dpo@u.example}
closes_at: 2026-08-01T00:00:00Z
)";

// Tests run from the source root, which ctest also names in
// ACCORD_SOURCE_DIR.
std::string SourcePath(const std::string& relative) {
  const char* root = std::getenv("ACCORD_SOURCE_DIR");
  return std::string(root != nullptr ? root : ".") + "/" + relative;
}

TEST_CASE("request file: the example file reads whole") {
  const std::string path =
      SourcePath("clients/examples/requests/energy-study.yaml");
  absl::StatusOr<std::string> text = ReadSmallFile(path);
  REQUIRE(text.ok());
  auto spec = ParseRequestFile(*text, path, kNow);
  INFO(spec.status().message());
  REQUIRE(spec.ok());
  CHECK(spec->dataset_id() == "rennes.energy.household-consumption");
  CHECK(spec->purpose() == "public-benefit.energy");
  REQUIRE(spec->fields_size() == 3);
  CHECK(spec->fields(0) == "day");
  CHECK(spec->fields(2) == "district");
  CHECK(spec->consent_duration_seconds() == 180 * kDay);
  REQUIRE(spec->duties_size() == 3);
  CHECK(spec->duties(0).kind() == "delete_after");
  CHECK(spec->duties(0).value() == "2592000");
  CHECK(spec->duties(1).kind() == "aggregate_min_k");
  CHECK(spec->duties(1).value() == "10");
  CHECK(spec->duties(2).kind() == "no_onward_transfer");
  CHECK(spec->duties(2).value().empty());
  CHECK(absl::StartsWith(spec->title().fr(), "Étude"));
  CHECK_FALSE(spec->title().en().empty());
  CHECK_FALSE(spec->description().fr().empty());
  CHECK_FALSE(spec->description().en().empty());
  CHECK_FALSE(spec->public_benefit().fr().empty());
  CHECK(spec->responsible().organisation() == "Université de Rennes");
  CHECK(spec->responsible().role() == "dpo");
  CHECK(spec->responsible().email() == "dpo@univ-rennes.example");
  CHECK(spec->opens_at() == kNow);
  CHECK(spec->closes_at() == kNow + 90 * kDay);
}

TEST_CASE("request file: the example dataset file reads whole") {
  const std::string path =
      SourcePath("clients/examples/datasets/household-consumption.yaml");
  absl::StatusOr<std::string> text = ReadSmallFile(path);
  REQUIRE(text.ok());
  auto dataset = ParseDatasetFile(*text, path);
  INFO(dataset.status().message());
  REQUIRE(dataset.ok());
  CHECK(dataset->id() == "rennes.energy.household-consumption");
  CHECK(dataset->classification() == v1::CLASSIFICATION_PERSONAL);
  CHECK(dataset->fields_size() == 6);
  CHECK_FALSE(dataset->description().fr().empty());
  // Every field is described, in both languages.
  for (const std::string& field : dataset->fields()) {
    INFO(field);
    const auto& all = dataset->field_descriptions();
    auto it = std::find_if(
        all.begin(), all.end(),
        [&](const v1::FieldDescription& d) { return d.field() == field; });
    REQUIRE(it != all.end());
    CHECK_FALSE(it->text().fr().empty());
    CHECK_FALSE(it->text().en().empty());
  }
}

TEST_CASE("request file: JSON, defaults and explicit times") {
  const char* json = R"({"dataset": "d", "purpose": "p", "fields": ["a"],
    "consent_duration": 86400, "title": {"fr": "T", "en": "T en"},
    "description": {"fr": "D"}, "public_benefit": {"fr": "B"},
    "responsible": {"organisation": "O", "name": "N", "role": "dpo",
                    "email": "e@x.example"},
    "opens_at": "2026-05-02T12:00:00Z", "closes_at": 1780000000})";
  auto spec = ParseRequestFile(json, "r.json", kNow);
  INFO(spec.status().message());
  REQUIRE(spec.ok());
  CHECK(spec->consent_duration_seconds() == kDay);
  CHECK(spec->title().en() == "T en");
  CHECK(spec->description().en().empty());
  CHECK(spec->duties_size() == 0);
  CHECK(spec->opens_at() == kNow + kDay);
  CHECK(spec->closes_at() == 1780000000);

  auto minimal = ParseRequestFile(kMinimal, "r.yaml", kNow);
  REQUIRE(minimal.ok());
  CHECK(minimal->opens_at() == kNow);
  CHECK(minimal->consent_duration_seconds() == 26 * 7 * kDay);
}

TEST_CASE("request file: duties switched off are left out") {
  std::string text = std::string(kMinimal) +
                     "duties: {no_onward_transfer: false, notify_producer: "
                     "true, attribute: Université de Rennes}\n";
  auto spec = ParseRequestFile(text, "r.yaml", kNow);
  INFO(spec.status().message());
  REQUIRE(spec.ok());
  REQUIRE(spec->duties_size() == 2);
  CHECK(spec->duties(0).kind() == "notify_producer");
  CHECK(spec->duties(1).kind() == "attribute");
  CHECK(spec->duties(1).value() == "Université de Rennes");
}

// Replaces the line of `key` in kMinimal with `line` ("" drops it).
std::string With(const std::string& key, const std::string& line) {
  std::string text = kMinimal;
  size_t at = text.find("\n" + key + ":");
  REQUIRE(at != std::string::npos);
  size_t end = text.find('\n', at + 1);
  text.replace(at + 1, end - at, line.empty() ? "" : line + "\n");
  return text;
}

TEST_CASE("request file: bad input is refused naming the file and key") {
  struct Case {
    std::string text;
    std::string names;
  };
  const Case cases[] = {
      {With("consent_duration", "consent_duration: six months"),
       "r.yaml:5:19: consent_duration: expected a duration"},
      {With("consent_duration", ""), "consent_duration: required"},
      {With("closes_at", "closes_at: tomorrow"), "closes_at: expected"},
      {With("fields", "fields: day"), "fields"},
      {With("title", "title: Étude"), "title must be a mapping"},
      {With("title", "title: {en: Study}"), "title.fr: required"},
      {With("responsible", "responsible: {organisation: U}"),
       "responsible.name: required"},
      {With("purpose", "purpsoe: public-benefit.energy"),
       "unknown key 'purpsoe'"},
      {std::string(kMinimal) + "duties: {delete_after: soon}\n",
       "duties.delete_after: expected a duration"},
      {std::string(kMinimal) + "duties: {aggregate_min_k: many}\n",
       "duties.aggregate_min_k"},
      {std::string(kMinimal) + "duties: {erase: true}\n",
       "unknown key 'erase' in duties"},
      {"", "r.yaml:1:1: the request: empty file"},
      {"- a\n- b\n", "the request must be a mapping"},
      {"dataset: [unclosed\n", "r.yaml:"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto spec = ParseRequestFile(c.text, "r.yaml", kNow);
    REQUIRE_FALSE(spec.ok());
    INFO(spec.status().message());
    CHECK(spec.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(spec.status().message(), c.names));
    CHECK_FALSE(absl::StrContains(spec.status().message(), "\n"));
  }
}

TEST_CASE("request file: dataset files refuse bad input naming the key") {
  auto bad = ParseDatasetFile(
      "id: d\ntitle: T\nclassification: secret\nfields: [a]\n"
      "field_descriptions: {a: {fr: A, de: B}}\n",
      "d.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK(absl::StrContains(bad.status().message(),
                          "d.yaml:3:17: classification: expected open"));
  CHECK(absl::StrContains(bad.status().message(),
                          "unknown key 'de' in field_descriptions.a"));
}

}  // namespace
}  // namespace accord::client
