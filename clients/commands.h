#ifndef ACCORD_CLIENTS_COMMANDS_H_
#define ACCORD_CLIENTS_COMMANDS_H_

// The command groups of the `accord` CLI, one per cmd_<group>.cc. To add a
// group, write its file and list it in AllCommandGroups (cli.cc).

#include <vector>

#include "clients/command.h"

namespace accord::client {

CommandGroup DatasetCommands();  // cmd_dataset.cc
CommandGroup PolicyCommands();   // cmd_policy.cc
CommandGroup ConsentCommands();  // cmd_consent.cc
CommandGroup RequestCommands();  // cmd_request.cc
CommandGroup GrantCommands();    // cmd_grant.cc
CommandGroup AuditCommands();    // cmd_audit.cc
CommandGroup TrustCommands();    // cmd_trust.cc
CommandGroup AdminCommands();    // cmd_admin.cc
CommandGroup DevCommands();      // cmd_dev.cc

// Every group, in the order `accord --help` lists them.
std::vector<CommandGroup> AllCommandGroups();

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_COMMANDS_H_
