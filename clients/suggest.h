#ifndef ACCORD_CLIENTS_SUGGEST_H_
#define ACCORD_CLIENTS_SUGGEST_H_

// "Did you mean" for a name the broker does not know: a purpose, a dataset
// or a principal given to a command.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/command.h"

namespace accord::client {

// Returns `status` with a suggestion appended when it is the broker's
// refusal of an unknown name: "purpose: 'X' is not in the taxonomy"
// (INVALID_ARGUMENT; the names are the default taxonomy's, as `accord
// policy purposes` lists them), "no dataset 'X'" (NOT_FOUND; the names
// from ListDatasets) or "no principal 'X'" / "...: 'X' is not a known
// partner" (the names from ListPrincipals). The suggestion is
// "; did you mean 'Y'?" for a near name, else "; known: A, B, ..." (at most
// 12). When the caller may not list the names (the read RPC fails), or for
// any other status, returns `status` unchanged.
absl::Status SuggestKnownName(CommandContext& ctx, const absl::Status& status);

// The suggestion text for `name` among `known` (see SuggestKnownName), ""
// when `known` is empty. Exposed for tests.
std::string SuggestionFor(const std::string& name,
                          const std::vector<std::string>& known);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_SUGGEST_H_
