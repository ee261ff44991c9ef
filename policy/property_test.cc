// Properties of Decide over random policies and requests: evaluation is
// deterministic, independent of rule order for what is granted, and adding
// a prohibition never widens what is allowed. Every random policy exports
// to ODRL, and every duty a decision grants reads in words.

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "policy/compiled.h"
#include "policy/decide.h"
#include "policy/duty_text.h"
#include "policy/language.h"
#include "policy/odrl_export.h"
#include "policy/test_fixtures.h"

namespace accord::policy {
namespace {

using Strings = std::vector<std::string>;

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}

  bool Coin(int percent) { return static_cast<int>(Int(100)) < percent; }
  size_t Int(size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }
  const std::string& Pick(const Strings& v) { return v[Int(v.size())]; }
  Strings Subset(const Strings& v, int percent) {
    Strings out;
    for (const std::string& s : v) {
      if (Coin(percent)) out.push_back(s);
    }
    return out;
  }

  Rule RandomRule(int i, Effect effect, const DatasetInfo& dataset) {
    const Directory dir = testing::DemoDirectory();
    Strings principals;
    for (const auto& [id, c] : dir.principal_categories)
      principals.push_back(id);
    Rule r;
    r.id = absl::StrCat("r", i);
    r.effect = effect;
    r.any_assignee = Coin(25);
    if (!r.any_assignee) {
      r.principals = Subset(principals, 25);
      r.categories = Subset(dir.categories, 30);
      if (r.principals.empty() && r.categories.empty()) r.any_assignee = true;
    }
    r.any_purpose = Coin(20);
    if (!r.any_purpose) {
      r.purposes = Subset(Purposes(), 15);
      if (r.purposes.empty()) r.purposes = {Pick(Purposes())};
      std::sort(r.purposes.begin(), r.purposes.end());
    }
    if (Coin(60)) r.fields = Subset(dataset.fields, 50);
    std::sort(r.fields.begin(), r.fields.end());
    if (Coin(20)) r.not_before = 1748779200 + static_cast<int64_t>(Int(3)) - 1;
    if (Coin(20)) r.not_after = 1748779200 + static_cast<int64_t>(Int(3)) - 1;
    if (Coin(15)) r.locations = {Coin(50) ? "eu" : "fr"};
    if (effect == Effect::kPermit) {
      if (Coin(30)) r.max_lifetime_seconds = 30 + Int(600);
      if (dataset.classification == Classification::kPersonal && Coin(30)) {
        r.max_subjects = 1 + Int(6);
      }
      if (Coin(30))
        r.duties.push_back(
            {DutyKind::kDeleteAfter, absl::StrCat(1 + Int(100))});
      if (Coin(30))
        r.duties.push_back({DutyKind::kAttribute, Coin(50) ? "A" : "B"});
    }
    return r;
  }

  Policy RandomPolicy(const DatasetInfo& dataset) {
    Policy p;
    p.dataset = dataset.id;
    if (dataset.classification == Classification::kPersonal) {
      const LegalBasis bases[] = {LegalBasis::kConsent, LegalBasis::kPublicTask,
                                  LegalBasis::kLegitimateInterestOptOut};
      p.legal_basis = bases[Int(3)];
    }
    const size_t n = Int(8);
    for (size_t i = 0; i < n; ++i) {
      p.rules.push_back(
          RandomRule(static_cast<int>(i),
                     Coin(75) ? Effect::kPermit : Effect::kProhibit, dataset));
    }
    return p;
  }

  std::vector<ConsentView> RandomConsents() {
    std::vector<ConsentView> out;
    const size_t n = Int(12);
    for (size_t i = 0; i < n; ++i) {
      ConsentView c;
      c.id = ids_[i];
      c.subject = Pick(Subjects());
      c.purpose =
          Coin(10) ? absl::string_view() : absl::string_view(Pick(Purposes()));
      c.recipient_partner = Coin(50) ? "partner-demo" : "";
      c.recipient_category = Coin(50) ? "academic" : "";
      c.live = Coin(85);
      c.expires_at =
          Coin(20) ? 1748779200 + static_cast<int64_t>(Int(3)) - 1 : 0;
      c.objection = Coin(30);
      out.push_back(c);
    }
    return out;
  }

