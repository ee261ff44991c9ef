#ifndef ACCORD_CLIENTS_PORTAL_HTTPS_CLIENT_H_
#define ACCORD_CLIENTS_PORTAL_HTTPS_CLIENT_H_

// One HTTPS request to the OpenID provider (cpp-httplib with OpenSSL), the
// server's certificate checked against a CA file or the system's roots.
// https:// only; redirects are not followed; bodies over 1 MiB refused.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace accord::portal {

struct HttpsReply {
  int status = 0;
  std::string body;
};

// GET `url`. Errors: INVALID_ARGUMENT for a URL that is not https://;
// UNAVAILABLE / UNAUTHENTICATED (certificate) / DEADLINE_EXCEEDED naming
// the URL.
absl::StatusOr<HttpsReply> HttpsGet(absl::string_view url,
                                    const std::string& ca_file);

// POST `form` (application/x-www-form-urlencoded) to `url`, with HTTP Basic
// authentication when `basic_user` is not empty. Errors as HttpsGet.
absl::StatusOr<HttpsReply> HttpsPostForm(
    absl::string_view url, const std::string& ca_file,
    const std::map<std::string, std::string>& form,
    const std::string& basic_user, const std::string& basic_password);

// Percent-encodes `text` for a query string or form (RFC 3986 unreserved
// characters kept).
std::string UrlEncode(absl::string_view text);

}  // namespace accord::portal

#endif  // ACCORD_CLIENTS_PORTAL_HTTPS_CLIENT_H_
