// accord revocations watch — follows TrustService.WatchRevocations: the
// grants revoked by withdrawn consents, objections and releases.

#include <iostream>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "accord/v1/trust.grpc.pb.h"
#include "broker/cmdline/usage_error.h"
#include "clients/commands.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;
using A = cmdline::FlagSpec::Arity;

absl::StatusOr<uint64_t> UnsignedFlag(const cmdline::ParsedArgs& args,
                                      absl::string_view name,
                                      uint64_t fallback) {
  std::optional<std::string> text = args.Get(name);
  if (!text) return fallback;
  uint64_t value;
  if (!absl::SimpleAtoi(*text, &value)) {
    return cmdline::UsageError(
        absl::StrCat("--", name, ": not a non-negative integer"));
  }
  return value;
}

// One line per revocation: JSON Lines with --output json, else
// "REVISION CAUSE GRANT_ID,...".
absl::Status Print(CommandContext& ctx, const v1::Revocation& r) {
  if (ctx.output().format() == OutputFormat::kJson) {
    absl::StatusOr<std::string> json = ToJson(r);
    if (!json.ok()) return json.status();
    std::cout << *json << "\n" << std::flush;
    return absl::OkStatus();
  }
  std::cout << r.revision() << " " << r.cause() << " "
            << absl::StrJoin(r.grant_ids(), ",") << "\n"
            << std::flush;
  return absl::OkStatus();
}

absl::Status Watch(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({}); !s.ok()) return s;
  absl::StatusOr<uint64_t> after = UnsignedFlag(args, "after", 0);
  if (!after.ok()) return after.status();
  absl::StatusOr<uint64_t> count =
      UnsignedFlag(args, "count", std::numeric_limits<uint64_t>::max());
  if (!count.ok()) return count.status();
  absl::StatusOr<const Connection*> connection = ctx.Connect();
  if (!connection.ok()) return connection.status();
  v1::TrustService::Stub stub((*connection)->channel());
  grpc::ClientContext context;
  (*connection)->Prepare(&context);
  // A watch follows until stopped, unless --timeout bounds it.
  const bool bounded = args.Has("timeout");
  if (!bounded)
    context.set_deadline(std::chrono::system_clock::time_point::max());
  v1::WatchRevocationsRequest request;
  request.set_after_revision(*after);
  std::unique_ptr<grpc::ClientReader<v1::WatchRevocationsResponse>> reader =
      stub.WatchRevocations(&context, request);
  v1::WatchRevocationsResponse message;
  uint64_t seen = 0;
  while (seen < *count && reader->Read(&message)) {
    if (absl::Status s = Print(ctx, message.revocation()); !s.ok()) return s;
    ++seen;
  }
  if (seen == *count) {
    context.TryCancel();
    reader->Finish();
    return absl::OkStatus();
  }
  absl::Status s = ctx.WithHint(rpc::FromGrpc(reader->Finish()));
  if (bounded && absl::IsDeadlineExceeded(s)) return absl::OkStatus();
  return s;
}

}  // namespace

CommandGroup TrustCommands() {
  return {"revocations",
          "grants revoked before their expiry (withdrawn consents, releases)",
          {
              {{"watch"},
               "[--after REV] [--count N]",
               "print revocations committed after REV, then follow new ones; "
               "with --output json, JSON lines: one object per revocation "
               "(revision, cause, grant_ids, ...) on a line of its own",
               {{"after",
                 A::kValue,
                 "REV",
                 "resume after this revision (default 0: from the start)",
                 {}},
                {"count", A::kValue, "N", "stop after N revocations", {}}},
               Watch},
          }};
}

}  // namespace accord::client