  static const Strings& Purposes() {
    static const Strings* p = new Strings(testing::DefaultTaxonomy().Ids());
    return *p;
  }
  static const Strings& Subjects() {
    static const Strings* s = new Strings{"s1", "s2", "s3", "s4", "s5"};
    return *s;
  }

 private:
  std::mt19937 rng_;
  const Strings ids_ = {"c0", "c1", "c2", "c3", "c4",  "c5",
                        "c6", "c7", "c8", "c9", "c10", "c11"};
};

struct Ask {
  std::string partner, category, purpose, location;
  Strings fields, subjects;
  uint32_t lifetime = 0;
  Request ToRequest() const {
    Request r;
    r.partner = partner;
    r.partner_category = category;
    r.purpose = purpose;
    r.fields = fields;
    r.subjects = subjects;
    r.lifetime_seconds = lifetime;
    r.location = location;
    return r;
  }
};

Ask RandomAsk(Gen& g, const DatasetInfo& dataset) {
  const Directory dir = testing::DemoDirectory();
  Ask a;
  auto it = dir.principal_categories.begin();
  std::advance(it, g.Int(dir.principal_categories.size()));
  a.partner = it->first;
  a.category = it->second;
  a.purpose = g.Pick(Gen::Purposes());
  a.location = g.Coin(80) ? "eu" : "fr";
  if (g.Coin(50)) a.fields = g.Subset(dataset.fields, 40);
  if (dataset.classification == Classification::kPersonal && g.Coin(80)) {
    a.subjects = g.Subset(Gen::Subjects(), 60);
  }
  a.lifetime = g.Coin(50) ? 0 : static_cast<uint32_t>(g.Int(1000));
  return a;
}

bool Same(const Decision& a, const Decision& b) {
  auto reasons = [](const Decision& d) {
    Strings out;
    for (const Reason& r : d.reasons) {
      out.push_back(absl::StrCat(r.rule_id, "|", r.code, "|", r.message));
    }
    return out;
  };
  auto quotas = [](const Decision& d) {
    Strings out;
    for (const QuotaCheck& q : d.quotas) {
      out.push_back(absl::StrCat(q.rule_id, q.count, "/", q.period_seconds));
    }
    return out;
  };
  return a.outcome == b.outcome && reasons(a) == reasons(b) &&
         a.fields == b.fields && a.subjects == b.subjects &&
         a.lifetime_seconds == b.lifetime_seconds && a.duties == b.duties &&
         a.consent_ids == b.consent_ids && quotas(a) == quotas(b) &&
         a.subjects_without_consent == b.subjects_without_consent;
}

bool Subset(const Strings& small, const Strings& big) {
  for (const std::string& s : small) {
    if (std::find(big.begin(), big.end(), s) == big.end()) return false;
  }
  return true;
}

const absl::Time kNow = absl::FromUnixSeconds(1748779200);

