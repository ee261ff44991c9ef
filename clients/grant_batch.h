#ifndef ACCORD_CLIENTS_GRANT_BATCH_H_
#define ACCORD_CLIENTS_GRANT_BATCH_H_

// The batch file of `accord grant request-batch` and how its answers print.
//
// A batch file is one JSON array; each element is one grant request with
// the fields of accord.v1.RequestGrantRequest in the protobuf JSON form
// (proto or lowerCamelCase names), the same fields `accord grant request`
// takes as flags:
//
//   [{"dataset_id": "rennes.mobility.bike-stations",
//     "purpose": "service-provision", "audience": "data.rennes.example"},
//    {"dataset_id": "rennes.energy.household-consumption",
//     "purpose": "research-and-development",
//     "audience": "data.rennes.example", "subjects": ["..."],
//     "fields": ["household"], "lifetime_seconds": 120}]
//
// The number of requests is the broker's to check (1..100), so that one
// place states the limit.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/access.pb.h"

namespace accord::client {

// Parses a batch file's text. Returns the batch, or a usage error (see
// usage_error.h) that starts with `name` and names what is wrong: not JSON,
// not an array, or the index of the request that is not an object or has
// an unknown field or a value of the wrong type.
absl::StatusOr<accord::v1::RequestGrantsRequest> ParseGrantBatch(
    absl::string_view text, absl::string_view name);

// The answers for a person: one "[i] OK" or "[i] CODE: message" line per
// request, in order, an OK answer followed by its decision and grants
// indented, then a count of permits, denials and failed requests.
std::string GrantBatchText(const accord::v1::RequestGrantsResponse& response);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_GRANT_BATCH_H_
