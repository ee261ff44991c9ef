#ifndef ACCORD_CLIENTS_ERASURE_TEXT_H_
#define ACCORD_CLIENTS_ERASURE_TEXT_H_

#include <string>

#include "accord/v1/consent.pb.h"

namespace accord::client {

// The text `accord consent erase` and `accord admin erase-subject` print:
// what the erasure did, then the signed receipt for the citizen.
std::string ErasureText(const accord::v1::ErasureResponse& response);

}  // namespace accord::client

#endif  // ACCORD_CLIENTS_ERASURE_TEXT_H_
