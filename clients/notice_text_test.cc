#include "clients/notice_text.h"

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "broker/crypto/sha256.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using policy::Language;

v1::ConsentRequest Draft() {
  v1::ConsentRequest r;
  r.set_id("r-1");
  r.set_partner("partner-demo");
  r.set_state(v1::CONSENT_REQUEST_STATE_DRAFT);
  v1::ConsentRequestSpec* s = r.mutable_proposed();
  s->set_dataset_id("rennes.energy.household-consumption");
  s->set_purpose("public-benefit.energy");
  s->add_fields("day");
  s->add_fields("kwh");
  s->set_consent_duration_seconds(180 * 86400);
  v1::Duty* d = s->add_duties();
  d->set_kind("delete_after");
  d->set_value("2592000");
  s->mutable_title()->set_fr("Étude des économies d'énergie");
  s->mutable_title()->set_en("Household energy savings");
  s->mutable_description()->set_fr("Le projet");
  s->mutable_public_benefit()->set_fr("L'intérêt");
  v1::Responsible* resp = s->mutable_responsible();
  resp->set_organisation("Université de Rennes");
  resp->set_name("Délégué à la protection des données");
  resp->set_role("dpo");
  resp->set_email("dpo@univ-rennes.example");
  s->set_opens_at(1777636800);
  s->set_closes_at(1777636800 + 90 * 86400);
  return r;
}

TEST_CASE("notice text: a draft in French words, from its spec") {
  std::string text = NoticeText(Draft(), Language::kFr);
  INFO(text);
  CHECK(absl::StartsWith(text, "Demande r-1, version 0 (brouillon)\n"));
  CHECK(absl::StrContains(text, "Titre : Étude des économies d'énergie\n"));
  CHECK(absl::StrContains(text, "Demandeur : partner-demo — Université"));
  CHECK(absl::StrContains(
      text, "Finalité : Transition énergétique et économies d'énergie "
            "(public-benefit.energy)\n"));
  CHECK(absl::StrContains(text, "  - day\n  - kwh\n"));
  CHECK(absl::StrContains(text, "Durée du consentement : pendant 180 jours\n"));
  CHECK(absl::StrContains(text, "  - Les données sont supprimées au plus tard "
                                "30 jours"));
  CHECK(absl::StrContains(text, "Responsable : Délégué à la protection des "
                                "données (dpo), Université de Rennes, "
                                "dpo@univ-rennes.example\n"));
  CHECK(absl::StrContains(text, "Période : du 2026-05-01T12:00:00Z au "
                                "2026-07-30T12:00:00Z\n"));
  CHECK_FALSE(absl::StrContains(text, "Empreinte"));
}

TEST_CASE("notice text: English, with French where English is missing") {
  std::string text = NoticeText(Draft(), Language::kEn);
  INFO(text);
  CHECK(absl::StartsWith(text, "Request r-1, version 0 (draft)\n"));
  CHECK(absl::StrContains(text, "Title: Household energy savings\n"));
  CHECK(absl::StrContains(text, "Project: Le projet\n"));
  CHECK(absl::StrContains(text, "Purpose: Energy transition and efficiency"));
  CHECK(absl::StrContains(text, "Consent lasts: for 180 days\n"));
  CHECK(absl::StrContains(text, "  - The data is deleted within 30 days"));
}

TEST_CASE("notice text: the broker's notice comes first") {
  v1::ConsentRequest r = Draft();
  r.set_state(v1::CONSENT_REQUEST_STATE_OPEN);
  r.set_version(2);
  *r.mutable_current() = r.proposed();
  r.clear_proposed();
  r.set_notice(
      R"({"dataset":{"fields":[{"description":{"fr":"Le jour de la mesure"},)"
      R"("id":"day"},{"description":{"en":"Energy","fr":"L'énergie"},)"
      R"("id":"kwh"}]},"duration":{"en":"for 6 months","fr":"pendant 6 mois",)"
      R"("seconds":15552000},"project":{"title":{"fr":"Titre de la notice"}}})");
  r.set_notice_hash(crypto::ToHex(crypto::Sha256(r.notice())));
  std::string fr = NoticeText(r, Language::kFr);
  INFO(fr);
  CHECK(absl::StartsWith(fr, "Demande r-1, version 2 (ouverte)\n"));
  CHECK(absl::StrContains(fr, "Titre : Titre de la notice\n"));
  CHECK(absl::StrContains(fr, "  - day : Le jour de la mesure\n"));
  CHECK(absl::StrContains(fr, "Durée du consentement : pendant 6 mois\n"));
  CHECK(absl::StrContains(fr, "Empreinte de la notice : " + r.notice_hash()));
  std::string en = NoticeText(r, Language::kEn);
  CHECK(absl::StrContains(en, "  - day: Le jour de la mesure\n"));
  CHECK(absl::StrContains(en, "  - kwh: Energy\n"));
  CHECK(absl::StrContains(en, "Title: Titre de la notice\n"));

  CHECK(NoticeHash(r).value() == r.notice_hash());
  r.set_notice_hash(std::string(64, '0'));
  CHECK(NoticeHash(r).status().code() == absl::StatusCode::kDataLoss);
  CHECK(NoticeHash(Draft()).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace accord::client
