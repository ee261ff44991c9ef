// accord consent give|withdraw|list|show|history|requests|notice|answer|
// export|erase — a citizen's own consents and answers to consent requests
// through ConsentService (connect with --token or --dev --citizen NAME).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "accord/v1/consent.grpc.pb.h"
#include "accord/v1/trust.grpc.pb.h"
#include "broker/auditlog/history_check.h"
#include "broker/cmdline/usage_error.h"
#include "broker/crypto/jwks.h"
#include "broker/crypto/jws.h"
#include "clients/commands.h"
#include "clients/erasure_text.h"
#include "clients/notice_text.h"
#include "clients/time_format.h"
#include "policy/language.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using A = cmdline::FlagSpec::Arity;

constexpr absl::string_view kChannel = "cli";

absl::Status Give(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  absl::StatusOr<std::string> dataset = args.Require("dataset");
  if (!dataset.ok()) return dataset.status();
  absl::StatusOr<std::string> purpose = args.Require("purpose");
  if (!purpose.ok()) return purpose.status();
  v1::GiveConsentRequest request;
  request.set_dataset_id(*dataset);
  request.set_purpose(*purpose);
  request.set_channel(std::string(kChannel));
  if (args.Has("partner") == args.Has("category")) {
    return cmdline::UsageError(
        "exactly one of --partner and --category is required");
  }
  if (args.Has("partner")) {
    absl::StatusOr<std::string> partner = args.Require("partner");
    if (!partner.ok()) return partner.status();
    request.mutable_recipient()->set_partner(*partner);
  } else {
    absl::StatusOr<std::string> category = args.Require("category");
    if (!category.ok()) return category.status();
    request.mutable_recipient()->set_category(*category);
  }
  if (std::optional<std::string> expires = args.Get("expires")) {
    absl::StatusOr<int64_t> at = ParseTimestamp(*expires, "--expires");
    if (!at.ok()) return cmdline::UsageError(at.status().message());
    request.set_expires_at(*at);
  }
  v1::GiveConsentResponse response;
  absl::Status s =
      ctx.Call(&v1::ConsentService::Stub::GiveConsent, request, &response);
  if (!s.ok()) return s;
  const v1::Consent& c = response.consent();
  return ctx.output().ShowChange(
      response, absl::StrCat("consent ", c.id(), " given: ", c.dataset_id(),
                             " for ", c.purpose(), " to ",
                             c.recipient().partner().empty()
                                 ? absl::StrCat("partners of category ",
                                                c.recipient().category())
                                 : c.recipient().partner()));
}

absl::Status Withdraw(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({"CONSENT_ID"}); !s.ok()) {
    return s;
  }
  v1::WithdrawConsentRequest request;
  request.set_consent_id(ctx.args().positionals()[0]);
  request.set_channel(std::string(kChannel));
  v1::WithdrawConsentResponse response;
  absl::Status s =
      ctx.Call(&v1::ConsentService::Stub::WithdrawConsent, request, &response);
  if (!s.ok()) return s;
  return ctx.output().ShowChange(
      response, absl::StrCat("consent ", response.consent().id(),
                             " withdrawn; grants naming you under it are "
                             "revoked"));
}

absl::Status List(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  v1::ListConsentsResponse all;
  absl::Status s = CollectPages(
      [&](const std::string& token, v1::ListConsentsResponse* page) {
        v1::ListConsentsRequest request;
        request.set_dataset_id(args.GetOr("dataset", ""));
        request.set_page_token(token);
        return ctx.Call(&v1::ConsentService::Stub::ListConsents, request, page);
      },
      &all);
  if (!s.ok()) return s;
  return ctx.output().ShowList(
      all, "consents",
      {"id", "dataset_id", "purpose", "recipient.partner", "recipient.category",
       "state", "given_at", "expires_at", "request_id", "request_version"});
}

