#include "clients/erasure_text.h"

#include "absl/strings/str_cat.h"

namespace accord::client {

std::string ErasureText(const accord::v1::ErasureResponse& response) {
  return absl::StrCat(
      "erased: ", response.consents_withdrawn(), " consent(s) withdrawn, ",
      response.consents_erased(), " record(s) deleted, ",
      response.grants_revoked(), " grant(s) revoked, ",
      response.grants_rewritten(),
      " grant record(s) no longer name the subject\nreceipt for the citizen ",
      response.receipt_id(), ":\n", response.receipt(), "\n");
}

}  // namespace accord::client
