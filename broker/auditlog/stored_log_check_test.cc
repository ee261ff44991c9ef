#include "broker/auditlog/stored_log_check.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/auditlog/frontier.h"

namespace accord::auditlog {
namespace {

// Stored entries only; CheckStoredLog must not need the stored nodes.
class EntriesOnly final : public NodeSource {
 public:
  explicit EntriesOnly(std::vector<std::string> entries)
      : entries_(std::move(entries)) {}
  absl::StatusOr<std::string> Node(uint8_t, uint64_t) override {
    return absl::NotFoundError("no nodes");
  }
  absl::StatusOr<std::string> Entry(uint64_t index) override {
    if (index >= entries_.size()) return absl::NotFoundError("no entry");
    return entries_[index];
  }
  uint64_t Size() override { return entries_.size(); }

  std::vector<std::string> entries_;
};

Checkpoint Over(const std::vector<std::string>& entries, uint64_t size) {
  Frontier f;
  for (uint64_t i = 0; i < size; ++i) f.Append(HashLeaf(entries[i]));
  Checkpoint c;
  c.origin = "accord.local/log";
  c.size = size;
  c.root = f.Root();
  return c;
}

std::vector<std::string> Entries(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(absl::StrCat("entry-", i));
  return out;
}

TEST_CASE("a stored log that matches its checkpoint passes, grown or not") {
  EntriesOnly source(Entries(20));
  CHECK(CheckStoredLog(source, Over(source.entries_, 20)).ok());
  CHECK(CheckStoredLog(source, Over(source.entries_, 13)).ok());
  CHECK(CheckStoredLog(source, Over(source.entries_, 0)).ok());
}

TEST_CASE("an edited, dropped, swapped or truncated log is DATA_LOSS") {
  const std::vector<std::string> original = Entries(20);
  const Checkpoint checkpoint = Over(original, 16);
  EntriesOnly source(original);
  SECTION("edited") { source.entries_[7] += "x"; }
  SECTION("dropped") { source.entries_.erase(source.entries_.begin() + 3); }
  SECTION("swapped") { std::swap(source.entries_[2], source.entries_[9]); }
  SECTION("truncated") { source.entries_.resize(15); }
  absl::Status s = CheckStoredLog(source, checkpoint);
  CHECK(absl::IsDataLoss(s));
  CHECK(s.message().find("size 16") != absl::string_view::npos);
}

}  // namespace
}  // namespace accord::auditlog