// Checks that `receipt` is a consent receipt (typ consent-receipt+jwt, aud
// urn:accord:consent-receipt) signed by a key of the broker's receipt JWKS
// (TrustService.GetVerificationKeys, receipt_jwks) for `consent` in its
// current state.
// Returns the key id, or UNAUTHENTICATED / INVALID_ARGUMENT naming the check
// that failed.
absl::StatusOr<std::string> VerifyReceipt(CommandContext& ctx,
                                          const std::string& receipt,
                                          const v1::Consent& consent) {
  v1::GetVerificationKeysResponse keys;
  absl::Status s = ctx.Call(&v1::TrustService::Stub::GetVerificationKeys,
                            v1::GetVerificationKeysRequest(), &keys);
  if (!s.ok()) return s;
  absl::StatusOr<crypto::Jwks> jwks = crypto::Jwks::Parse(keys.receipt_jwks());
  if (!jwks.ok()) return jwks.status();
  crypto::JwsPolicy policy;
  policy.expected_typ = "consent-receipt+jwt";
  absl::StatusOr<crypto::VerifiedJws> verified =
      crypto::VerifyJws(receipt, *jwks, policy);
  if (!verified.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat("receipt: ", verified.status().message()));
  }
  const formats::JsonValue& claims = verified->payload;
  auto claim_is = [&](absl::string_view name, absl::string_view want) {
    absl::StatusOr<std::string> got = claims.GetString(name);
    return got.ok() && *got == want;
  };
  if (!claim_is("aud", "urn:accord:consent-receipt")) {
    return absl::UnauthenticatedError("receipt: aud is not a receipt's");
  }
  if (!claim_is("consent_id", consent.id()) ||
      !claim_is("sub", consent.subject()) ||
      !claim_is("state", v1::ConsentState_Name(consent.state()))) {
    return absl::UnauthenticatedError(
        "receipt: consent_id, sub or state does not match the consent");
  }
  return *verified->header.GetString("kid");
}

absl::Status Show(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({"CONSENT_ID"}); !s.ok()) {
    return s;
  }
  v1::GetConsentRequest request;
  request.set_consent_id(ctx.args().positionals()[0]);
  v1::GetConsentResponse response;
  absl::Status s =
      ctx.Call(&v1::ConsentService::Stub::GetConsent, request, &response);
  if (!s.ok()) return s;
  if (!ctx.args().Has("receipt")) {
    response.clear_receipt();
    return ctx.output().Show(response);
  }
  absl::StatusOr<std::string> kid =
      VerifyReceipt(ctx, response.receipt(), response.consent());
  if (!kid.ok()) return kid.status();
  return ctx.output().ShowText(
      response,
      absl::StrCat(FormatHuman(response.consent()),
                   "receipt: ", response.receipt(), "\nreceipt verified: key ",
                   *kid, ", state ",
                   v1::ConsentState_Name(response.consent().state()), "\n"));
}

absl::Status History(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({}); !s.ok()) return s;
  // --verify: each page's records against its signed checkpoint, checked
  // with the broker's published checkpoint key.
  std::string checkpoint_key;
  if (ctx.args().Has("verify")) {
    v1::GetVerificationKeysResponse keys;
    absl::Status s = ctx.Call(&v1::TrustService::Stub::GetVerificationKeys,
                              v1::GetVerificationKeysRequest(), &keys);
    if (!s.ok()) return s;
    checkpoint_key = keys.checkpoint_key();
    if (checkpoint_key.empty()) {
      return absl::FailedPreconditionError(
          "--verify: the broker publishes no checkpoint key");
    }
  }
  v1::GetAccessHistoryResponse all;
  size_t verified = 0;
  size_t not_verifiable = 0;
  absl::Status s = CollectPages(
      [&](const std::string& token, v1::GetAccessHistoryResponse* page) {
        v1::GetAccessHistoryRequest request;
        request.set_page_token(token);
        absl::Status called = ctx.Call(
            &v1::ConsentService::Stub::GetAccessHistory, request, page);
        if (!called.ok() || checkpoint_key.empty()) return called;
        absl::StatusOr<uint64_t> checked =
            auditlog::VerifyAccessHistoryPage(*page, checkpoint_key);
        if (!checked.ok()) return checked.status();
        const size_t unverifiable = auditlog::UnverifiableRecords(*page);
        verified += page->records_size() - unverifiable;
        not_verifiable += unverifiable;
        return absl::OkStatus();
      },
      &all);
  if (!s.ok()) return s;
  if (!checkpoint_key.empty()) {
    ctx.err() << "verified " << verified
              << " records: each is in the signed audit log and holds your "
                 "commitment\n";
    if (not_verifiable > 0) {
      ctx.err() << "not verifiable: " << not_verifiable
                << " records, recorded before subject commitments (their "
                   "log entries also name other people, so they are not "
                   "served)\n";
    }
  }
  return ctx.output().ShowList(
      all, "records",
      {"issued_at", "partner", "dataset_id", "purpose", "fields", "grant_id"});
}

