#ifndef ACCORD_CLIENTS_EXIT_CODES_H_
#define ACCORD_CLIENTS_EXIT_CODES_H_

// The exit codes of the `accord` command line (see RunCli in cli.h).

namespace accord::client {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;  // the broker or a file said no
inline constexpr int kExitUsage = 2;  // bad command line, or not available

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_EXIT_CODES_H_
