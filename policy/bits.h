#ifndef ACCORD_POLICY_BITS_H_
#define ACCORD_POLICY_BITS_H_

// A fixed-size set of small integers (interned ids), sized at compile time
// of a policy and read without allocation at decision time.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace accord::policy {

class Bits {
 public:
  Bits() = default;
  explicit Bits(size_t size) : words_((size + 63) / 64, 0) {}

  void Set(size_t i) { words_[i / 64] |= uint64_t{1} << (i % 64); }
  // False for a negative or out-of-range index.
  bool Test(int i) const {
    if (i < 0 || static_cast<size_t>(i) / 64 >= words_.size()) return false;
    return (words_[i / 64] >> (i % 64)) & 1;
  }

 private:
  std::vector<uint64_t> words_;
};

}  // namespace accord::policy

#endif  // ACCORD_POLICY_BITS_H_
