#include "broker/auditlog/verify.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "broker/auditlog/entry.h"
#include "broker/auditlog/test_note.h"

namespace accord::auditlog {
namespace {

const char kOrigin[] = "accord.example.org/log";
const char kKeyName[] = "accord-log";
constexpr uint64_t kN = 50;

// An original log of kN entries and a signed checkpoint of every size.
struct Original {
  testing::TestNoteKey key{kKeyName};
  std::vector<std::string> entries;
  std::vector<std::string> notes;  // notes[s]: checkpoint of size s

  Original() {
    Frontier f;
    for (uint64_t i = 0; i < kN; ++i) {
      accord::v1::AuditEvent e;
      e.set_type(accord::v1::EVENT_TYPE_DECISION);
      e.set_actor("partner:p" + std::to_string(i % 7));
      e.set_dataset_id("rennes.mobility.bike-trips");
      e.set_revision(100 + 3 * i);
      entries.push_back(EncodeEntry(e));
    }
    notes.push_back(key.Sign(CheckpointBody(kOrigin, 0, f.Root())));
    for (const std::string& entry : entries) {
      f.Append(HashLeaf(entry));
      notes.push_back(key.Sign(CheckpointBody(kOrigin, f.Size(), f.Root())));
    }
  }

  // Every checkpoint but the final one, as saved earlier.
  std::vector<std::string> History() const {
    return std::vector<std::string>(notes.begin(), notes.end() - 1);
  }

