#ifndef ACCORD_BROKER_SERVICE_CONFIG_FLAGS_H_
#define ACCORD_BROKER_SERVICE_CONFIG_FLAGS_H_

// The broker's command line, made from the config table of config.cc:
// its flags for broker/cmdline's parser, and the config they give.

#include <vector>

#include "absl/status/statusor.h"
#include "broker/cmdline/flags.h"
#include "broker/service/config.h"

namespace accord::service {

// The broker's flags: --config FILE, --dev DATA_DIR, and every key of
// ConfigKeys() but citizen_issuers, with dashes (--max-subjects-per-grant;
// underscores are accepted too, and --grpc-addr and --http-addr name
// grpc_address and http_address). Each may be given more than once: the
// last one counts (every --config file is read, in order).
std::vector<cmdline::FlagSpec> ConfigFlagSpecs();

// Reads the YAML config files of --config (if any), then applies the
// environment (ACCORD_GRPC_ADDR, ACCORD_HTTP_ADDR, ACCORD_DATA_DIR), then
// --dev, then the other flags of `flags` (parsed against ConfigFlagSpecs(),
// perhaps with more flags, which it ignores). Returns INVALID_ARGUMENT
// naming the key or flag at fault, or a positional argument. LoadConfig
// (config.h) is this over ParseFlags(argv, ConfigFlagSpecs()).
absl::StatusOr<BrokerConfig> ConfigFromFlags(const cmdline::ParsedArgs& flags);

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_CONFIG_FLAGS_H_
