#include "broker/crypto/openssl_util.h"

#include <openssl/err.h>

#include "absl/strings/str_cat.h"

namespace accord::crypto::internal {

absl::Status OpenSslError(absl::StatusCode code, absl::string_view what) {
  unsigned long err = ERR_get_error();
  ERR_clear_error();
  if (err == 0) return absl::Status(code, what);
  const char* reason = ERR_reason_error_string(err);
  return absl::Status(
      code,
      absl::StrCat(what, " (", reason != nullptr ? reason : "unknown", ")"));
}

OsslPtr<BIO> MemBio(absl::string_view data) {
  return OsslPtr<BIO>(
      BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

absl::string_view BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  return absl::string_view(data, static_cast<size_t>(len));
}

}  // namespace accord::crypto::internal
