#ifndef ACCORD_CLIENTS_CMD_SUBJECT_KEY_H_
#define ACCORD_CLIENTS_CMD_SUBJECT_KEY_H_

// Court-ordered tracing of one subject in the audit log: the operator hands
// the subject's commitment key to an auditor, who finds the subject's
// entries offline (broker/auditlog/commitment.h).

#include "absl/status/status.h"
#include "clients/command.h"

namespace accord::client {

// `accord admin subject-key export --subject P --legal-reference REF
// --out FILE`: AdminService.ExportSubjectKey, the key written to FILE (new,
// mode 0600) as 64 hex digits and a newline. Returns OK, the call's error,
// or the file's (FILE already exists: ALREADY_EXISTS).
absl::Status ExportSubjectKeyCommand(CommandContext& ctx);

// `accord audit trace --subject P --subject-key-file F`: every entry of the
// log (GetEntries) that concerns P: a version 2 entry holding P's
// commitment under the key in F, a version 1 entry naming P. Shows them as
// `audit entries` does. Returns OK, or a usage error (F unreadable or not
// a key), the call's error, or DATA_LOSS for an entry that does not decode.
absl::Status TraceCommand(CommandContext& ctx);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_CMD_SUBJECT_KEY_H_
