#include "policy/duty_text.h"

#include <string>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"

namespace accord::policy {
namespace {

std::string Text(DutyKind kind, const std::string& value, Language language,
                 const DutyTextOptions& options = {}) {
  absl::StatusOr<std::string> text = DutyText(Duty{kind, value}, language,
                                              options);
  INFO(text.status().message());
  REQUIRE(text.ok());
  return *text;
}

absl::StatusCode Code(DutyKind kind, const std::string& value,
                      Language language = Language::kFr,
                      const DutyTextOptions& options = {}) {
  return DutyText(Duty{kind, value}, language, options).status().code();
}

TEST_CASE("duty text: delete_after in words", "[duty_text]") {
  CHECK(Text(DutyKind::kDeleteAfter, "2592000", Language::kFr) ==
        "Les données sont supprimées au plus tard 30 jours après leur "
        "réception.");
  CHECK(Text(DutyKind::kDeleteAfter, "2592000", Language::kEn) ==
        "The data is deleted within 30 days of receipt.");
  CHECK(Text(DutyKind::kDeleteAfter, "86400", Language::kFr) ==
        "Les données sont supprimées au plus tard 1 jour après leur "
        "réception.");
  CHECK(Text(DutyKind::kDeleteAfter, "3600", Language::kEn) ==
        "The data is deleted within 1 hour of receipt.");
  CHECK(Text(DutyKind::kDeleteAfter, "7200", Language::kFr) ==
        "Les données sont supprimées au plus tard 2 heures après leur "
        "réception.");
  CHECK(Text(DutyKind::kDeleteAfter, "60", Language::kFr) ==
        "Les données sont supprimées au plus tard 1 minute après leur "
        "réception.");
  CHECK(Text(DutyKind::kDeleteAfter, "5400", Language::kEn) ==
        "The data is deleted within 90 minutes of receipt.");
  CHECK(Text(DutyKind::kDeleteAfter, "45", Language::kEn) ==
        "The data is deleted within 45 seconds of receipt.");
  for (const char* bad : {"", "0", "-5", "30d", " 60", "060", "1e3",
                          "99999999999999999999"}) {
    CAPTURE(bad);
    CHECK(Code(DutyKind::kDeleteAfter, bad) ==
          absl::StatusCode::kInvalidArgument);
  }
  absl::Status s = DutyText(Duty{DutyKind::kDeleteAfter, "x"}, Language::kEn)
                       .status();
  CHECK(absl::StrContains(s.message(), "delete_after"));
}

TEST_CASE("duty text: aggregate_min_k in words, with or without a unit", "[duty_text]") {
  CHECK(Text(DutyKind::kAggregateMinK, "10", Language::kFr,
             {.aggregate_unit = "personnes"}) ==
        "Les résultats ne sont publiés que sous forme d'agrégats d'au moins "
        "10 personnes.");
  CHECK(Text(DutyKind::kAggregateMinK, "10", Language::kEn,
             {.aggregate_unit = "households"}) ==
        "Results are published only as aggregates of at least 10 "
        "households.");
  // Without a unit: words true of any dataset.
  CHECK(Text(DutyKind::kAggregateMinK, "10", Language::kFr) ==
        "Les résultats ne sont publiés que sous forme d'agrégats d'au moins "
        "10 personnes ou entités distinctes.");
  CHECK(Text(DutyKind::kAggregateMinK, "2", Language::kEn) ==
        "Results are published only as aggregates of at least 2 distinct "
        "people or entities.");
  for (const char* bad : {"", "1", "0", "-10", "ten", "10.5"}) {
    CAPTURE(bad);
    CHECK(Code(DutyKind::kAggregateMinK, bad) ==
          absl::StatusCode::kInvalidArgument);
  }
  CHECK(Code(DutyKind::kAggregateMinK, "10", Language::kFr,
             {.aggregate_unit = "foyers\n"}) ==
        absl::StatusCode::kInvalidArgument);
  CHECK(Code(DutyKind::kAggregateMinK, "10", Language::kFr,
             {.aggregate_unit = std::string(65, 'x')}) ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("duty text: attribute quotes the mention", "[duty_text]") {
  CHECK(Text(DutyKind::kAttribute, "Source: Rennes Métropole", Language::kFr) ==
        "Toute utilisation des données doit citer la mention "
        "«\u00a0Source: Rennes Métropole\u00a0».");
  CHECK(Text(DutyKind::kAttribute, "Source: Rennes Métropole", Language::kEn) ==
        "Any use of the data must show the mention \u201cSource: Rennes "
        "Métropole\u201d.");
  CHECK(Code(DutyKind::kAttribute, "") == absl::StatusCode::kInvalidArgument);
  CHECK(Code(DutyKind::kAttribute, std::string(501, 'a')) ==
        absl::StatusCode::kInvalidArgument);
  CHECK(Code(DutyKind::kAttribute, "a\nb") ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("duty text: no_onward_transfer and notify_producer", "[duty_text]") {
  CHECK(Text(DutyKind::kNoOnwardTransfer, "", Language::kFr) ==
        "Les données ne sont transmises à personne d'autre.");
  CHECK(Text(DutyKind::kNoOnwardTransfer, "", Language::kEn) ==
        "The data is not passed on to anyone else.");
  CHECK(Text(DutyKind::kNotifyProducer, "", Language::kFr) ==
        "Le producteur des données est informé de leur utilisation.");
  CHECK(Text(DutyKind::kNotifyProducer, "", Language::kEn) ==
        "The producer of the data is informed of its use.");
  CHECK(Code(DutyKind::kNoOnwardTransfer, "true") ==
        absl::StatusCode::kInvalidArgument);
  CHECK(Code(DutyKind::kNotifyProducer, "x") ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("duty text: duties by their stable names", "[duty_text]") {
  CHECK(DutyText("delete_after", "2592000", Language::kEn).value() ==
        "The data is deleted within 30 days of receipt.");
  CHECK(DutyText("no_onward_transfer", "", Language::kFr).value() ==
        "Les données ne sont transmises à personne d'autre.");
  absl::Status unknown = DutyText("share_alike", "", Language::kFr).status();
  CHECK(unknown.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(unknown.message(), "share_alike"));
  CHECK(DutyText("", "", Language::kEn).status().code() ==
        absl::StatusCode::kInvalidArgument);
  // Every kind has a non-empty sentence in every language.
  for (DutyKind kind : {DutyKind::kDeleteAfter, DutyKind::kAggregateMinK,
                        DutyKind::kAttribute, DutyKind::kNoOnwardTransfer,
                        DutyKind::kNotifyProducer}) {
    const std::string value = kind == DutyKind::kDeleteAfter     ? "60"
                              : kind == DutyKind::kAggregateMinK ? "5"
                              : kind == DutyKind::kAttribute     ? "Source"
                                                                 : "";
    for (Language l : kLanguages) {
      absl::StatusOr<std::string> t = DutyText(Duty{kind, value}, l);
      REQUIRE(t.ok());
      CHECK(absl::EndsWith(*t, "."));
    }
  }
}

}  // namespace
}  // namespace accord::policy