  VerifyReport Verify(const std::vector<std::string>& log,
                      const std::vector<std::string>& earlier) const {
    return VerifyLog(log, notes.back(), earlier, kOrigin, key.VerifierKey());
  }
};

// Changes a character of the actor string: the entry still decodes.
std::string Rewrite(std::string entry) {
  const size_t at = entry.find("partner:p");
  entry[at + 9] = entry[at + 9] == '9' ? '8' : '9';
  REQUIRE(DecodeEntry(entry).ok());
  return entry;
}

TEST_CASE("An intact log verifies against its checkpoints", "[verify]") {
  const Original o;
  for (const auto& earlier : {std::vector<std::string>{}, o.History()}) {
    const VerifyReport r = o.Verify(o.entries, earlier);
    INFO(r.problem);
    CHECK(r.ok());
    CHECK(r.size == kN);
    CHECK_FALSE(r.first_bad_index.has_value());
    absl::StatusOr<Checkpoint> cp = ParseCheckpoint(
        o.notes.back().substr(0, o.notes.back().find("\n\n") + 1));
    REQUIRE(cp.ok());
    CHECK(r.root == cp->root);
  }
  // A log that grew after the checkpoint still verifies up to it.
  std::vector<std::string> grown = o.entries;
  accord::v1::AuditEvent e;
  e.set_revision(1000);
  grown.push_back(EncodeEntry(e));
  const VerifyReport r = o.Verify(grown, {o.notes[10]});
  CHECK(r.ok());
  CHECK(r.size == kN + 1);
}

TEST_CASE("A rewritten entry is found exactly with the checkpoint history",
          "[verify]") {
  const Original o;
  for (uint64_t i : {0, 17, 49}) {
    std::vector<std::string> log = o.entries;
    log[i] = Rewrite(log[i]);
    const VerifyReport r = o.Verify(log, o.History());
    CHECK_FALSE(r.ok());
    REQUIRE(r.first_bad_index.has_value());
    CHECK(*r.first_bad_index == i);
    CHECK(r.bad_range_end == i + 1);

    // With only the final checkpoint the change is detected but only
    // pinned to the whole log.
    const VerifyReport coarse = o.Verify(log, {});
    CHECK_FALSE(coarse.ok());
    REQUIRE(coarse.first_bad_index.has_value());
    CHECK(*coarse.first_bad_index == 0);
    CHECK(coarse.bad_range_end == kN);

    // With one earlier checkpoint of size 20 the range starts there when the
    // change is after it.
    const VerifyReport mid = o.Verify(log, {o.notes[20]});
    REQUIRE(mid.first_bad_index.has_value());
    CHECK(*mid.first_bad_index == (i >= 20 ? 20 : 0));
    CHECK(mid.bad_range_end == (i >= 20 ? kN : 20));
  }
}

TEST_CASE("A flipped byte that breaks the encoding is found exactly",
          "[verify]") {
  const Original o;
  std::vector<std::string> log = o.entries;
  log[31][0] ^= 0x01;  // version byte
  for (const auto& earlier : {std::vector<std::string>{}, o.History()}) {
    const VerifyReport r = o.Verify(log, earlier);
    CHECK_FALSE(r.ok());
    REQUIRE(r.first_bad_index.has_value());
    CHECK(*r.first_bad_index == 31);
  }
  // Any single flipped bit in any entry is detected.
  for (size_t byte = 0; byte < o.entries[5].size(); ++byte) {
    std::vector<std::string> flipped = o.entries;
    flipped[5][byte] ^= 0x40;
    const VerifyReport r = o.Verify(flipped, o.History());
    CHECK_FALSE(r.ok());
    REQUIRE(r.first_bad_index.has_value());
    CHECK(*r.first_bad_index == 5);
  }
}

TEST_CASE("A dropped entry is found", "[verify]") {
  const Original o;
  std::vector<std::string> log = o.entries;
  log.erase(log.begin() + 23);
  const VerifyReport r = o.Verify(log, o.History());
  CHECK_FALSE(r.ok());
  REQUIRE(r.first_bad_index.has_value());
  CHECK(*r.first_bad_index == 23);
  CHECK(r.size == kN - 1);
  const VerifyReport coarse = o.Verify(log, {});
  CHECK_FALSE(coarse.ok());
  REQUIRE(coarse.first_bad_index.has_value());
  CHECK(*coarse.first_bad_index == 0);
}

TEST_CASE("Swapped entries are found", "[verify]") {
  const Original o;
  std::vector<std::string> log = o.entries;
  std::swap(log[10], log[30]);
  const VerifyReport r = o.Verify(log, o.History());
  REQUIRE(r.first_bad_index.has_value());
  CHECK(*r.first_bad_index == 10);
  CHECK(r.bad_range_end == 11);
  // Without the history the revision order still pins it to entries 10-11.
  const VerifyReport coarse = o.Verify(log, {});
  REQUIRE(coarse.first_bad_index.has_value());
  CHECK(*coarse.first_bad_index == 10);
  CHECK(coarse.bad_range_end == 12);
  // Without decoding, only the checkpoints speak.
  absl::StatusOr<Checkpoint> last =
      OpenCheckpoint(o.notes.back(), kOrigin, o.key.VerifierKey());
  REQUIRE(last.ok());
  absl::StatusOr<LogVerifier> v =
      LogVerifier::Create({*last}, {.decode_entries = false});
  REQUIRE(v.ok());
  for (const std::string& e : log) v->Add(e);
  const VerifyReport raw = v->Finish();
  REQUIRE(raw.first_bad_index.has_value());
  CHECK(*raw.first_bad_index == 0);
  CHECK(raw.bad_range_end == kN);
}

TEST_CASE("A truncated log is found", "[verify]") {
  const Original o;
  for (uint64_t k : {0, 1, 40, 49}) {
    std::vector<std::string> log(o.entries.begin(), o.entries.begin() + k);
    const VerifyReport r = o.Verify(log, o.History());
    CHECK_FALSE(r.ok());
    CHECK(r.size == k);
    REQUIRE(r.first_bad_index.has_value());
    CHECK(*r.first_bad_index == k);
    CHECK(r.bad_range_end == k + 1);
  }
}

TEST_CASE("Bad checkpoints are reported without a bad index", "[verify]") {
  const Original o;
  testing::TestNoteKey impostor(kKeyName);
  const VerifyReport wrong_key =
      VerifyLog(o.entries, o.notes.back(), {}, kOrigin, impostor.VerifierKey());
  CHECK_FALSE(wrong_key.ok());
  CHECK_FALSE(wrong_key.first_bad_index.has_value());

  const VerifyReport wrong_origin =
      VerifyLog(o.entries, o.notes.back(), {}, "elsewhere.example/log",
                o.key.VerifierKey());
  CHECK_FALSE(wrong_origin.ok());

  const std::string forged =
      impostor.Sign(CheckpointBody(kOrigin, 3, HashLeaf("x")));
  const VerifyReport bad_earlier = o.Verify(o.entries, {o.notes[3], forged});
  CHECK_FALSE(bad_earlier.ok());
  CHECK_FALSE(bad_earlier.first_bad_index.has_value());

  // Two genuine checkpoints of one size with different roots: equivocation.
  const std::string split =
      o.key.Sign(CheckpointBody(kOrigin, 3, HashLeaf("x")));
  const VerifyReport equivocated = o.Verify(o.entries, {o.notes[3], split});
  CHECK_FALSE(equivocated.ok());
}

}  // namespace
}  // namespace accord::auditlog
