// accord grant request|request-batch|release|verify — access grants through
// AccessService.
// `grant verify` checks a grant offline with the grant-verifier library, as
// a data service would, and needs no broker connection.

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "accord/v1/access.grpc.pb.h"
#include "broker/cmdline/usage_error.h"
#include "broker/formats/json.h"
#include "clients/commands.h"
#include "clients/grant_batch.h"
#include "clients/time_format.h"
#include "clients/verifier/grant_verifier.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using A = cmdline::FlagSpec::Arity;

absl::Status Request(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  v1::RequestGrantRequest request;
  absl::StatusOr<std::string> dataset = args.Require("dataset");
  if (!dataset.ok()) return dataset.status();
  absl::StatusOr<std::string> purpose = args.Require("purpose");
  if (!purpose.ok()) return purpose.status();
  absl::StatusOr<std::string> audience = args.Require("audience");
  if (!audience.ok()) return audience.status();
  absl::StatusOr<std::optional<uint64_t>> lifetime =
      args.GetUint("lifetime", UINT32_MAX);
  if (!lifetime.ok()) return lifetime.status();
  request.set_dataset_id(*dataset);
  request.set_purpose(*purpose);
  request.set_audience(*audience);
  for (const std::string& f : args.GetList("fields")) request.add_fields(f);
  for (const std::string& s : args.GetList("subjects")) request.add_subjects(s);
  request.set_lifetime_seconds(static_cast<uint32_t>(lifetime->value_or(0)));
  request.set_location(args.GetOr("location", ""));
  v1::RequestGrantResponse response;
  absl::Status s =
      ctx.Call(&v1::AccessService::Stub::RequestGrant, request, &response);
  if (!s.ok()) return s;
  std::vector<std::string> ids;
  for (const v1::Grant& g : response.grants()) ids.push_back(g.id());
  return ctx.output().ShowChange(
      response,
      ids.empty() ? std::string("no grant issued: the decision is recorded "
                                "in the audit log with its reasons")
                  : absl::StrCat(ids.size() == 1 ? "grant " : "grants ",
                                 absl::StrJoin(ids, ", "), " issued for ",
                                 *dataset, " (", *purpose, ") to ", *audience));
}

// Reads the batch file named on the command line, "-" for stdin. Returns
// its text, or a usage error naming the file.
absl::StatusOr<std::string> ReadBatchFile(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return cmdline::UsageError(absl::StrCat(path, ": cannot read"));
  text << in.rdbuf();
  return text.str();
}

// Sends every request of the file in one RequestGrants call. Exits 0 when
// the broker answered the batch, whatever each answer: each result carries
// its own status and decision.
absl::Status RequestBatch(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({"FILE"}); !s.ok()) return s;
  const std::string& path = args.positionals()[0];
  absl::StatusOr<std::string> text = ReadBatchFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<v1::RequestGrantsRequest> request =
      ParseGrantBatch(*text, path == "-" ? "stdin" : path);
  if (!request.ok()) return request.status();
  v1::RequestGrantsResponse response;
  absl::Status s =
      ctx.Call(&v1::AccessService::Stub::RequestGrants, *request, &response);
  if (!s.ok()) return s;
  return ctx.output().ShowText(response, GrantBatchText(response));
}

absl::Status Release(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({"GRANT_ID"}); !s.ok()) {
    return s;
  }
  v1::ReleaseGrantRequest request;
  request.set_grant_id(ctx.args().positionals()[0]);
  v1::ReleaseGrantResponse response;
  absl::Status s =
      ctx.Call(&v1::AccessService::Stub::ReleaseGrant, request, &response);
  if (!s.ok()) return s;
  return ctx.output().ShowChange(
      response, absl::StrCat("released grant ", request.grant_id(),
                             "; data services that watch revocations "
                             "refuse it from now on"));
}

