#ifndef ACCORD_CLIENTS_CMD_POLICY_OFFLINE_H_
#define ACCORD_CLIENTS_CMD_POLICY_OFFLINE_H_

// The `accord policy` commands that need no broker: `policy test` (policy
// test suites) and `policy purposes` (the purpose taxonomy). Both read the
// default taxonomy, extended with --taxonomy FILE when given.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/command.h"
#include "policy/taxonomy.h"

namespace accord::client {

// The default purpose taxonomy, extended with --taxonomy FILE when given.
// Returns INVALID_ARGUMENT naming the file and line of a bad extension, or
// the error of reading it.
absl::StatusOr<policy::Taxonomy> LoadTaxonomy(const cmdline::ParsedArgs& args);

// accord policy test FILE... [--taxonomy FILE]: runs every suite, even
// after a failing one. Returns FAILED_PRECONDITION when a case failed or a
// suite could not run, after printing every result.
absl::Status PolicyTest(CommandContext& ctx);

// accord policy purposes [--lang fr|en] [--taxonomy FILE]: every purpose
// of the taxonomy, parents first: id, parent, labels and descriptions in
// French and English, DPV IRI. Text: a table of id and label (in --lang,
// default en). Returns a usage error for another --lang.
absl::Status PolicyPurposes(CommandContext& ctx);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_CMD_POLICY_OFFLINE_H_
