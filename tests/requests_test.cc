// Consent requests against the real broker in dev mode, over gRPC: the
// seeded requests a citizen answers, a request's lifecycle from a partner's
// draft to a producer's approval, versions and re-consent, stale notices,
// refusals, counts under the threshold, and who may see what.
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "accord/v1/access.grpc.pb.h"
#include "accord/v1/consent.grpc.pb.h"
#include "accord/v1/requests.grpc.pb.h"
#include "broker/crypto/sha256.h"
#include "broker/formats/json.h"
#include "clients/dev_token.h"
#include "tests/broker_harness.h"
#include "tests/study_spec.h"
#include "tests/tls_callers.h"

namespace accord::testing {
namespace {

using grpc::ClientContext;
using grpc::Status;
using grpc::StatusCode;
namespace v1 = accord::v1;

constexpr char kDataset[] = "rennes.energy.household-consumption";

// One broker and a channel per dev principal.
class Fixture {
 public:
  explicit Fixture(std::vector<std::string> flags = {})
      : broker_(dir_.path(), std::move(flags)) {
    REQUIRE(broker_.Start().ok());
    auto ca = DevCaPem(dir_.path());
    REQUIRE(ca.ok());
    ca_ = *ca;
  }

  std::shared_ptr<grpc::Channel> As(const std::string& principal) {
    auto id = DevIdentity(dir_.path(), principal);
    REQUIRE(id.ok());
    return OpenChannel(broker_.grpc_address(), ca_, *id);
  }

  std::unique_ptr<v1::ConsentRequestService::Stub> Requests(
      const std::string& principal) {
    return v1::ConsentRequestService::NewStub(As(principal));
  }

  // A context carrying `citizen`'s dev token, for the citizen app.
  std::unique_ptr<ClientContext> Citizen(const std::string& citizen) {
    auto token = client::MintDevCitizenTokenFromDataDir(
        dir_.path(), citizen, absl::ToUnixSeconds(absl::Now()));
    REQUIRE(token.ok());
    auto ctx = std::make_unique<ClientContext>();
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", *token));
    return ctx;
  }

  std::unique_ptr<v1::ConsentService::Stub> App() {
    return v1::ConsentService::NewStub(As("citizen-app"));
  }

  BrokerProcess& broker() { return broker_; }

