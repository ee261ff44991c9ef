#include "broker/auditlog/export_file.h"

#include <catch2/catch.hpp>
#include <string>

namespace accord::auditlog {
namespace {

LogExport Sample() {
  LogExport log;
  log.checkpoint_note = "origin\n3\nroot=\n\n\xe2\x80\x94 sig\n";
  log.entries = {std::string("\x01\x08\x01", 3), "", std::string(300, '\0')};
  return log;
}

TEST_CASE("an export reads back as written") {
  const std::string text = EncodeExport(Sample());
  CHECK(IsExport(text));
  absl::StatusOr<LogExport> back = ParseExport(text);
  REQUIRE(back.ok());
  CHECK(back->checkpoint_note == Sample().checkpoint_note);
  CHECK(back->entries == Sample().entries);
}

TEST_CASE("an empty log exports and reads back") {
  LogExport empty;
  empty.checkpoint_note = "note";
  absl::StatusOr<LogExport> back = ParseExport(EncodeExport(empty));
  REQUIRE(back.ok());
  CHECK(back->entries.empty());
}

TEST_CASE("malformed exports are refused") {
  const std::string good = EncodeExport(Sample());
  auto refused = [](const std::string& text) {
    return absl::IsInvalidArgument(ParseExport(text).status());
  };
  CHECK(refused(""));
  CHECK(refused("accord-audit-export v2\n"));
  // Truncated: no end line, or cut mid-line.
  CHECK(refused(good.substr(0, good.rfind("end "))));
  CHECK(refused(good.substr(0, good.size() - 1)));
  // Entries out of order.
  std::string swapped = good;
  swapped.replace(swapped.find("entry 1 "), 8, "entry 2 ");
  CHECK(refused(swapped));
  // An end count that disagrees.
  std::string count = good;
  count.replace(count.rfind("end 3"), 5, "end 2");
  CHECK(refused(count));
  // Records after the end, unknown records, bad base64.
  CHECK(refused(good + "entry 3 AA==\n"));
  CHECK(refused(std::string(kExportHeader) + "\nfoo bar\n"));
  CHECK(refused(std::string(kExportHeader) + "\ncheckpoint !!!\nend 0\n"));
  // No checkpoint.
  CHECK(refused(std::string(kExportHeader) + "\nend 0\n"));
}

}  // namespace
}  // namespace accord::auditlog