// Reads the PEM file given to --cert. Returns its text, or a usage error
// naming --cert.
absl::StatusOr<std::string> ReadCertFlag(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return cmdline::UsageError(absl::StrCat("--cert: cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The verified grant as one JSON document: the outcome, the key, the
// bound certificate check, then every claim as signed.
absl::StatusOr<std::string> VerifiedJson(const verifier::Grant& g,
                                         bool cert_checked,
                                         bool audience_checked) {
  absl::StatusOr<formats::JsonValue> claims = formats::ParseJson(g.claims_json);
  if (!claims.ok()) return claims.status();
  formats::JsonValue out = formats::JsonValue::Object();
  out.Set("valid", true)
      .Set("kid", g.kid)
      .Set("alg", g.algorithm)
      .Set("audience_checked", audience_checked)
      .Set("certificate_checked", cert_checked)
      .Set("expires_at", FormatRfc3339(g.expires_at))
      // The token's claims as it carries them (NumericDate times).
      .Set("claims", *std::move(claims));
  return out.Serialize();
}

std::string VerifiedText(const verifier::Grant& g, bool cert_checked,
                         bool audience_checked) {
  std::string text =
      absl::StrCat("valid: true\n", "kid: ", g.kid, "\n", "alg: ", g.algorithm,
                   "\n", "partner: ", g.partner, "\n", "audience: ", g.audience,
                   audience_checked ? "" : " (not checked)", "\n",
                   "dataset: ", g.dataset, "\n", "purpose: ", g.purpose, "\n",
                   "fields: ", absl::StrJoin(g.fields, ", "), "\n");
  if (g.has_subjects) {
    absl::StrAppend(&text, "subjects: ", absl::StrJoin(g.subjects, ", "), "\n");
  }
  absl::StrAppend(&text, "expires_at: ", FormatRfc3339(g.expires_at), "\n",
                  "cnf: ", g.cnf_x5t_s256,
                  cert_checked ? " (matches --cert)" : " (not checked)", "\n");
  return text;
}

absl::Status Verify(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({"TOKEN"}); !s.ok()) return s;
  absl::StatusOr<std::string> jwks = args.Require("jwks");
  if (!jwks.ok()) return jwks.status();
  const int64_t now = ctx.now();
  verifier::JwksSource::Options source_options;
  source_options.now = [now] { return absl::FromUnixSeconds(now); };
  source_options.ca_file = args.GetOr("jwks-ca", "");
  if (const std::optional<std::string> http = args.Get("jwks-http");
      http.has_value()) {
    if (*http != "loopback") {
      return cmdline::UsageError("--jwks-http: the only value is loopback");
    }
    source_options.allow_loopback_http = true;
  }
  absl::StatusOr<std::unique_ptr<verifier::JwksSource>> source =
      verifier::JwksSource::Open(*jwks, source_options);
  if (!source.ok()) {
    if (source.status().code() == absl::StatusCode::kInvalidArgument) {
      return cmdline::UsageError(
          absl::StrCat("--jwks: ", source.status().message()));
    }
    return source.status();
  }
  verifier::GrantVerifierOptions options;
  options.now = source_options.now;
  const std::optional<std::string> audience = args.Get("audience");
  options.audience = audience.value_or("");
  options.skip_audience_check = !audience.has_value();
  if (audience.has_value() && audience->empty()) {
    return cmdline::UsageError("--audience: empty");
  }
  options.issuer = args.GetOr("issuer", "");
  absl::StatusOr<std::optional<uint64_t>> skew = args.GetUint("skew", 3600);
  if (!skew.ok()) return skew.status();
  options.skew_seconds = static_cast<int64_t>(skew->value_or(60));
  const verifier::GrantVerifier grant_verifier(*std::move(source), options);
  const std::string& token = args.positionals()[0];
  absl::StatusOr<verifier::Grant> grant;
  const std::optional<std::string> cert_path = args.Get("cert");
  if (cert_path.has_value()) {
    absl::StatusOr<std::string> pem = ReadCertFlag(*cert_path);
    if (!pem.ok()) return pem.status();
    grant = grant_verifier.VerifyForCertificate(token, *pem);
  } else {
    grant = grant_verifier.VerifyUnbound(token);
  }
  if (!grant.ok()) return grant.status();
  absl::StatusOr<std::string> json =
      VerifiedJson(*grant, cert_path.has_value(), audience.has_value());
  if (!json.ok()) return json.status();
  return ctx.output().ShowJson(
      *json, VerifiedText(*grant, cert_path.has_value(), audience.has_value()));
}

}  // namespace

CommandGroup GrantCommands() {
  return {
      "grant",
      "access grants: request, request-batch, release, verify",
      {
          {{"request"},
           "--dataset D --purpose X --audience A [--fields ...] "
           "[--subjects ...] [--lifetime S] [--location L]",
           "ask for a signed access grant",
           {{"dataset", A::kValue, "D", "dataset id", {}},
            {"purpose", A::kValue, "X", "purpose id", {}},
            {"audience", A::kValue, "A", "the data service", {}},
            {"fields", A::kValue, "a,b", "requested fields", {}},
            {"subjects", A::kValue, "s1,s2", "subject pseudonyms", {}},
            {"lifetime", A::kValue, "S", "requested lifetime, seconds", {}},
            {"location",
             A::kValue,
             "L",
             "where the data will be processed, e.g. eu or us (default eu)",
             {}}},
           Request},
          {{"request-batch"},
           "FILE|-",
           "ask for up to 100 grants in one call, each answered on its own "
           "(in order); FILE is a JSON array of requests, each with the "
           "fields of 'grant request': {\"dataset_id\", \"purpose\", "
           "\"audience\", \"fields\": [...], \"subjects\": [...], "
           "\"lifetime_seconds\", \"location\"}",
           {},
           RequestBatch},
          {{"release"},
           "GRANT_ID",
           "give a grant back before it expires",
           {},
           Release},
          {{"verify"},
           "TOKEN --jwks URL|FILE [--jwks-ca PEM] [--jwks-http loopback] "
           "[--audience A] [--cert PEM] [--skew S]",
           "verify a grant offline: signature, lifetime, audience, cnf",
           {{"jwks", A::kValue, "URL|FILE", "the broker's JWKS", {}},
            {"jwks-ca",
             A::kValue,
             "PEM",
             "CA of the JWKS server's certificate (https)",
             {}},
            {"jwks-http",
             A::kValue,
             "loopback",
             "accept a plain http JWKS URL towards loopback",
             {}},
            {"audience", A::kValue, "A", "expected audience", {}},
            {"issuer", A::kValue, "I", "expected issuer", {}},
            {"skew", A::kValue, "S", "tolerated clock skew, seconds (60)", {}},
            {"cert",
             A::kValue,
             "PEM",
             "client certificate cnf must match",
             {}}},
           Verify},
      }};
}

}  // namespace accord::client
