#include "policy/decide.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "policy/test_fixtures.h"

namespace accord::policy {
namespace {

using Strings = std::vector<std::string>;

const absl::Time kNow = absl::FromUnixSeconds(1748779200);  // 2025-06-01

struct Ask {
  std::string partner = "partner-demo";
  std::string category = "academic";
  std::string purpose = "public-benefit";
  Strings fields = {};
  Strings subjects = {};
  uint32_t lifetime = 0;
  std::string location = "eu";
  absl::Time now = kNow;
};

struct Want {
  Outcome outcome;
  Strings fields = {};    // checked when non-empty (or on DENY: empty)
  Strings subjects = {};  // checked when non-empty
  uint32_t lifetime = 0;  // checked when non-zero
  Strings codes = {};     // each must appear among the reasons
};

struct Case {
  const char* name;
  DatasetInfo dataset;
  std::string policy;
  Ask ask;
  Want want;
};

Strings Codes(const Decision& d) {
  Strings codes;
  for (const Reason& r : d.reasons) codes.push_back(r.code);
  return codes;
}

Decision Run(const CompiledPolicy& p, const Ask& a,
             absl::Span<const ConsentView> consents = {}) {
  Request r;
  r.partner = a.partner;
  r.partner_category = a.category;
  r.purpose = a.purpose;
  r.fields = a.fields;
  r.subjects = a.subjects;
  r.lifetime_seconds = a.lifetime;
  r.location = a.location;
  return Decide(r, p, consents, a.now);
}

void Check(const Case& c, absl::Span<const ConsentView> consents = {}) {
  absl::StatusOr<CompiledPolicy> p = testing::CompileDemo(c.policy, c.dataset);
  REQUIRE(p.ok());
  const Decision d = Run(*p, c.ask, consents);
  const Strings codes = Codes(d);
  CAPTURE(c.name, absl::StrJoin(codes, ","), absl::StrJoin(d.fields, ","),
          absl::StrJoin(d.subjects, ","));
  CHECK(d.outcome == c.want.outcome);
  if (c.want.outcome == Outcome::kDeny) {
    CHECK(d.fields.empty());
    CHECK(d.subjects.empty());
    CHECK(d.duties.empty());
    CHECK(d.consent_ids.empty());
    CHECK(d.quotas.empty());
    CHECK(d.lifetime_seconds == 0);
  }
  if (!c.want.fields.empty()) CHECK(d.fields == c.want.fields);
  if (!c.want.subjects.empty()) CHECK(d.subjects == c.want.subjects);
  if (c.want.lifetime != 0) CHECK(d.lifetime_seconds == c.want.lifetime);
  for (const std::string& code : c.want.codes) {
    CAPTURE(code);
    CHECK(std::find(codes.begin(), codes.end(), code) != codes.end());
  }
  // One reason per rule, in policy order, before request-level reasons,
  // unless the request itself names unknown things.
  if (codes.size() == 1 &&
      (codes[0] == "unknown_purpose" || codes[0] == "unknown_field")) {
    return;
  }
  for (size_t i = 0; i < p->rules().size(); ++i) {
    REQUIRE(i < d.reasons.size());
    CHECK(d.reasons[i].rule_id == p->rules()[i].id);
  }
}

std::string Rule1(absl::string_view body) {
  return absl::StrCat("rules:\n  - id: r1\n    effect: permit\n", body);
}

TEST_CASE("each constraint of a permit rule", "[decide]") {
  const DatasetInfo aq = testing::AirQuality();
  const std::string any = "    assignees: any\n    purposes: any\n";
  const std::string window = any +
                             "    not_before: 2025-01-01T00:00:00Z\n"
                             "    not_after: 2025-12-31T23:59:59Z\n";
  const Case cases[] = {
      // Assignees.
      {"principal listed",
       aq,
       Rule1(
           "    assignees: {principals: [partner-demo]}\n    purposes: any\n"),
       {.category = "company"},
       {Outcome::kPermit, {}, {}, 0, {"rule_permitted"}}},
      {"category listed",
       aq,
       Rule1("    assignees: {categories: [academic]}\n    purposes: any\n"),
       {.partner = "someone-else"},
       {Outcome::kPermit}},
      {"neither listed",
       aq,
       Rule1("    assignees: {principals: [univ-rennes], categories: "
             "[company]}\n    purposes: any\n"),
       {},
       {Outcome::kDeny, {}, {}, 0, {"assignee_mismatch", "no_rule_matched"}}},
      {"empty category matches no category",
       aq,
       Rule1("    assignees: {categories: [company]}\n    purposes: any\n"),
       {.partner = "loner", .category = ""},
       {Outcome::kDeny, {}, {}, 0, {"assignee_mismatch"}}},
      // Purposes.
      {"purpose below an allowed one",
       aq,
       Rule1("    assignees: any\n    purposes: [public-benefit]\n"),
       {.purpose = "public-benefit.air-quality"},
       {Outcome::kPermit}},
      {"purpose above an allowed one",
       aq,
       Rule1(
           "    assignees: any\n    purposes: [public-benefit.air-quality]\n"),
       {.purpose = "public-benefit"},
       {Outcome::kDeny, {}, {}, 0, {"purpose_not_allowed"}}},
      {"sibling purpose",
       aq,
       Rule1(
           "    assignees: any\n    purposes: [public-benefit.air-quality]\n"),
       {.purpose = "public-benefit.energy"},
       {Outcome::kDeny, {}, {}, 0, {"purpose_not_allowed"}}},
      {"unknown purpose",
       aq,
       Rule1(any),
       {.purpose = "reserch"},
       {Outcome::kDeny, {}, {}, 0, {"unknown_purpose"}}},
      {"empty purpose",
       aq,
       Rule1(any),
       {.purpose = ""},
       {Outcome::kDeny, {}, {}, 0, {"unknown_purpose"}}},
      // Time window (inclusive bounds).
      {"inside the window", aq, Rule1(window), {}, {Outcome::kPermit}},
      {"at the first second",
       aq,
       Rule1(window),
       {.now = absl::FromUnixSeconds(1735689600)},
       {Outcome::kPermit}},
      {"one second before",
       aq,
       Rule1(window),
       {.now = absl::FromUnixSeconds(1735689599)},
       {Outcome::kDeny, {}, {}, 0, {"outside_time_window"}}},
      {"at the last second",
       aq,
       Rule1(window),
       {.now = absl::FromUnixSeconds(1767225599)},
       {Outcome::kPermit}},
      {"after the window",
       aq,
       Rule1(window),
       {.now = absl::FromUnixSeconds(1767225600)},
       {Outcome::kDeny, {}, {}, 0, {"outside_time_window"}}},
      // Location.
      {"default location eu",
       aq,
       Rule1(any + "    locations: [eu]\n"),
       {},
       {Outcome::kPermit}},
      {"location not listed",
       aq,
       Rule1(any + "    locations: [fr]\n"),
       {},
       {Outcome::kDeny, {}, {}, 0, {"location_not_allowed"}}},
      {"declared location listed",
       aq,
       Rule1(any + "    locations: [fr]\n"),
       {.location = "fr"},
       {Outcome::kPermit}},
      // Fields.
      {"all fields by default",
       aq,
       Rule1(any),
       {},
       {Outcome::kPermit, aq.fields}},
      {"projection narrows an empty request",
       aq,
       Rule1(any + "    fields: [no2, pm25]\n"),
       {},
       {Outcome::kPermit, {"pm25", "no2"}}},
      {"projection narrows an explicit request",
       aq,
       Rule1(any + "    fields: [no2, pm25]\n"),
       {.fields = {"pm25", "lat", "no2"}},
       {Outcome::kPermit, {"pm25", "no2"}, {}, 0, {"fields_narrowed"}}},
      {"no requested field allowed",
       aq,
       Rule1(any + "    fields: [no2]\n"),
       {.fields = {"lat"}},
       {Outcome::kDeny, {}, {}, 0, {"field_not_allowed"}}},
      {"unknown requested field",
       aq,
       Rule1(any),
       {.fields = {"lat", "owner"}},
       {Outcome::kDeny, {}, {}, 0, {"unknown_field"}}},
      // Lifetime.
      {"default lifetime is the maximum",
       aq,
       Rule1(any),
       {},
       {Outcome::kPermit, {}, {}, 300}},
      {"shorter lifetime kept",
       aq,
       Rule1(any),
       {.lifetime = 60},
       {Outcome::kPermit, {}, {}, 60}},
      {"longer lifetime narrowed to the policy",
       aq,
       Rule1(any),
       {.lifetime = 3600},
       {Outcome::kPermit, {}, {}, 300, {"lifetime_narrowed"}}},
      {"longer lifetime narrowed to the rule",
       aq,
       Rule1(any + "    max_lifetime: 1m\n"),
       {.lifetime = 120},
       {Outcome::kPermit, {}, {}, 60, {"lifetime_narrowed"}}},
      {"policy maximum raised",
       aq,
       "max_lifetime: 1h\n" + Rule1(any),
       {.lifetime = 1800},
       {Outcome::kPermit, {}, {}, 1800}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) { Check(c); }
  }
}

TEST_CASE("quota is handed to the caller", "[decide]") {
  absl::StatusOr<CompiledPolicy> p =
      testing::CompileDemo(Rule1("    assignees: any\n    purposes: any\n"
                                 "    quota: {grants: 10, per: 1h}\n"),
                           testing::AirQuality());
  REQUIRE(p.ok());
  const Decision d = Run(*p, {});
  REQUIRE(d.outcome == Outcome::kPermit);
  REQUIRE(d.quotas.size() == 1);
  CHECK(d.quotas[0].rule_id == "r1");
  CHECK(d.quotas[0].count == 10);
  CHECK(d.quotas[0].period_seconds == 3600);
}

TEST_CASE("duties are carried and merged", "[decide]") {
  absl::StatusOr<CompiledPolicy> p = testing::CompileDemo(
      "rules:\n"
      "  - id: a\n    effect: permit\n    assignees: any\n    purposes: any\n"
      "    fields: [pm25]\n"
      "    duties: {delete_after: 30d, aggregate_min_k: 5, attribute: A,"
      " notify_producer: true}\n"
      "  - id: b\n    effect: permit\n    assignees: any\n    purposes: any\n"
      "    fields: [no2]\n"
      "    duties: {delete_after: 7d, aggregate_min_k: 20, attribute: B,"
      " no_onward_transfer: true}\n"
      "  - id: c\n    effect: permit\n    assignees: {categories: [company]}\n"
      "    purposes: any\n    duties: {attribute: C}\n",
      testing::AirQuality());
  REQUIRE(p.ok());
  const Decision d = Run(*p, {});
  REQUIRE(d.outcome == Outcome::kPermit);
  CHECK(d.fields == Strings{"pm25", "no2"});
  const std::vector<Duty> want = {
      {DutyKind::kDeleteAfter, "604800"}, {DutyKind::kAggregateMinK, "20"},
      {DutyKind::kAttribute, "A"},        {DutyKind::kAttribute, "B"},
      {DutyKind::kNoOnwardTransfer, ""},  {DutyKind::kNotifyProducer, ""}};
  CHECK(d.duties == want);
}

TEST_CASE("prohibitions win", "[decide]") {
  const DatasetInfo aq = testing::AirQuality();
  const std::string permit =
      "rules:\n  - {id: p, effect: permit, assignees: any, purposes: any}\n";
  const Case cases[] = {
      {"matching prohibition denies",
       aq,
       permit + "  - {id: x, effect: prohibit, assignees: any, purposes: "
                "[commercial]}\n",
       {.purpose = "commercial.marketing"},
       {Outcome::kDeny, {}, {}, 0, {"rule_permitted", "prohibited"}}},
      {"prohibition first in the file still wins",
       aq,
       "rules:\n  - {id: x, effect: prohibit, assignees: {principals: "
       "[partner-demo]}, purposes: any}\n"
       "  - {id: p, effect: permit, assignees: any, purposes: any}\n",
       {},
       {Outcome::kDeny, {}, {}, 0, {"prohibited"}}},
      {"prohibition for another partner does not apply",
       aq,
       permit + "  - {id: x, effect: prohibit, assignees: {principals: "
                "[adtech]}, purposes: any}\n",
       {},
       {Outcome::kPermit, {}, {}, 0, {"assignee_mismatch"}}},
      {"prohibition outside its window does not apply",
       aq,
       permit + "  - {id: x, effect: prohibit, assignees: any, purposes: any, "
                "not_after: 2020-01-01T00:00:00Z}\n",
       {},
       {Outcome::kPermit, {}, {}, 0, {"outside_time_window"}}},
      {"field-scoped prohibition withholds fields",
       aq,
       permit + "  - {id: x, effect: prohibit, assignees: any, purposes: any, "
                "fields: [lat, lon]}\n",
       {},
       {Outcome::kPermit,
        {"sensor_id", "pm25", "pm10", "no2", "measured_at"},
        {},
        0,
        {"prohibited"}}},
      {"field-scoped prohibition narrows an explicit request",
       aq,
       permit + "  - {id: x, effect: prohibit, assignees: any, purposes: any, "
                "fields: [lat]}\n",
       {.fields = {"lat", "pm25"}},
       {Outcome::kPermit, {"pm25"}, {}, 0, {"fields_narrowed"}}},
      {"asking only for withheld fields denies",
       aq,
       permit + "  - {id: x, effect: prohibit, assignees: any, purposes: any, "
                "fields: [lat]}\n",
       {.fields = {"lat"}},
       {Outcome::kDeny, {}, {}, 0, {"field_not_allowed"}}},
      {"no rule is deny",
       aq,
       "rules: []\n",
       {},
       {Outcome::kDeny, {}, {}, 0, {"no_rule_matched"}}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) { Check(c); }
  }
}

// Consent records of the tests below.
struct Records {
  std::vector<ConsentView> views;
  void Add(const char* id, const char* subject, const char* purpose,
           const char* partner, const char* category, bool live = true,
           int64_t expires_at = 0, bool objection = false) {
    views.push_back(ConsentView{id,
                                subject,
                                purpose,
                                partner,
                                category,
                                live,
                                expires_at,
                                objection,
                                {}});
  }
};

const char* kPersonalRule =
    "  - id: r1\n    effect: permit\n    assignees: {categories: [academic]}\n"
    "    purposes: [public-benefit, research-and-development]\n"
    "    max_subjects: 3\n";

TEST_CASE("legal basis consent", "[decide]") {
  const DatasetInfo hh = testing::Household();
  const std::string policy =
      absl::StrCat("legal_basis: consent\nrules:\n", kPersonalRule);
  Records r;
  r.Add("c1", "s1", "public-benefit", "partner-demo", "");
  r.Add("c2", "s2", "public-benefit.energy", "", "academic");
  r.Add("c3", "s3", "public-benefit.energy", "partner-demo", "", false);
  r.Add("c4", "s4", "public-benefit", "partner-demo", "", true, 1748779200);
  r.Add("c5", "s5", "public-benefit.energy", "univ-rennes", "");
  r.Add("c6", "s6", "public-benefit", "", "company");
  r.Add("c7", "s7", "public-benefit", "partner-demo", "", true, 0, true);
  r.Add("c8", "s8", "public-benefit.energy", "partner-demo", "", true,
        1748779201);
  const Case cases[] = {
      {"live consent to the partner",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s1"}},
       {Outcome::kPermit, {}, {"s1"}}},
      {"consent to the partner's category",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s2"}},
       {Outcome::kPermit, {}, {"s2"}}},
      {"withdrawn consent",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s3"}},
       {Outcome::kDeny,
        {},
        {},
        0,
        {"subjects_without_consent", "no_subjects"}}},
      {"consent expired at now",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s4"}},
       {Outcome::kDeny, {}, {}, 0, {"subjects_without_consent"}}},
      {"consent expiring after now",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s8"}},
       {Outcome::kPermit, {}, {"s8"}}},
      {"consent to another partner",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s5"}},
       {Outcome::kDeny, {}, {}, 0, {"subjects_without_consent"}}},
      {"consent to another category",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s6"}},
       {Outcome::kDeny}},
      {"objection record is not a consent",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s7"}},
       {Outcome::kDeny}},
      {"consent purpose narrower than the request",
       hh,
       policy,
       {.purpose = "public-benefit", .subjects = {"s2"}},
       {Outcome::kDeny}},
      {"consent for another purpose",
       hh,
       policy,
       {.purpose = "research-and-development", .subjects = {"s1"}},
       {Outcome::kDeny}},
      {"only consenting subjects kept, request order",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s8", "s3", "s1"}},
       {Outcome::kPermit, {}, {"s8", "s1"}, 0, {"subjects_without_consent"}}},
      {"repeated subjects granted once",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s1", "s8", "s1"}},
       {Outcome::kPermit, {}, {"s1", "s8"}}},
      {"no subject list takes consenting subjects",
       hh,
       policy,
       {.purpose = "public-benefit.energy"},
       {Outcome::kPermit, {}, {"s1", "s2", "s8"}}},
      {"more subjects than the rule allows",
       hh,
       policy,
       {.purpose = "public-benefit.energy",
        .subjects = {"s1", "s2", "s8", "s4"}},
       {Outcome::kDeny, {}, {}, 0, {"too_many_subjects", "no_rule_matched"}}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) { Check(c, r.views); }
  }
  SECTION("counts and consent ids") {
    absl::StatusOr<CompiledPolicy> p = testing::CompileDemo(policy, hh);
    REQUIRE(p.ok());
    const Decision d = Run(
        *p,
        {.purpose = "public-benefit.energy", .subjects = {"s1", "s2", "s3"}},
        r.views);
    CHECK(d.subjects_without_consent == 1);
    CHECK(d.consent_ids == Strings{"c1", "c2"});
  }
  SECTION("empty subject list is capped") {
    absl::StatusOr<CompiledPolicy> p = testing::CompileDemo(
        absl::StrCat("legal_basis: consent\nmax_subjects: 2\nrules:\n",
                     kPersonalRule),
        hh);
    REQUIRE(p.ok());
    const Decision d = Run(*p, {.purpose = "public-benefit.energy"}, r.views);
    CHECK(d.outcome == Outcome::kPermit);
    CHECK(d.subjects.size() == 2);
    CHECK(std::find_if(d.reasons.begin(), d.reasons.end(), [](const Reason& x) {
            return x.code == "subjects_narrowed";
          }) != d.reasons.end());
  }
  SECTION("policy-wide subject cap") {
    absl::StatusOr<CompiledPolicy> p = testing::CompileDemo(
        "legal_basis: consent\nmax_subjects: 1\nrules:\n"
        "  - {id: r1, effect: permit, assignees: any, purposes: any}\n",
        hh);
    REQUIRE(p.ok());
    const Decision d = Run(*p, {.subjects = {"s1", "s2"}}, r.views);
    CHECK(d.outcome == Outcome::kDeny);
    CHECK(Codes(d).back() == "too_many_subjects");
  }
}

TEST_CASE("legal basis legitimate interest with opt-out", "[decide]") {
  const DatasetInfo hh = testing::Household();
  const std::string policy = absl::StrCat(
      "legal_basis: legitimate_interest_opt_out\nrules:\n", kPersonalRule);
  Records r;
  r.Add("o1", "s1", "public-benefit", "", "", true, 0, true);
  r.Add("o2", "s2", "research-and-development", "", "", true, 0, true);
  r.Add("o3", "s3", "", "partner-demo", "", true, 0, true);
  r.Add("o4", "s4", "", "", "", true, 1, true);             // expired
  r.Add("o5", "s5", "", "", "", false, 0, true);            // withdrawn
  r.Add("o6", "s6", "", "adtech", "", true, 0, true);       // other partner
  r.Add("c7", "s7", "public-benefit", "partner-demo", "");  // a consent
  const Case cases[] = {
      {"objection to the purpose excludes",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s1", "s2"}},
       {Outcome::kPermit, {}, {"s2"}, 0, {"subjects_objected"}}},
      {"objection to the recipient excludes",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s3", "s4"}},
       {Outcome::kPermit, {}, {"s4"}, 0, {"subjects_objected"}}},
      {"inactive or unrelated objections do not exclude",
       hh,
       policy,
       {.purpose = "public-benefit.energy",
        .subjects = {"s4", "s5", "s6", "s7", "s9"}},
       {Outcome::kDeny, {}, {}, 0, {"too_many_subjects"}}},
      {"everyone objected",
       hh,
       policy,
       {.purpose = "public-benefit.energy", .subjects = {"s1", "s3"}},
       {Outcome::kDeny, {}, {}, 0, {"subjects_objected", "no_subjects"}}},
      {"no subject list is no subject",
       hh,
       policy,
       {.purpose = "public-benefit.energy"},
       {Outcome::kDeny, {}, {}, 0, {"no_subjects"}}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) { Check(c, r.views); }
  }
  SECTION("unrelated objections keep subjects") {
    absl::StatusOr<CompiledPolicy> p = testing::CompileDemo(
        absl::StrCat("legal_basis: legitimate_interest_opt_out\nrules:\n"
                     "  - {id: r1, effect: permit, assignees: any, purposes: "
                     "any}\n"),
        hh);
    REQUIRE(p.ok());
    const Decision d = Run(*p,
                           {.purpose = "public-benefit.energy",
                            .subjects = {"s4", "s5", "s6", "s7", "s9"}},
                           r.views);
    CHECK(d.outcome == Outcome::kPermit);
    CHECK(d.subjects == Strings{"s4", "s5", "s6", "s7", "s9"});
    CHECK(d.consent_ids.empty());
  }
}

TEST_CASE("legal basis public task", "[decide]") {
  const DatasetInfo hh = testing::Household();
  const std::string policy =
      absl::StrCat("legal_basis: public_task\nrules:\n", kPersonalRule);
  Records r;
  r.Add("o1", "s1", "", "", "", true, 0, true);
  const Case cases[] = {
      {"every requested subject, once",
       hh,
       policy,
       {.subjects = {"s1", "s2", "s1"}},
       {Outcome::kPermit, {}, {"s1", "s2"}}},
      {"no subject list is no subject",
       hh,
       policy,
       {},
       {Outcome::kDeny, {}, {}, 0, {"no_subjects"}}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) { Check(c, r.views); }
  }
}

TEST_CASE("subjects whose names share their first and last bytes", "[decide]") {
  // Same length, same first and last 8 bytes: the cheap subject key is
  // equal, so only the full names tell them apart.
  const std::vector<std::string> names = {"pseudonym-AAAA-00000001",
                                          "pseudonym-BBBB-00000001",
                                          "pseudonym-CCCC-00000001"};
  const std::string policy = absl::StrCat(
      "legal_basis: consent\nrules:\n",
      "  - id: r1\n    effect: permit\n    assignees: {categories: "
      "[academic]}\n    purposes: [public-benefit]\n");
  absl::StatusOr<CompiledPolicy> p =
      testing::CompileDemo(policy, testing::Household());
  REQUIRE(p.ok());
  std::vector<ConsentView> consents = {{"c-b",
                                        names[1],
                                        "public-benefit",
                                        "partner-demo",
                                        "",
                                        true,
                                        0,
                                        false,
                                        {}},
                                       {"c-a",
                                        names[0],
                                        "public-benefit",
                                        "partner-demo",
                                        "",
                                        true,
                                        0,
                                        false,
                                        {}},
                                       {"c-b2",
                                        names[1],
                                        "public-benefit",
                                        "partner-demo",
                                        "",
                                        true,
                                        0,
                                        false,
                                        {}}};
  Request r;
  r.partner = "partner-demo";
  r.partner_category = "academic";
  r.purpose = "public-benefit";
  const std::vector<std::string> asked = {names[0], names[2], names[1],
                                          names[0]};
  r.subjects = asked;
  Decision d = Decide(r, *p, consents, kNow);
  REQUIRE(d.outcome == Outcome::kPermit);
  CHECK(d.subjects == Strings{names[0], names[1]});
  // The first record of each subject is the one relied on.
  CHECK(d.consent_ids == Strings{"c-a", "c-b"});
  CHECK(d.subjects_without_consent == 1);

  // Without a subject list: each consenting subject once, in record order.
  r.subjects = {};
  Decide(r, *p, consents, kNow, &d);
  REQUIRE(d.outcome == Outcome::kPermit);
  CHECK(d.subjects == Strings{names[1], names[0]});
  CHECK(d.consent_ids == Strings{"c-b", "c-a"});
}

TEST_CASE("a reused decision matches many subjects, then few, then many",
          "[decide]") {
  absl::StatusOr<CompiledPolicy> p = testing::CompileDemo(
      absl::StrCat("legal_basis: consent\nmax_subjects: 1000\nrules:\n",
                   "  - {id: r1, effect: permit, assignees: any, purposes: "
                   "[public-benefit]}\n"),
      testing::Household());
  REQUIRE(p.ok());
  std::vector<std::string> subjects, ids;
  for (int i = 0; i < 600; ++i) {
    subjects.push_back(absl::StrCat("s-", i));
    ids.push_back(absl::StrCat("c-", i));
  }
  std::vector<ConsentView> consents;
  // Every even subject consents.
  for (int i = 0; i < 600; i += 2) {
    consents.push_back({ids[i],
                        subjects[i],
                        "public-benefit",
                        "partner-demo",
                        "",
                        true,
                        0,
                        false,
                        {}});
  }
  Request r;
  r.partner = "partner-demo";
  r.purpose = "public-benefit.energy";
  Decision d;
  for (size_t n : {600u, 3u, 600u, 1u}) {
    CAPTURE(n);
    const std::vector<std::string> asked(subjects.begin(),
                                         subjects.begin() + n);
    r.subjects = asked;
    Decide(r, *p, absl::MakeConstSpan(consents).subspan(0, (n + 1) / 2), kNow,
           &d);
    REQUIRE(d.outcome == Outcome::kPermit);
    CHECK(d.subjects.size() == (n + 1) / 2);
    CHECK(d.subjects_without_consent == static_cast<int>(n / 2));
    for (size_t k = 0; k < d.subjects.size(); ++k) {
      CHECK(d.subjects[k] == subjects[2 * k]);
      CHECK(d.consent_ids[k] == ids[2 * k]);
    }
  }
}

TEST_CASE("a decision can be reused", "[decide]") {
  absl::StatusOr<CompiledPolicy> p = testing::CompileDemo(
      "rules:\n  - {id: a, effect: permit, assignees: any, purposes: "
      "[public-benefit], duties: {attribute: X}}\n",
      testing::AirQuality());
  REQUIRE(p.ok());
  Decision d;
  Request permit;
  permit.partner = "partner-demo";
  permit.purpose = "public-benefit";
  Decide(permit, *p, {}, kNow, &d);
  REQUIRE(d.outcome == Outcome::kPermit);
  REQUIRE_FALSE(d.duties.empty());
  Request deny = permit;
  deny.purpose = "commercial";
  Decide(deny, *p, {}, kNow, &d);
  CHECK(d.outcome == Outcome::kDeny);
  CHECK(d.fields.empty());
  CHECK(d.duties.empty());
  CHECK(d.lifetime_seconds == 0);
  CHECK(d.reasons.size() == 2);
  Decide(permit, *p, {}, kNow, &d);
  CHECK(d.outcome == Outcome::kPermit);
  CHECK(d.fields.size() == 7);
  CHECK(d.reasons.size() == 1);
}

TEST_CASE("could a consent ever be used", "[decide]") {
  const DatasetInfo hh = testing::Household();
  absl::StatusOr<CompiledPolicy> p = testing::CompileDemo(
      "legal_basis: consent\nrules:\n"
      "  - {id: a, effect: permit, assignees: {principals: [partner-demo],"
      " categories: [public-service]}, purposes: [public-benefit.energy]}\n"
      "  - {id: b, effect: permit, assignees: {principals: [univ-rennes]},"
      " purposes: [research-and-development]}\n"
      "  - {id: x, effect: prohibit, assignees: {categories: [company]},"
      " purposes: any}\n",
      hh);
  REQUIRE(p.ok());
  struct Case {
    const char* purpose;
    const char* partner;
    const char* category;
    absl::StatusCode want;
  };
  const Case cases[] = {
      {"public-benefit.energy", "partner-demo", "", absl::StatusCode::kOk},
      {"public-benefit", "partner-demo", "", absl::StatusCode::kOk},
      {"public-benefit.energy", "", "public-service", absl::StatusCode::kOk},
      {"research-and-development", "", "academic", absl::StatusCode::kOk},
      {"research-and-development.academic-research", "univ-rennes", "",
       absl::StatusCode::kOk},
      {"public-benefit.air-quality", "partner-demo", "",
       absl::StatusCode::kFailedPrecondition},
      {"research-and-development", "partner-demo", "",
       absl::StatusCode::kFailedPrecondition},
      {"public-benefit", "", "company", absl::StatusCode::kFailedPrecondition},
      {"public-benefit", "adtech", "", absl::StatusCode::kFailedPrecondition},
      {"public-benefit", "", "association",
       absl::StatusCode::kFailedPrecondition},
      {"nope", "partner-demo", "", absl::StatusCode::kInvalidArgument},
      {"public-benefit", "", "", absl::StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    CAPTURE(c.purpose, c.partner, c.category);
    CHECK(CouldEverPermit(*p, c.purpose, c.partner, c.category).code() ==
          c.want);
  }
  absl::StatusOr<CompiledPolicy> task = testing::CompileDemo(
      "legal_basis: public_task\nrules:\n"
      "  - {id: a, effect: permit, assignees: any, purposes: any}\n",
      hh);
  REQUIRE(task.ok());
  CHECK(CouldEverPermit(*task, "public-benefit", "partner-demo", "").code() ==
        absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace accord::policy