TEST_CASE("evaluation is deterministic and prohibitions never widen",
          "[property]") {
  const DatasetInfo datasets[] = {testing::AirQuality(), testing::Household()};
  int permits = 0, denies = 0, narrowed_by_prohibition = 0;
  for (uint32_t seed = 1; seed <= 400; ++seed) {
    Gen g(seed);
    const DatasetInfo& dataset = datasets[seed % 2];
    const Policy policy = g.RandomPolicy(dataset);
    absl::StatusOr<CompiledPolicy> compiled = Compile(
        policy, dataset, testing::DefaultTaxonomy(), testing::DemoDirectory());
    REQUIRE(compiled.ok());

    Policy stricter = policy;
    const size_t at = g.Int(stricter.rules.size() + 1);
    Rule prohibition = g.RandomRule(99, Effect::kProhibit, dataset);
    stricter.rules.insert(stricter.rules.begin() + at, prohibition);
    absl::StatusOr<CompiledPolicy> strict =
        Compile(stricter, dataset, testing::DefaultTaxonomy(),
                testing::DemoDirectory());
    REQUIRE(strict.ok());

    Policy reversed = policy;
    std::reverse(reversed.rules.begin(), reversed.rules.end());
    absl::StatusOr<CompiledPolicy> backwards =
        Compile(reversed, dataset, testing::DefaultTaxonomy(),
                testing::DemoDirectory());
    REQUIRE(backwards.ok());

    const std::vector<ConsentView> consents = g.RandomConsents();
    Decision reused;
    for (int i = 0; i < 25; ++i) {
      const Ask ask = RandomAsk(g, dataset);
      const Request request = ask.ToRequest();
      CAPTURE(seed, i);
      const Decision first = Decide(request, *compiled, consents, kNow);
      const Decision again = Decide(request, *compiled, consents, kNow);
      Decide(request, *compiled, consents, kNow, &reused);
      CHECK(Same(first, again));
      CHECK(Same(first, reused));
      (first.outcome == Outcome::kPermit ? permits : denies)++;

      const Decision other = Decide(request, *backwards, consents, kNow);
      CHECK(other.outcome == first.outcome);
      CHECK(other.fields == first.fields);
      CHECK(other.subjects == first.subjects);
      CHECK(other.lifetime_seconds == first.lifetime_seconds);
      CHECK(other.duties == first.duties);

      const Decision after = Decide(request, *strict, consents, kNow);
      if (after.outcome == Outcome::kPermit) {
        CHECK(first.outcome == Outcome::kPermit);
        CHECK(Subset(after.fields, first.fields));
        CHECK(Subset(after.subjects, first.subjects));
        CHECK(after.lifetime_seconds <= first.lifetime_seconds);
        if (after.fields != first.fields) ++narrowed_by_prohibition;
      }
      // A PERSONAL permit always names someone; a deny grants nothing.
      if (first.outcome == Outcome::kPermit) {
        CHECK_FALSE(first.fields.empty());
        if (dataset.classification == Classification::kPersonal) {
          CHECK_FALSE(first.subjects.empty());
        }
      } else {
        CHECK(first.fields.empty());
        CHECK(first.subjects.empty());
      }
    }
  }
  // The generator reaches both outcomes and field-scoped prohibitions.
  CHECK(permits > 100);
  CHECK(denies > 100);
  CHECK(narrowed_by_prohibition > 0);
}

TEST_CASE(
    "every random policy exports to ODRL and its granted duties read "
    "in words",
    "[property]") {
  const DatasetInfo datasets[] = {testing::AirQuality(), testing::Household()};
  int rendered = 0;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    Gen g(seed);
    const DatasetInfo& dataset = datasets[seed % 2];
    Policy policy = g.RandomPolicy(dataset);
    // Every duty kind, beyond the generator's two.
    for (Rule& r : policy.rules) {
      if (r.effect != Effect::kPermit) continue;
      if (g.Coin(40)) {
        r.duties.push_back(
            {DutyKind::kAggregateMinK, absl::StrCat(2 + g.Int(50))});
      }
      if (g.Coin(40)) r.duties.push_back({DutyKind::kNoOnwardTransfer, ""});
      if (g.Coin(40)) r.duties.push_back({DutyKind::kNotifyProducer, ""});
    }
    CAPTURE(seed);
    absl::StatusOr<std::string> odrl = ExportOdrl(
        policy, dataset, "producer-demo", testing::DefaultTaxonomy());
    INFO(odrl.status().message());
    REQUIRE(odrl.ok());
    CHECK(*odrl == *ExportOdrl(policy, dataset, "producer-demo",
                               testing::DefaultTaxonomy()));

    absl::StatusOr<CompiledPolicy> compiled = Compile(
        policy, dataset, testing::DefaultTaxonomy(), testing::DemoDirectory());
    REQUIRE(compiled.ok());
    const std::vector<ConsentView> consents = g.RandomConsents();
    for (int i = 0; i < 10; ++i) {
      const Decision d =
          Decide(RandomAsk(g, dataset).ToRequest(), *compiled, consents, kNow);
      for (const Duty& duty : d.duties) {
        for (Language l : kLanguages) {
          absl::StatusOr<std::string> text = DutyText(duty, l);
          CAPTURE(DutyKindName(duty.kind), duty.value);
          INFO(text.status().message());
          CHECK((text.ok() && !text->empty()));
          ++rendered;
        }
      }
    }
  }
  CHECK(rendered > 100);
}

}  // namespace
}  // namespace accord::policy
