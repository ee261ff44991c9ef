// accord grant request|release|verify — access grants through AccessService.
// `grant verify` checks a grant offline with the grant-verifier library and
// is not available until that library is linked.

#include "absl/strings/str_cat.h"
#include "accord/v1/access.grpc.pb.h"
#include "clients/commands.h"
#include "clients/usage_error.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using A = FlagSpec::Arity;

absl::Status Request(CommandContext& ctx) {
  const ParsedArgs& args = ctx.args();
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
  v1::RequestGrantResponse response;
  absl::Status s =
      ctx.Call(&v1::AccessService::Stub::RequestGrant, request, &response);
  if (!s.ok()) return s;
  return ctx.output().Show(response);
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
  return ctx.output().Show(response);
}

absl::Status Verify(CommandContext& ctx) {
  if (absl::Status s = ctx.args().ExpectPositionals({"TOKEN"}); !s.ok()) {
    return s;
  }
  if (absl::StatusOr<std::string> jwks = ctx.args().Require("jwks");
      !jwks.ok()) {
    return jwks.status();
  }
  return NotAvailableError(
      "grant verify is not available yet in this build (needs the grant "
      "verifier library)");
}

}  // namespace

CommandGroup GrantCommands() {
  return {
      "grant",
      "access grants: request, release, verify",
      {
          {{"request"},
           "--dataset D --purpose X --audience A [--fields ...] "
           "[--subjects ...] [--lifetime S]",
           "ask for a signed access grant",
           {{"dataset", A::kValue, "D", "dataset id", {}},
            {"purpose", A::kValue, "X", "purpose id", {}},
            {"audience", A::kValue, "A", "the data service", {}},
            {"fields", A::kValue, "a,b", "requested fields", {}},
            {"subjects", A::kValue, "s1,s2", "subject pseudonyms", {}},
            {"lifetime", A::kValue, "S", "requested lifetime, seconds", {}}},
           Request},
          {{"release"}, "GRANT_ID", "give a grant back before it expires", {},
           Release},
          {{"verify"}, "TOKEN --jwks URL|FILE [--audience A] [--cert PEM]",
           "verify a grant offline (not available yet)",
           {{"jwks", A::kValue, "URL|FILE", "the broker's JWKS", {}},
            {"audience", A::kValue, "A", "expected audience", {}}},
           Verify},
      }};
}

}  // namespace accord::client
