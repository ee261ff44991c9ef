#include "policy/duration_text.h"

#include <string>

#include <catch2/catch.hpp>

namespace accord::policy {
namespace {

std::string Fr(Span s) { return SpanText(s, Language::kFr).value(); }
std::string En(Span s) { return SpanText(s, Language::kEn).value(); }

TEST_CASE("duration text: seconds become the largest exact unit", "[duration_text]") {
  CHECK(SpanOfSeconds(30 * 86400).value() == Span{30, TimeUnit::kDay});
  CHECK(SpanOfSeconds(86400).value() == Span{1, TimeUnit::kDay});
  CHECK(SpanOfSeconds(7200).value() == Span{2, TimeUnit::kHour});
  CHECK(SpanOfSeconds(5400).value() == Span{90, TimeUnit::kMinute});
  CHECK(SpanOfSeconds(60).value() == Span{1, TimeUnit::kMinute});
  CHECK(SpanOfSeconds(45).value() == Span{45, TimeUnit::kSecond});
  CHECK(SpanOfSeconds(0).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(SpanOfSeconds(-5).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("duration text: spans in French, singular and plural", "[duration_text]") {
  CHECK(Fr({1, TimeUnit::kDay}) == "1 jour");
  CHECK(Fr({30, TimeUnit::kDay}) == "30 jours");
  CHECK(Fr({1, TimeUnit::kHour}) == "1 heure");
  CHECK(Fr({2, TimeUnit::kHour}) == "2 heures");
  CHECK(Fr({1, TimeUnit::kMinute}) == "1 minute");
  CHECK(Fr({15, TimeUnit::kMinute}) == "15 minutes");
  CHECK(Fr({1, TimeUnit::kSecond}) == "1 seconde");
  CHECK(Fr({45, TimeUnit::kSecond}) == "45 secondes");
  CHECK(Fr({3, TimeUnit::kWeek}) == "3 semaines");
  CHECK(Fr({1, TimeUnit::kMonth}) == "1 mois");
  CHECK(Fr({6, TimeUnit::kMonth}) == "6 mois");
  CHECK(Fr({1, TimeUnit::kYear}) == "1 an");
  CHECK(Fr({2, TimeUnit::kYear}) == "2 ans");
}

TEST_CASE("duration text: spans in English, singular and plural", "[duration_text]") {
  CHECK(En({1, TimeUnit::kDay}) == "1 day");
  CHECK(En({30, TimeUnit::kDay}) == "30 days");
  CHECK(En({1, TimeUnit::kHour}) == "1 hour");
  CHECK(En({2, TimeUnit::kHour}) == "2 hours");
  CHECK(En({1, TimeUnit::kMinute}) == "1 minute");
  CHECK(En({15, TimeUnit::kMinute}) == "15 minutes");
  CHECK(En({1, TimeUnit::kSecond}) == "1 second");
  CHECK(En({1, TimeUnit::kWeek}) == "1 week");
  CHECK(En({6, TimeUnit::kMonth}) == "6 months");
  CHECK(En({1, TimeUnit::kYear}) == "1 year");
  CHECK(En({2, TimeUnit::kYear}) == "2 years");
}

TEST_CASE("duration text: lifetimes say how long something lasts", "[duration_text]") {
  CHECK(LifetimeText(Span{6, TimeUnit::kMonth}, Language::kFr).value() ==
        "pendant 6 mois");
  CHECK(LifetimeText(Span{6, TimeUnit::kMonth}, Language::kEn).value() ==
        "for 6 months");
  CHECK(LifetimeText(Span{1, TimeUnit::kYear}, Language::kFr).value() ==
        "pendant 1 an");
  CHECK(LifetimeText(int64_t{86400}, Language::kFr).value() ==
        "pendant 1 jour");
  CHECK(LifetimeText(int64_t{300}, Language::kEn).value() ==
        "for 5 minutes");
  CHECK(LifetimeText(Span{0, TimeUnit::kMonth}, Language::kEn)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  CHECK(LifetimeText(int64_t{0}, Language::kFr).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::policy
