#ifndef ACCORD_BROKER_STORE_VALIDATE_H_
#define ACCORD_BROKER_STORE_VALIDATE_H_

// Checks of what becomes part of a key. Only store/*.cc include this header.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "broker/store/write_set.h"

namespace accord::store {

// OK when `value` can be part of a key: not empty, no 0 byte (the
// separator). INVALID_ARGUMENT naming `field` otherwise.
absl::Status CheckKeyPart(absl::string_view field, absl::string_view value);

// OK when every record of `ws` has the identifiers its keys are made of.
// INVALID_ARGUMENT naming the first offending field otherwise.
absl::Status Validate(WriteSet& ws);

}  // namespace accord::store

#endif  // ACCORD_BROKER_STORE_VALIDATE_H_
