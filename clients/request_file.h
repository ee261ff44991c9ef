#ifndef ACCORD_CLIENTS_REQUEST_FILE_H_
#define ACCORD_CLIENTS_REQUEST_FILE_H_

// The file a partner writes to draft a consent request
// (`accord request draft --file F`), YAML or JSON, read into an
// accord.v1.ConsentRequestSpec. Example: clients/examples/requests/
// energy-study.yaml. Keys:
//
//   dataset           required, the dataset id
//   purpose           required, a purpose id of the taxonomy
//   fields            required, a list of field names
//   consent_duration  required, how long a consent lasts once given: a
//                     duration with its unit ("180d", "26w") or seconds
//   duties            a mapping, as in policies: delete_after (duration),
//                     aggregate_min_k (integer), attribute (text),
//                     no_onward_transfer and notify_producer (true/false)
//   title, description, public_benefit
//                     required, each a mapping {fr, en}; fr is required
//   responsible       required, {organisation, name, role, email}
//   opens_at          when citizens may start answering; default now
//   closes_at         required, when the request closes
//                     (times: RFC 3339, Unix seconds, "now", or a duration
//                     from now such as "90d")
//
// The broker checks the values (lengths, bounds, that the fields belong to
// the dataset, ...); this reader checks the shape and the types.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/requests.pb.h"

namespace accord::client {

// Parses `text` (the contents of `file_name`; YAML or JSON) at Unix time
// `now`. Returns the spec, or INVALID_ARGUMENT whose message names the
// file, line, column and key of each problem ("energy.yaml:4:19:
// consent_duration: expected a duration ..."), problems separated by "; ".
absl::StatusOr<accord::v1::ConsentRequestSpec> ParseRequestFile(
    absl::string_view text, absl::string_view file_name, int64_t now);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_REQUEST_FILE_H_
