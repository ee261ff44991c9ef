// accord dev citizen-token NAME — development helpers. Development only.

#include "absl/strings/str_cat.h"
#include "broker/dev/dev_layout.h"
#include "broker/formats/json.h"
#include "clients/commands.h"
#include "clients/dev_token.h"
#include "clients/time_format.h"

namespace accord::client {
namespace {

absl::Status CitizenToken(CommandContext& ctx) {
  const cmdline::ParsedArgs& args = ctx.args();
  if (absl::Status s = args.ExpectPositionals({"NAME"}); !s.ok()) return s;
  // Here DATA_DIR defaults as for --dev even when --dev is not given.
  std::string data_dir = args.GetOr("dev", "");
  if (data_dir.empty()) {
    std::optional<std::string> env = ctx.env()(dev::kDataDirEnv);
    data_dir = env.has_value() && !env->empty()
                   ? *env
                   : std::string(dev::kDefaultDataDir);
  }
  const std::string& name = args.positionals()[0];
  absl::StatusOr<std::string> token =
      MintDevCitizenTokenFromDataDir(data_dir, name, ctx.now());
  if (!token.ok()) return token.status();
  formats::JsonValue json = formats::JsonValue::Object();
  json.Set("token", *token)
      .Set("sub", name)
      .Set("iss", dev::kIssuer)
      .Set("expires_at",
           FormatRfc3339(ctx.now() + dev::kCitizenTokenLifetimeSeconds));
  return ctx.output().ShowJson(json.Serialize(), *token);
}

}  // namespace

CommandGroup DevCommands() {
  return {"dev",
          "development helpers (dev mode only)",
          {
              {{"citizen-token"},
               "NAME [--dev DATA_DIR]",
               "print a development citizen token for NAME, valid one hour",
               {},
               CitizenToken},
          }};
}

}  // namespace accord::client