 private:
  TempDir dir_;
  BrokerProcess broker_;
  std::string ca_;
};

v1::OpenRequest FindOpen(const v1::ListOpenRequestsResponse& list,
                         const std::string& partner) {
  for (const v1::OpenRequest& r : list.requests()) {
    if (r.request().partner() == partner) return r;
  }
  FAIL("no open request of " << partner);
  return {};
}

v1::ListOpenRequestsResponse ListOpen(Fixture& f, const std::string& citizen) {
  auto ctx = f.Citizen(citizen);
  v1::ListOpenRequestsResponse list;
  Status s = f.App()->ListOpenRequests(ctx.get(), {}, &list);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return list;
}

Status Answer(Fixture& f, const std::string& citizen,
              const v1::ConsentRequest& r, bool accept,
              v1::GiveConsentResponse* out, uint32_t version = 0,
              std::string hash = "") {
  v1::RequestAnswer answer;
  answer.set_request_id(r.id());
  answer.set_version(version == 0 ? r.version() : version);
  answer.set_notice_hash(hash.empty() ? r.notice_hash() : hash);
  auto ctx = f.Citizen(citizen);
  if (accept) {
    v1::GiveConsentRequest give;
    *give.mutable_request() = answer;
    give.set_channel("app");
    return f.App()->GiveConsent(ctx.get(), give, out);
  }
  v1::RefuseConsentRequestRequest refuse;
  *refuse.mutable_request() = answer;
  return f.App()->RefuseConsentRequest(ctx.get(), refuse, out);
}

// A grant request by `partner` naming `subject` for `fields`.
Status Grant(Fixture& f, const std::string& partner, const std::string& subject,
             const std::vector<std::string>& fields, std::string purpose,
             v1::RequestGrantResponse* out) {
  v1::RequestGrantRequest req;
  req.set_dataset_id(kDataset);
  req.set_purpose(purpose);
  req.set_audience("data.rennes.example");
  for (const auto& field : fields) req.add_fields(field);
  req.add_subjects(subject);
  ClientContext ctx;
  return v1::AccessService::NewStub(f.As(partner))
      ->RequestGrant(&ctx, req, out);
}

// Drafts, submits and approves `spec` as partner-demo and producer-demo.
v1::ConsentRequest OpenNew(Fixture& f, const v1::ConsentRequestSpec& spec) {
  v1::PutConsentRequestRequest put;
  *put.mutable_spec() = spec;
  v1::ConsentRequestResponse drafted, submitted, approved;
  {
    ClientContext ctx;
    Status s =
        f.Requests("partner-demo")->PutConsentRequest(&ctx, put, &drafted);
    INFO(s.error_message());
    REQUIRE(s.ok());
  }
  CHECK(drafted.request().state() == v1::CONSENT_REQUEST_STATE_DRAFT);
  v1::SubmitConsentRequestRequest submit;
  submit.set_request_id(drafted.request().id());
  {
    ClientContext ctx;
    REQUIRE(f.Requests("partner-demo")
                ->SubmitConsentRequest(&ctx, submit, &submitted)
                .ok());
  }
  CHECK(submitted.request().state() ==
        v1::CONSENT_REQUEST_STATE_PENDING_APPROVAL);
  v1::ReviewConsentRequestRequest review;
  review.set_request_id(drafted.request().id());
  review.set_approve(true);
  ClientContext ctx;
  Status s = f.Requests("producer-demo")
                 ->ReviewConsentRequest(&ctx, review, &approved);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return approved.request();
}

TEST_CASE(
    "requests: a citizen reads a seeded notice in French, accepts it, "
    "and the partner's grant names them") {
  Fixture f;
  v1::ListOpenRequestsResponse list = ListOpen(f, "alice");
  REQUIRE(list.requests_size() == 2);
  const v1::OpenRequest study = FindOpen(list, "partner-demo");
  CHECK(study.needs_answer());
  CHECK_FALSE(study.has_answer());
  const v1::ConsentRequest& r = study.request();
  CHECK(r.version() == 1);
  CHECK(r.events_size() == 0);  // a citizen sees no history of the request
  // The notice is the canonical JSON the hash covers, in plain French.
  CHECK(crypto::ToHex(crypto::Sha256(r.notice())) == r.notice_hash());
  auto notice = formats::ParseJson(r.notice());
  REQUIRE(notice.ok());
  CHECK(notice->Find("purpose")->Find("label")->GetString("fr").value() ==
        "Transition énergétique et économies d'énergie");
  const auto* duties = notice->Find("duties")->AsArray();
  REQUIRE(duties != nullptr);
  REQUIRE(duties->size() == 3);
  CHECK(duties->at(0).GetString("fr").value() ==
        "Les données sont supprimées au plus tard 30 jours après leur "
        "réception.");
  CHECK(notice->Find("duration")->GetString("fr").value() ==
        "pendant 180 jours");
  CHECK(notice->Find("dataset")->Find("fields")->AsArray()->size() == 4);

  v1::GiveConsentResponse given;
  Status s = Answer(f, "alice", r, /*accept=*/true, &given);
  INFO(s.error_message());
  REQUIRE(s.ok());
  const v1::Consent& c = given.consent();
  CHECK(c.request_id() == r.id());
  CHECK(c.request_version() == 1);
  CHECK(c.notice_hash() == r.notice_hash());
  CHECK(c.fields_size() == 4);
  CHECK(c.recipient().partner() == "partner-demo");
  CHECK(c.expires_at() > c.given_at());

  // Listed again, the request holds Alice's answer and needs none.
  const v1::OpenRequest after = FindOpen(ListOpen(f, "alice"), "partner-demo");
  CHECK_FALSE(after.needs_answer());
  CHECK(after.answer().id() == c.id());

  // The partner's grant for her fields is permitted and names her.
  v1::RequestGrantResponse grant;
  s = Grant(f, "partner-demo", c.subject(), {"day", "kwh", "district"},
            "public-benefit.energy", &grant);
  INFO(s.error_message());
  REQUIRE(s.ok());
  CHECK(grant.decision().outcome() == v1::OUTCOME_PERMIT);
  REQUIRE(grant.decision().subjects_size() == 1);
  CHECK(grant.decision().subjects(0) == c.subject());
  // A field the policy withholds is narrowed away, as for any grant.
  s = Grant(f, "partner-demo", c.subject(), {"day", "kwh", "tariff"},
            "public-benefit.energy", &grant);
  REQUIRE(s.ok());
  CHECK(grant.decision().fields_size() == 2);
}

TEST_CASE("requests: lifecycle, version bump, re-consent and stale notices") {
  Fixture f;
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  v1::ConsentRequest v1r = OpenNew(f, StudySpec(now));
  CHECK(v1r.state() == v1::CONSENT_REQUEST_STATE_OPEN);
  CHECK(v1r.version() == 1);
  // DRAFT, PENDING_APPROVAL, OPEN.
  REQUIRE(v1r.events_size() == 3);
  CHECK(v1r.events(2).actor() == "producer-demo");

  v1::GiveConsentResponse given;
  REQUIRE(Answer(f, "bob", v1r, true, &given).ok());
  const std::string bob = given.consent().subject();

  // A change of fields makes version 2, approved with renewal required.
  v1::ConsentRequestSpec changed = StudySpec(now);
  changed.add_fields("district");
  v1::PutConsentRequestRequest put;
  put.set_request_id(v1r.id());
  *put.mutable_spec() = changed;
  v1::ConsentRequestResponse out;
  {
    ClientContext ctx;
    REQUIRE(
        f.Requests("partner-demo")->PutConsentRequest(&ctx, put, &out).ok());
  }
  // Still open at version 1 while the change waits.
  CHECK(out.request().state() == v1::CONSENT_REQUEST_STATE_OPEN);
  CHECK(out.request().version() == 1);
  {
    v1::SubmitConsentRequestRequest submit;
    submit.set_request_id(v1r.id());
    ClientContext ctx;
    REQUIRE(f.Requests("partner-demo")
                ->SubmitConsentRequest(&ctx, submit, &out)
                .ok());
  }
  // Until approved, Bob's version-1 consent covers the version-1 fields,
  // and only those: asked with `district`, he is left out.
  v1::RequestGrantResponse grant;
  REQUIRE(Grant(f, "partner-demo", bob, {"day", "kwh"}, "public-benefit.energy",
                &grant)
              .ok());
  CHECK(grant.decision().outcome() == v1::OUTCOME_PERMIT);
  Status outside = Grant(f, "partner-demo", bob, {"day", "kwh", "district"},
                         "public-benefit.energy", &grant);
  CHECK((!outside.ok() || grant.decision().outcome() == v1::OUTCOME_DENY));
  {
    v1::ReviewConsentRequestRequest review;
    review.set_request_id(v1r.id());
    review.set_approve(true);
    review.set_renewal_required(true);
    ClientContext ctx;
    REQUIRE(f.Requests("producer-demo")
                ->ReviewConsentRequest(&ctx, review, &out)
                .ok());
  }
  const v1::ConsentRequest v2r = out.request();
  CHECK(v2r.version() == 2);
  CHECK(v2r.renewal_required());
  CHECK(v2r.notice_hash() != v1r.notice_hash());

  // Bob is asked again; his old consent now covers nothing.
  auto ctx = f.Citizen("bob");
  v1::GetOpenRequestRequest get;
  get.set_request_id(v1r.id());
  v1::OpenRequest open;
  REQUIRE(f.App()->GetOpenRequest(ctx.get(), get, &open).ok());
  CHECK(open.needs_answer());
  CHECK(open.answer().request_version() == 1);
  Status s = Grant(f, "partner-demo", bob, {"day", "kwh"},
                   "public-benefit.energy", &grant);
  CHECK((!s.ok() || grant.decision().outcome() == v1::OUTCOME_DENY));

  // Answering with the old version's hash: the notice changed.
  s = Answer(f, "bob", v2r, true, &given, 1, v1r.notice_hash());
  CHECK(s.error_code() == StatusCode::FAILED_PRECONDITION);
  CHECK(s.error_message().find("the notice changed") != std::string::npos);
  s = Answer(f, "bob", v2r, true, &given, 2, v1r.notice_hash());
  CHECK(s.error_code() == StatusCode::FAILED_PRECONDITION);

  // The current notice renews the same record.
  REQUIRE(Answer(f, "bob", v2r, true, &given).ok());
  CHECK(given.consent().request_version() == 2);
  CHECK(given.consent().subject() == bob);
  REQUIRE(Grant(f, "partner-demo", bob, {"day", "kwh", "district"},
                "public-benefit.energy", &grant)
              .ok());
  CHECK(grant.decision().outcome() == v1::OUTCOME_PERMIT);

  // Closed by its partner: no more answers.
  {
    v1::CloseConsentRequestRequest close;
    close.set_request_id(v1r.id());
    close.set_reason("étude terminée");
    ClientContext c2;
    REQUIRE(
        f.Requests("partner-demo")->CloseConsentRequest(&c2, close, &out).ok());
  }
  CHECK(out.request().state() == v1::CONSENT_REQUEST_STATE_CLOSED);
  s = Answer(f, "carol", v2r, true, &given);
  CHECK(s.error_code() == StatusCode::FAILED_PRECONDITION);
  // Every transition is an audit event.
  CHECK(out.request().events_size() == 7);
}

TEST_CASE(
    "requests: a refusal is recorded and counts stay under the "
    "threshold") {
  Fixture f({"--request-count-threshold", "2"});
  const v1::OpenRequest study = FindOpen(ListOpen(f, "alice"), "partner-demo");
  const v1::ConsentRequest& r = study.request();
  v1::GiveConsentResponse out;
  REQUIRE(Answer(f, "alice", r, /*accept=*/false, &out).ok());
  CHECK(out.consent().state() == v1::CONSENT_STATE_REFUSED);
  const v1::OpenRequest refused =
      FindOpen(ListOpen(f, "alice"), "partner-demo");
  CHECK_FALSE(refused.needs_answer());
  CHECK(refused.answer().state() == v1::CONSENT_STATE_REFUSED);

  auto stats = [&](const std::string& principal) {
    v1::GetConsentRequestStatsRequest req;
    req.set_request_id(r.id());
    v1::GetConsentRequestStatsResponse resp;
    ClientContext ctx;
    Status s = f.Requests(principal)->GetConsentRequestStats(&ctx, req, &resp);
    INFO(s.error_message());
    REQUIRE(s.ok());
    return resp;
  };
  v1::GetConsentRequestStatsResponse before = stats("partner-demo");
  CHECK(before.threshold() == 2);
  CHECK(before.accepted().text() == "< 2");
  CHECK(before.refused().text() == "< 2");
  CHECK_FALSE(before.refused().at_least_threshold());
  REQUIRE(Answer(f, "bob", r, true, &out).ok());
  REQUIRE(Answer(f, "carol", r, true, &out).ok());
  v1::GetConsentRequestStatsResponse after = stats("partner-demo");
  CHECK(after.accepted().text() == "2");
  CHECK(after.accepted().count() == 2);
  CHECK(after.live().count() == 2);
  CHECK(after.refused().text() == "< 2");
  // The producer reads the same counts; the response names nobody.
  CHECK(stats("producer-demo").accepted().count() == 2);
  CHECK(after.DebugString().find(out.consent().subject()) == std::string::npos);
}

TEST_CASE(
    "requests: bad input is refused naming the field, and partners "
    "see only their own") {
  Fixture f;
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  auto put = [&](const v1::ConsentRequestSpec& spec) {
    v1::PutConsentRequestRequest req;
    *req.mutable_spec() = spec;
    v1::ConsentRequestResponse out;
    ClientContext ctx;
    return f.Requests("partner-demo")->PutConsentRequest(&ctx, req, &out);
  };
  struct Case {
    const char* field;
    std::function<void(v1::ConsentRequestSpec&)> spoil;
  };
  const Case cases[] = {
      {"spec.title.fr", [](auto& s) { s.mutable_title()->clear_fr(); }},
      {"spec.title.fr",
       [](auto& s) { s.mutable_title()->set_fr(std::string(201, 'a')); }},
      {"spec.purpose", [](auto& s) { s.set_purpose("no.such-purpose"); }},
      {"spec.fields[3]", [](auto& s) { s.add_fields("no_such_field"); }},
      {"spec.closes_at", [now](auto& s) { s.set_closes_at(now - 10); }},
      {"spec.consent_duration_seconds",
       [](auto& s) { s.set_consent_duration_seconds(60); }},
      {"spec.responsible.email",
       [](auto& s) { s.mutable_responsible()->set_email("nobody"); }},
      {"spec.duties[0]",
       [](auto& s) { s.mutable_duties(0)->set_kind("dance"); }},
  };
  for (const Case& c : cases) {
    v1::ConsentRequestSpec spec = StudySpec(now);
    c.spoil(spec);
    Status s = put(spec);
    INFO(c.field << ": " << s.error_message());
    CHECK(s.error_code() == StatusCode::INVALID_ARGUMENT);
    CHECK(s.error_message().rfind(c.field, 0) == 0);
  }

  // A request the policy forbids cannot be approved: `tariff` is not a
  // field the policy lets partners have.
  v1::ConsentRequestSpec forbidden = StudySpec(now);
  forbidden.add_fields("tariff");
  v1::PutConsentRequestRequest req;
  *req.mutable_spec() = forbidden;
  v1::ConsentRequestResponse out;
  {
    ClientContext ctx;
    REQUIRE(
        f.Requests("partner-demo")->PutConsentRequest(&ctx, req, &out).ok());
  }
  const std::string id = out.request().id();
  {
    v1::SubmitConsentRequestRequest submit;
    submit.set_request_id(id);
    ClientContext ctx;
    REQUIRE(f.Requests("partner-demo")
                ->SubmitConsentRequest(&ctx, submit, &out)
                .ok());
  }
  v1::ReviewConsentRequestRequest review;
  review.set_request_id(id);
  review.set_approve(true);
  {
    ClientContext ctx;
    Status s =
        f.Requests("producer-demo")->ReviewConsentRequest(&ctx, review, &out);
    INFO(s.error_message());
    CHECK(s.error_code() == StatusCode::FAILED_PRECONDITION);
    CHECK(s.error_message().find("tariff") != std::string::npos);
  }
  // A rejection needs a reason, then is recorded.
  review.set_approve(false);
  {
    ClientContext ctx;
    CHECK(f.Requests("producer-demo")
              ->ReviewConsentRequest(&ctx, review, &out)
              .error_code() == StatusCode::INVALID_ARGUMENT);
  }
  review.set_reason("le tarif n'est pas nécessaire à l'étude");
  {
    ClientContext ctx;
    REQUIRE(f.Requests("producer-demo")
                ->ReviewConsentRequest(&ctx, review, &out)
                .ok());
  }
  CHECK(out.request().state() == v1::CONSENT_REQUEST_STATE_REJECTED);
  // A rejected request is never shown to citizens.
  const v1::ListOpenRequestsResponse shown = ListOpen(f, "alice");
  for (const v1::OpenRequest& open : shown.requests()) {
    CHECK(open.request().id() != id);
  }
  {
    auto ctx = f.Citizen("alice");
    v1::GetOpenRequestRequest get;
    get.set_request_id(id);
    v1::OpenRequest open;
    CHECK(f.App()->GetOpenRequest(ctx.get(), get, &open).error_code() ==
          StatusCode::NOT_FOUND);
  }

  // The lab's seeded request is invisible to partner-demo: NOT_FOUND, as
  // a missing one, and absent from its list.
  const v1::OpenRequest lab = FindOpen(ListOpen(f, "alice"), "lab-energy-demo");
  v1::GetConsentRequestRequest get;
  get.set_request_id(lab.request().id());
  {
    ClientContext ctx;
    CHECK(f.Requests("partner-demo")
              ->GetConsentRequest(&ctx, get, &out)
              .error_code() == StatusCode::NOT_FOUND);
  }
  v1::ListConsentRequestsResponse mine;
  {
    ClientContext ctx;
    REQUIRE(
        f.Requests("partner-demo")->ListConsentRequests(&ctx, {}, &mine).ok());
  }
  for (const v1::ConsentRequest& r : mine.requests()) {
    CHECK(r.partner() == "partner-demo");
  }
  v1::GetConsentRequestStatsRequest stats;
  stats.set_request_id(lab.request().id());
  v1::GetConsentRequestStatsResponse counts;
  ClientContext ctx;
  CHECK(f.Requests("partner-demo")
            ->GetConsentRequestStats(&ctx, stats, &counts)
            .error_code() == StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace accord::testing