absl::Status Requests(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({}); !s.ok()) return s;
  v1::ListOpenRequestsResponse all;
  absl::Status s = CollectPages(
      [&](const std::string& token, v1::ListOpenRequestsResponse* page) {
        v1::ListOpenRequestsRequest request;
        request.set_page_token(token);
        return ctx.Call(&v1::ConsentService::Stub::ListOpenRequests, request,
                        page);
      },
      &all);
  if (!s.ok()) return s;
  if (all.requests().empty()) return ctx.output().ShowText(all, "(none)\n");
  std::vector<std::vector<std::string>> rows = {
      {"REQUEST", "VERSION", "PARTNER", "PURPOSE", "CLOSES_AT", "YOUR_ANSWER",
       "NEEDS_ANSWER", "TITLE"}};
  for (const v1::OpenRequest& open : all.requests()) {
    const v1::ConsentRequest& r = open.request();
    std::string answer = "-";
    if (open.has_answer()) {
      answer = absl::StrCat(FieldText(open.answer(), "state"), " (version ",
                            open.answer().request_version(), ")");
    }
    rows.push_back({r.id(), absl::StrCat(r.version()), r.partner(),
                    r.current().purpose(), FieldText(r.current(), "closes_at"),
                    answer, open.needs_answer() ? "yes" : "no",
                    r.current().title().fr()});
  }
  return ctx.output().ShowText(all, FormatRows(rows));
}

// --lang: fr (default) or en.
absl::StatusOr<policy::Language> NoticeLanguage(
    const cmdline::ParsedArgs& args) {
  policy::Language language = policy::Language::kFr;
  if (std::optional<std::string> lang = args.Get("lang");
      lang.has_value() && !policy::ParseLanguage(*lang, &language)) {
    return cmdline::UsageError("--lang: expected fr or en");
  }
  return language;
}

absl::StatusOr<v1::OpenRequest> GetOpen(CommandContext& ctx,
                                        const std::string& id) {
  v1::GetOpenRequestRequest get;
  get.set_request_id(id);
  v1::OpenRequest open;
  absl::Status s =
      ctx.Call(&v1::ConsentService::Stub::GetOpenRequest, get, &open);
  if (!s.ok()) return s;
  return open;
}

absl::Status Notice(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({"REQUEST_ID"}); !s.ok()) {
    return s;
  }
  absl::StatusOr<policy::Language> language = NoticeLanguage(args);
  if (!language.ok()) return language.status();
  absl::StatusOr<v1::OpenRequest> open = GetOpen(ctx, args.positionals()[0]);
  if (!open.ok()) return open.status();
  const bool fr = *language == policy::Language::kFr;
  std::string text = NoticeText(open->request(), *language);
  if (open->has_answer()) {
    absl::StrAppend(&text, fr ? "Votre réponse : " : "Your answer: ",
                    FieldText(open->answer(), "state"), " (version ",
                    open->answer().request_version(), ")\n");
  }
  absl::StrAppend(&text, open->needs_answer()
                             ? (fr ? "Une réponse est attendue.\n"
                                   : "An answer is needed.\n")
                             : (fr ? "Aucune réponse n'est attendue.\n"
                                   : "No answer is needed.\n"));
  return ctx.output().ShowText(*open, text);
}

absl::Status Answer(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({"REQUEST_ID"}); !s.ok()) {
    return s;
  }
  if (args.Has("accept") == args.Has("refuse")) {
    return cmdline::UsageError(
        "exactly one of --accept and --refuse is required");
  }
  if (args.Has("version") != args.Has("notice-hash")) {
    return cmdline::UsageError("--version and --notice-hash go together");
  }
  absl::StatusOr<std::optional<uint64_t>> version =
      args.GetUint("version", UINT32_MAX);
  if (!version.ok()) return version.status();
  absl::StatusOr<policy::Language> language = NoticeLanguage(args);
  if (!language.ok()) return language.status();
  absl::StatusOr<v1::OpenRequest> open = GetOpen(ctx, args.positionals()[0]);
  if (!open.ok()) return open.status();
  // The answer names the version shown and the hash of the notice shown:
  // the one fetched now, or the one read earlier (--version, --notice-hash).
  // If the request changed in between, the broker refuses the answer.
  const v1::ConsentRequest& shown = open->request();
  v1::RequestAnswer answer;
  answer.set_request_id(shown.id());
  if (version->has_value()) {
    answer.set_version(static_cast<uint32_t>(**version));
    answer.set_notice_hash(args.GetOr("notice-hash", ""));
  } else {
    absl::StatusOr<std::string> hash = NoticeHash(shown);
    if (!hash.ok()) return hash.status();
    answer.set_version(shown.version());
    answer.set_notice_hash(*hash);
  }
  v1::GiveConsentResponse response;
  absl::Status s;
  std::string outcome;
  if (args.Has("accept")) {
    v1::GiveConsentRequest request;
    *request.mutable_request() = answer;
    request.set_channel(std::string(kChannel));
    s = ctx.Call(&v1::ConsentService::Stub::GiveConsent, request, &response);
    const int64_t until = response.consent().expires_at();
    outcome = absl::StrCat("you accepted version ", answer.version(),
                           " of request ", shown.id(), ": consent ",
                           response.consent().id(), until == 0 ? "" : " until ",
                           until == 0 ? "" : FormatRfc3339(until));
  } else {
    v1::RefuseConsentRequestRequest request;
    *request.mutable_request() = answer;
    request.set_channel(std::string(kChannel));
    s = ctx.Call(&v1::ConsentService::Stub::RefuseConsentRequest, request,
                 &response);
    outcome = absl::StrCat("you refused version ", answer.version(),
                           " of request ", shown.id());
  }
  if (!s.ok()) return s;
  // Text: the notice answered, unless an earlier reading was answered.
  std::string text = version->has_value()
                         ? ""
                         : absl::StrCat(NoticeText(shown, *language), "\n");
  return ctx.output().ShowText(response, absl::StrCat(text, outcome, "\n"));
}

