#ifndef ACCORD_TESTS_FUZZ_QUIET_PROTOBUF_H_
#define ACCORD_TESTS_FUZZ_QUIET_PROTOBUF_H_

// Protobuf logs every string field that is not UTF-8 on stderr; refusing
// such input is the code under test's job, and the log would drown a
// fuzzer's output. Call from LLVMFuzzerInitialize.
#include <string>

#include "google/protobuf/stubs/logging.h"

namespace accord::fuzz {

inline void SilenceProtobufLog() {
  google::protobuf::SetLogHandler(
      [](google::protobuf::LogLevel, const char*, int, const std::string&) {});
}

}  // namespace accord::fuzz

#endif  // ACCORD_TESTS_FUZZ_QUIET_PROTOBUF_H_
