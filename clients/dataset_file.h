#ifndef ACCORD_CLIENTS_DATASET_FILE_H_
#define ACCORD_CLIENTS_DATASET_FILE_H_

// The file a producer writes to register a dataset with its descriptions
// (`accord dataset put --file F`), YAML or JSON, read into an
// accord.v1.Dataset. Example: clients/examples/datasets/
// household-consumption.yaml. Keys, as in the proto:
//
//   id                  required
//   title               required
//   classification      required: open, restricted or personal
//   fields              required, a list of field names
//   description         {fr, en}: what the dataset holds, in words a
//                       citizen understands
//   field_descriptions  a mapping field name -> {fr, en}
//
// The broker checks the values (lengths, that each described field is a
// field of the dataset, ...); this reader checks the shape and the types.

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "accord/v1/common.pb.h"

namespace accord::client {

// Parses `text` (the contents of `file_name`; YAML or JSON). Returns the
// dataset, or INVALID_ARGUMENT naming the file, line, column and key of
// each problem, problems separated by "; ".
absl::StatusOr<accord::v1::Dataset> ParseDatasetFile(
    absl::string_view text, absl::string_view file_name);

// "open", "restricted" or "personal" (any case) as a Classification.
// Returns it, or INVALID_ARGUMENT "expected open, restricted or personal".
absl::StatusOr<accord::v1::Classification> ParseClassificationWord(
    absl::string_view text);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_DATASET_FILE_H_
