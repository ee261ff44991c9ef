#include "broker/service/demo_requests.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/crypto/random.h"
#include "broker/dev/dev_layout.h"
#include "broker/service/audit_events.h"
#include "broker/service/notice.h"
#include "broker/service/policy_registry.h"
#include "broker/service/request_state.h"
#include "broker/store/store.h"

namespace accord::service {
namespace {

constexpr char kDataset[] = "rennes.energy.household-consumption";
constexpr char kLab[] = "lab-energy-demo";
constexpr int64_t kYear = 365 * 86400;

void SetText(accord::v1::LocalizedText* t, const char* fr, const char* en) {
  t->set_fr(fr);
  t->set_en(en);
}

// The duties the demo policy imposes on both requests.
void AddPolicyDuties(accord::v1::ConsentRequestSpec& spec) {
  const std::pair<const char*, const char*> duties[] = {
      {"delete_after", "2592000"},
      {"aggregate_min_k", "10"},
      {"no_onward_transfer", ""}};
  for (const auto& [kind, value] : duties) {
    accord::v1::Duty* d = spec.add_duties();
    d->set_kind(kind);
    d->set_value(value);
  }
}

accord::v1::ConsentRequestSpec EnergyPovertyStudy(int64_t now) {
  accord::v1::ConsentRequestSpec spec;
  spec.set_dataset_id(kDataset);
  spec.set_purpose("public-benefit.energy");
  for (const char* f : {"subject", "day", "kwh", "district"}) {
    spec.add_fields(f);
  }
  spec.set_consent_duration_seconds(180 * 86400);
  AddPolicyDuties(spec);
  SetText(spec.mutable_title(), "Étude sur la précarité énergétique à Rennes",
          "Study of energy poverty in Rennes");
  SetText(spec.mutable_description(),
          "Nous cherchons à repérer les quartiers où des foyers se privent "
          "de chauffage ou consomment très peu en hiver, pour mieux cibler "
          "les aides à la rénovation et au paiement des factures. Nous "
          "utilisons votre consommation quotidienne d'électricité et votre "
          "quartier, jamais votre nom ni votre adresse.",
          "We want to find the districts where households go without "
          "heating or use very little energy in winter, to better target "
          "help with renovation and bills. We use your daily electricity "
          "use and your district, never your name or address.");
  SetText(spec.mutable_public_benefit(),
          "Des aides mieux ciblées pour les foyers en difficulté et un plan "
          "de rénovation des logements fondé sur des chiffres réels.",
          "Better targeted help for households in difficulty and a housing "
          "renovation plan based on real figures.");
  accord::v1::Responsible* r = spec.mutable_responsible();
  r->set_organisation("Observatoire de l'énergie de Rennes (démonstration)");
  r->set_name("Délégué à la protection des données");
  r->set_role("dpo");
  r->set_email("dpo@energie.rennes.example");
  spec.set_opens_at(now);
  spec.set_closes_at(now + kYear);
  return spec;
}

accord::v1::ConsentRequestSpec LabResearch(int64_t now) {
  accord::v1::ConsentRequestSpec spec;
  spec.set_dataset_id(kDataset);
  spec.set_purpose("research-and-development.academic-research");
  for (const char* f : {"subject", "day", "kwh"}) spec.add_fields(f);
  spec.set_consent_duration_seconds(kYear);
  AddPolicyDuties(spec);
  SetText(spec.mutable_title(),
          "Recherche : comment les foyers réagissent aux vagues de froid",
          "Research: how households respond to cold spells");
  SetText(spec.mutable_description(),
          "Un laboratoire universitaire étudie comment la consommation "
          "d'électricité des foyers change pendant les vagues de froid, "
          "pour prévoir les pics de demande sur le réseau. Les résultats "
          "sont publiés dans des revues scientifiques, uniquement sous "
          "forme de moyennes.",
          "A university lab studies how households' electricity use changes "
          "during cold spells, to forecast peaks of demand on the grid. "
          "Results are published in scientific journals, as averages only.");
  SetText(spec.mutable_public_benefit(),
          "Un réseau électrique mieux préparé aux hivers rigoureux, et des "
          "connaissances publiées en accès libre.",
          "A grid better prepared for harsh winters, and findings published "
          "in open access.");
  accord::v1::Responsible* r = spec.mutable_responsible();
  r->set_organisation("Laboratoire de recherche sur l'énergie (démonstration)");
  r->set_name("Responsable du projet");
  r->set_role("project-lead");
  r->set_email("projet@labo.rennes.example");
  spec.set_opens_at(now);
  spec.set_closes_at(now + kYear);
  return spec;
}

absl::Status Commit(const Env& env, store::WriteSet ws) {
  auto committed = env.store->CommitAndWait(std::move(ws));
  return committed.ok() ? absl::OkStatus() : committed.status();
}

}  // namespace

accord::v1::Principal DemoLabPartner() {
  accord::v1::Principal p;
  p.set_id(kLab);
  p.set_role(accord::v1::ROLE_PARTNER);
  p.set_category("academic");
  p.set_certificate_uri(absl::StrCat(dev::kPrincipalUriPrefix, kLab));
  return p;
}

std::vector<DemoRequest> DemoRequests(int64_t now) {
  return {{dev::kPartner, EnergyPovertyStudy(now)}, {kLab, LabResearch(now)}};
}

absl::Status SeedDemoRequests(const Env& env, int64_t now) {
  auto existing = env.store->ListConsentRequests("", 1);
  if (!existing.ok()) return existing.status();
  if (!existing->records.empty()) return absl::OkStatus();
  const accord::v1::Principal lab = DemoLabPartner();
  if (absl::IsNotFound(env.store->GetPrincipal(lab.id()).status())) {
    store::WriteSet ws;
    ws.PutPrincipal(lab);
    ws.AddAuditEvent(PrincipalEvent("dev-mode", lab.id(), "put", now));
    if (absl::Status s = Commit(env, std::move(ws)); !s.ok()) return s;
    env.policies->InvalidateDirectory();
  }
  auto policy = env.policies->Current(kDataset);
  if (!policy.ok()) return policy.status();
  for (DemoRequest& demo : DemoRequests(now)) {
    accord::v1::ConsentRequest r;
    r.set_id(crypto::RandomId());
    r.set_partner(std::string(demo.partner));
    r.set_producer((*policy)->dataset.producer());
    r.set_oldest_honoured_version(1);
    *r.mutable_proposed() = demo.spec;
    store::WriteSet ws;
    Transition(r, accord::v1::CONSENT_REQUEST_STATE_DRAFT, r.partner(), "", 1,
               now, ws);
    Transition(r, accord::v1::CONSENT_REQUEST_STATE_PENDING_APPROVAL,
               r.partner(), "", 1, now, ws);
    NoticeSource source;
    source.request = &r;
    source.spec = &demo.spec;
    source.version = 1;
    source.partner_category = "academic";
    source.dataset = &(*policy)->dataset;
    source.policy = (*policy)->ref;
    source.taxonomy = &env.policies->taxonomy();
    auto notice = BuildNotice(source);
    if (!notice.ok()) return notice.status();
    *r.mutable_current() = std::move(demo.spec);
    r.clear_proposed();
    r.set_version(1);
    r.set_notice(std::move(notice->json));
    r.set_notice_hash(std::move(notice->hash));
    Transition(r, accord::v1::CONSENT_REQUEST_STATE_OPEN, r.producer(),
               "dev mode", 1, now, ws);
    ws.PutConsentRequest(std::move(r));
    if (absl::Status s = Commit(env, std::move(ws)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace accord::service
