#ifndef ACCORD_CLIENTS_CLI_H_
#define ACCORD_CLIENTS_CLI_H_

// The `accord` command line: finds the command, parses its flags, runs it
// and turns the outcome into an exit code.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "clients/command.h"
#include "clients/exit_codes.h"

namespace accord::client {

// Runs `accord` with `args` (without the program name) at time `now`.
// Results go to `out` (with --output json: exactly one JSON document and
// nothing else); errors go to `err` as one line "accord: <CODE>: <message>".
// Returns kExitOk, kExitError for RPC and file errors, kExitUsage for usage
// errors and commands not available in this build. --help anywhere prints
// the usage of the group or command named before it and returns kExitOk.
int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err, const EnvLookup& env, int64_t now);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_CLI_H_
