#ifndef ACCORD_POLICY_SUBJECT_TABLE_H_
#define ACCORD_POLICY_SUBJECT_TABLE_H_

// A small open-addressing set of subject names that remembers, for each
// name, the first index inserted under it. Built once per decision and
// reused between decisions without clearing (a generation number marks the
// live slots), so matching subjects neither sorts nor allocates in the
// steady state. Internal to the policy module.

#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/strings/string_view.h"

namespace accord::policy::internal {

// A cheap 64-bit key of a subject name (first and last 8 bytes, length).
inline uint64_t SubjectKey(absl::string_view s) {
  uint64_t head = 0, tail = 0;
  const size_t n = s.size();
  if (n >= 8) {
    std::memcpy(&head, s.data(), 8);
    std::memcpy(&tail, s.data() + n - 8, 8);
  } else if (n > 0) {
    std::memcpy(&head, s.data(), n);
  }
  uint64_t h = (tail ^ (n * 0x9E3779B97F4A7C15ull)) * 0xC2B2AE3D27D4EB4Full;
  h ^= head + 0x165667B19E3779F9ull + (h << 6) + (h >> 2);
  return h ^ (h >> 29);
}

class SubjectTable {
 public:
  // Empties the table and sizes it for up to `n` names. The names inserted
  // afterwards must stay alive until the next Reset.
  void Reset(size_t n) {
    size_t bits = 4;
    while ((size_t{1} << bits) < 2 * n) ++bits;
    shift_ = 64 - bits;
    if (slots_.size() < (size_t{1} << bits)) {
      slots_.assign(size_t{1} << bits, Slot{});
      generation_ = 0;
    }
    if (++generation_ == 0) {
      for (Slot& s : slots_) s.generation = 0;
      generation_ = 1;
    }
  }

  // Stores `index` under `name` (whose SubjectKey is `key`) unless the name
  // is already present. Returns the index stored for the name: `index`, or
  // the one inserted first.
  uint32_t Insert(uint64_t key, absl::string_view name, uint32_t index) {
    for (size_t i = Home(key);; i = Next(i)) {
      Slot& s = slots_[i];
      if (s.generation != generation_) {
        s = Slot{key, name, index, generation_};
        return index;
      }
      if (s.key == key && s.name == name) return s.index;
    }
  }

  // Returns the index stored under `name` (key `key`), or -1.
  int64_t Find(uint64_t key, absl::string_view name) const {
    for (size_t i = Home(key);; i = Next(i)) {
      const Slot& s = slots_[i];
      if (s.generation != generation_) return -1;
      if (s.key == key && s.name == name) return s.index;
    }
  }

 private:
  struct Slot {
    uint64_t key = 0;
    absl::string_view name;
    uint32_t index = 0;
    uint32_t generation = 0;
  };

  // Fibonacci hashing: the top bits of the product depend on every bit of
  // the key, so names that differ only in a few bytes still spread out.
  size_t Home(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  size_t Next(size_t i) const {
    return (i + 1) & ((size_t{1} << (64 - shift_)) - 1);
  }

  std::vector<Slot> slots_;
  uint32_t generation_ = 0;
  int shift_ = 60;
};

}  // namespace accord::policy::internal

#endif  // ACCORD_POLICY_SUBJECT_TABLE_H_
