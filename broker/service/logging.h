#ifndef ACCORD_BROKER_SERVICE_LOGGING_H_
#define ACCORD_BROKER_SERVICE_LOGGING_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace accord::service {

// Writes one structured log line to stderr:
// {"ts":"...","level":"info","msg":"...","key":"value",...}.
// Callers never pass secrets (keys, tokens, the pseudonym secret).
void Log(absl::string_view level, absl::string_view msg,
         std::initializer_list<std::pair<absl::string_view, std::string>>
             fields = {});

}  // namespace accord::service

#endif  // ACCORD_BROKER_SERVICE_LOGGING_H_
