#ifndef ACCORD_CLIENTS_COMMAND_H_
#define ACCORD_CLIENTS_COMMAND_H_

// The shape of a CLI command and what it gets to run: parsed flags, the
// output, and a lazily opened broker connection. Each command group lives in
// its own cmd_<group>.cc and is listed in commands.h.

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/cmdline/flags.h"
#include "broker/rpc/status.h"
#include "clients/connection.h"
#include "clients/output.h"
#include "clients/retry.h"
#include "grpcpp/client_context.h"

namespace accord::client {

// What a running command may use. Not thread-safe; one per invocation.
class CommandContext {
 public:
  CommandContext(const cmdline::ParsedArgs* args, Output* output,
                 std::ostream* err, EnvLookup env, int64_t now)
      : args_(args),
        output_(output),
        err_(err),
        env_(std::move(env)),
        now_(now) {}

  const cmdline::ParsedArgs& args() const { return *args_; }
  Output& output() { return *output_; }
  std::ostream& err() { return *err_; }
  const EnvLookup& env() const { return env_; }
  int64_t now() const { return now_; }

  // Resolves the connection flags and opens the channel on first use.
  // Returns the connection, or the usage or file error (see connection.h).
  absl::StatusOr<const Connection*> Connect();

  // Returns `status` with a hint line added where the CLI can tell more than
  // gRPC: with --dev DIR, a TLS handshake that failed because the broker's
  // certificate does not verify against DIR's CA adds "the broker's
  // certificate is not signed by the CA in DIR/dev-pki/ca.pem: is DIR the
  // broker's dev directory?". Other statuses are returned unchanged.
  absl::Status WithHint(absl::Status status) const;

  // Calls the unary RPC `method` of a generated stub with `request`. Returns
  // OK with `*response` filled, the connection error, or the RPC's status
  // (with WithHint's hint). A write request (one with a client_request_id)
  // gets a fresh request id and is retried with it on UNAVAILABLE and
  // DEADLINE_EXCEEDED (retry.h).
  template <typename Stub, typename Request, typename Response>
  absl::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Response*),
                    const Request& request, Response* response) {
    absl::StatusOr<const Connection*> connection = Connect();
    if (!connection.ok()) return connection.status();
    Request sent = request;
    const bool retryable = SetClientRequestId(&sent);
    Stub stub((*connection)->channel());
    return WithHint(rpc::FromGrpc(WithRetries(retryable, [&] {
      grpc::ClientContext context;
      (*connection)->Prepare(&context);
      response->Clear();
      return (stub.*method)(&context, sent, response);
    })));
  }

 private:
  const cmdline::ParsedArgs* args_;
  Output* output_;
  std::ostream* err_;
  EnvLookup env_;
  int64_t now_;
  std::optional<Connection> connection_;
};

struct Command {
  std::vector<std::string>
      path;              // words after the group, e.g. {"principal", "add"}
  std::string synopsis;  // positionals and required flags
  std::string summary;   // one line
  std::vector<cmdline::FlagSpec> flags;  // besides the connection flags
  std::function<absl::Status(CommandContext&)> run;
};

struct CommandGroup {
  std::string name;
  std::string summary;
  std::vector<Command> commands;
};

// Fetches every page of a paged list: calls `fetch(page_token, &page)`
// from an empty token until the broker returns an empty next_page_token,
// or `enough(*all)` holds, and appends each page to `*all` (its
// next_page_token left empty). Returns OK, the first fetch error, or
// DATA_LOSS when the broker repeats a token.
template <typename Response, typename Fetch>
absl::Status CollectPages(
    Fetch fetch, Response* all,
    const std::type_identity_t<std::function<bool(const Response&)>>& enough =
        nullptr) {
  std::string token;
  for (;;) {
    if (enough && enough(*all)) return absl::OkStatus();
    Response page;
    absl::Status status = fetch(token, &page);
    if (!status.ok()) return status;
    std::string next = page.next_page_token();
    page.clear_next_page_token();
    all->MergeFrom(page);
    if (next.empty()) return absl::OkStatus();
    if (next == token) {
      return absl::DataLossError("broker returned the same page token twice");
    }
    token = std::move(next);
  }
}

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_COMMAND_H_
