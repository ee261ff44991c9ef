// libFuzzer target over the request checks every handler runs first
// (broker/service/validate.h). Whatever they accept is stored in proto3
// string fields and in canonical audit log entries, so it must survive a
// protobuf round trip: text accepted by CheckText must be valid UTF-8 as
// protobuf sees it. Built only with -DACCORD_FUZZ=ON (clang); seeds in
// fuzz/validate_corpus/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "accord/v1/policy.pb.h"
#include "broker/service/validate.h"
#include "tests/fuzz/quiet_protobuf.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  accord::fuzz::SilenceProtobufLog();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view value(reinterpret_cast<const char*>(data), size);
  if (accord::service::CheckText("title", value, 1 << 16).ok()) {
    accord::v1::Dataset dataset;
    dataset.set_title(std::string(value));
    accord::v1::Dataset parsed;
    if (!parsed.ParseFromString(dataset.SerializeAsString()) ||
        parsed.title() != value) {
      std::abort();
    }
  }
  if (accord::service::CheckId("id", value).ok()) {
    for (char c : value) {
      if (c >= 'A' && c <= 'Z') std::abort();
    }
  }
  (void)accord::service::CheckSubject("subject", value);
  return 0;
}