absl::Status Export(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({}); !s.ok()) return s;
  v1::ExportConsentRecordsResponse response;
  absl::Status s = ctx.Call(&v1::ConsentService::Stub::ExportConsentRecords,
                            v1::ExportConsentRecordsRequest(), &response);
  if (!s.ok()) return s;
  // The document is JSON already: printed as the broker wrote it.
  return ctx.output().ShowJson(response.document(), response.document());
}

// Erasure is final: refused without --yes.
absl::Status Erase(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({}); !s.ok()) return s;
  if (!ctx.args().Has("yes")) {
    return cmdline::UsageError(
        "erasing your data cannot be undone: every consent is withdrawn, "
        "the grants naming you are revoked and your records deleted; add "
        "--yes to confirm");
  }
  v1::EraseMeRequest request;
  request.set_channel(std::string(kChannel));
  v1::ErasureResponse response;
  absl::Status s =
      ctx.Call(&v1::ConsentService::Stub::EraseMe, request, &response);
  if (!s.ok()) return s;
  return ctx.output().ShowText(response, ErasureText(response));
}

}  // namespace

CommandGroup ConsentCommands() {
  return {
      "consent",
      "a citizen's consents: give, withdraw, list, show, access history; "
      "consent requests: list, read, answer; export of the records",
      {
          {{"give"},
           "--dataset D --purpose X (--partner P | --category C) "
           "[--expires RFC3339|unix]",
           "consent to the use of your data; prints the signed receipt",
           {{"dataset", A::kValue, "D", "dataset id", {}},
            {"purpose", A::kValue, "X", "purpose id", {}},
            {"partner", A::kValue, "P", "the one partner allowed", {}},
            {"category", A::kValue, "C", "the partner category allowed", {}},
            {"expires", A::kValue, "TIME", "RFC 3339 or Unix seconds", {}}},
           Give},
          {{"withdraw"}, "CONSENT_ID", "withdraw a consent", {}, Withdraw},
          {{"list"},
           "[--dataset D]",
           "list your consents",
           {{"dataset", A::kValue, "D", "only this dataset", {}}},
           List},
          {{"show"},
           "CONSENT_ID [--receipt]",
           "show a consent with its events",
           {{"receipt",
             A::kSwitch,
             "",
             "also a fresh signed receipt, verified against the broker's keys",
             {}}},
           Show},
          {{"history"},
           "[--verify]",
           "the grants that named you",
           {{"verify",
             A::kSwitch,
             "",
             "check each record against the signed audit log",
             {}}},
           History},
          {{"requests"},
           "",
           "the consent requests open now, with your answer and whether one "
           "is needed",
           {},
           Requests},
          {{"notice"},
           "REQUEST_ID [--lang fr|en]",
           "a request's notice in words, with its version, its hash and your "
           "answer",
           {{"lang",
             A::kValue,
             "fr|en",
             "language of the notice (default fr)",
             {}}},
           Notice},
          {{"answer"},
           "REQUEST_ID (--accept | --refuse) [--version N --notice-hash H] "
           "[--lang fr|en]",
           "accept or refuse the current version of a request, showing its "
           "notice",
           {{"accept", A::kSwitch, "", "consent to what the notice says", {}},
            {"refuse", A::kSwitch, "", "refuse; you are not asked again", {}},
            {"version",
             A::kValue,
             "N",
             "answer the version you read earlier (with --notice-hash)",
             {}},
            {"notice-hash",
             A::kValue,
             "H",
             "the hash of the notice you read; refused if it changed since",
             {}},
            {"lang",
             A::kValue,
             "fr|en",
             "language of the notice (default fr)",
             {}}},
           Answer},
          {{"export"},
           "",
           "every consent record of yours as one JSON document (ISO/IEC TS "
           "27560 records)",
           {},
           Export},
          {{"erase"},
           "--yes",
           "erase everything Accord holds about you (consents withdrawn, "
           "grants revoked, records deleted); prints the signed erasure "
           "receipt",
           {{"yes",
             A::kSwitch,
             "",
             "confirm: the erasure cannot be undone",
             {}}},
           Erase},
      }};
}

}  // namespace accord::client
