#include "broker/auditlog/merkle.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace accord::auditlog {
namespace {

// The largest power of two strictly less than n; n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

absl::StatusOr<Hash> ReadNode(NodeSource& source, uint8_t level,
                              uint64_t index) {
  absl::StatusOr<std::string> bytes = source.Node(level, index);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != kHashSize) {
    return absl::DataLossError(absl::StrCat("stored node (", level, ", ", index,
                                            ") is ", bytes->size(),
                                            " bytes, want 32"));
  }
  Hash h;
  std::memcpy(h.data(), bytes->data(), kHashSize);
  return h;
}

// Turns hashes collected root-first into a leaf-to-root proof.
Proof ToProof(std::vector<Hash>& root_first) {
  Proof out;
  out.reserve(root_first.size());
  for (auto it = root_first.rbegin(); it != root_first.rend(); ++it) {
    out.push_back(HashToBytes(*it));
  }
  return out;
}

absl::Status CheckHashSize(absl::string_view h, absl::string_view what) {
  if (h.size() != kHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is ", h.size(), " bytes, want 32"));
  }
  return absl::OkStatus();
}

Hash ChildrenOfBytes(absl::string_view left, absl::string_view right) {
  return crypto::Sha256(absl::string_view("\x01", 1), left, right);
}

// Every hash of `proof` is kHashSize bytes; the error names the first that
// is not.
absl::Status CheckProofHashSizes(absl::Span<const std::string> proof) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (absl::Status s =
            CheckHashSize(proof[i], absl::StrCat("proof[", i, "]"));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// The case size1 == size2 of VerifyConsistency: nothing is hashed, and the
// claim holds exactly when the proof is empty and the roots are equal.
absl::Status VerifySameSize(absl::Span<const std::string> proof,
                            absl::string_view root1, absl::string_view root2) {
  if (!proof.empty()) {
    return absl::FailedPreconditionError(
        "size1 == size2 requires an empty proof");
  }
  if (root1 != root2) {
    return absl::FailedPreconditionError("size1 == size2 but the roots differ");
  }
  return absl::OkStatus();
}

// The roots of the trees of size1 and size2 a consistency proof leads to.
struct ProvenRoots {
  Hash first;
  Hash second;
};

// Walks a non-empty consistency proof from size1 to size2 (0 < size1 <
// size2, hashes of kHashSize bytes), RFC 9162 §2.1.4.2. Errors: a proof too
// long or too short for the sizes.
absl::StatusOr<ProvenRoots> WalkConsistencyProof(
    uint64_t size1, uint64_t size2, absl::Span<const std::string> proof,
    absl::string_view root1) {
  // When size1 is a power of two the old root is itself a node of the new
  // tree and is not part of the proof.
  size_t next = 0;
  Hash fr;
  if (std::has_single_bit(size1)) {
    std::memcpy(fr.data(), root1.data(), kHashSize);
  } else {
    std::memcpy(fr.data(), proof[0].data(), kHashSize);
    next = 1;
  }
  Hash sr = fr;
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; next < proof.size(); ++next) {
    const std::string& c = proof[next];
    if (sn == 0) {
      return absl::FailedPreconditionError("consistency proof is too long");
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = ChildrenOfBytes(c, crypto::AsBytes(fr));
      sr = ChildrenOfBytes(c, crypto::AsBytes(sr));
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = ChildrenOfBytes(crypto::AsBytes(sr), c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::FailedPreconditionError("consistency proof is too short");
  }
  return ProvenRoots{fr, sr};
}

}  // namespace

Hash HashLeaf(absl::string_view entry) {
  return crypto::Sha256(absl::string_view("\x00", 1), entry);
}

Hash HashChildren(const Hash& left, const Hash& right) {
  return ChildrenOfBytes(crypto::AsBytes(left), crypto::AsBytes(right));
}

Hash EmptyRoot() { return crypto::Sha256(absl::string_view()); }

std::string HashToBytes(const Hash& h) {
  return std::string(crypto::AsBytes(h));
}

absl::StatusOr<Hash> HashFromBytes(absl::string_view bytes,
                                   absl::string_view what) {
  if (absl::Status s = CheckHashSize(bytes, what); !s.ok()) return s;
  Hash h;
  std::memcpy(h.data(), bytes.data(), kHashSize);
  return h;
}

absl::StatusOr<Hash> SubtreeHash(NodeSource& source, uint64_t begin,
                                 uint64_t end) {
  if (begin > end) {
    return absl::InvalidArgumentError(
        absl::StrCat("range begin ", begin, " > end ", end));
  }
  const uint64_t n = end - begin;
  if (n == 0) return EmptyRoot();
  if (std::has_single_bit(n) && begin % n == 0) {
    return ReadNode(source, static_cast<uint8_t>(std::countr_zero(n)),
                    begin / n);
  }
  const uint64_t k = SplitPoint(n);
  absl::StatusOr<Hash> left = SubtreeHash(source, begin, begin + k);
  if (!left.ok()) return left.status();
  absl::StatusOr<Hash> right = SubtreeHash(source, begin + k, end);
  if (!right.ok()) return right.status();
  return HashChildren(*left, *right);
}

absl::StatusOr<Hash> RootFromNodes(NodeSource& source, uint64_t size) {
  return SubtreeHash(source, 0, size);
}

absl::StatusOr<Proof> InclusionProof(NodeSource& source, uint64_t index,
                                     uint64_t tree_size) {
  if (index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("index ", index, " is not below tree_size ", tree_size));
  }
  if (tree_size > source.Size()) {
    return absl::OutOfRangeError(absl::StrCat(
        "tree_size ", tree_size, " exceeds log size ", source.Size()));
  }
  // Walk PATH(index, D[begin:end]) from the root down; siblings come out
  // root first.
  std::vector<Hash> siblings;
  uint64_t begin = 0;
  uint64_t end = tree_size;
  while (end - begin > 1) {
    const uint64_t k = SplitPoint(end - begin);
    absl::StatusOr<Hash> sibling;
    if (index < begin + k) {
      sibling = SubtreeHash(source, begin + k, end);
      end = begin + k;
    } else {
      sibling = SubtreeHash(source, begin, begin + k);
      begin += k;
    }
    if (!sibling.ok()) return sibling.status();
    siblings.push_back(*sibling);
  }
  return ToProof(siblings);
}

absl::StatusOr<Proof> ConsistencyProof(NodeSource& source, uint64_t size1,
                                       uint64_t size2) {
  if (size1 == 0 || size1 > size2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "need 0 < size1 <= size2, got size1 ", size1, " size2 ", size2));
  }
  if (size2 > source.Size()) {
    return absl::OutOfRangeError(
        absl::StrCat("size2 ", size2, " exceeds log size ", source.Size()));
  }
  // SUBPROOF(m, D[begin:end], whole) from the root down, root first.
  std::vector<Hash> nodes;
  uint64_t m = size1;
  uint64_t begin = 0;
  uint64_t end = size2;
  bool whole = true;
  while (true) {
    const uint64_t n = end - begin;
    if (m == n) {
      if (!whole) {
        absl::StatusOr<Hash> h = SubtreeHash(source, begin, end);
        if (!h.ok()) return h.status();
        nodes.push_back(*h);
      }
      break;
    }
    const uint64_t k = SplitPoint(n);
    absl::StatusOr<Hash> h;
    if (m <= k) {
      h = SubtreeHash(source, begin + k, end);
      end = begin + k;
    } else {
      h = SubtreeHash(source, begin, begin + k);
      begin += k;
      m -= k;
      whole = false;
    }
    if (!h.ok()) return h.status();
    nodes.push_back(*h);
  }
  return ToProof(nodes);
}

absl::Status VerifyInclusion(absl::string_view leaf_hash, uint64_t index,
                             uint64_t tree_size,
                             absl::Span<const std::string> proof,
                             absl::string_view root) {
  if (index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("index ", index, " is not below tree_size ", tree_size));
  }
  if (absl::Status s = CheckHashSize(leaf_hash, "leaf_hash"); !s.ok()) return s;
  if (absl::Status s = CheckHashSize(root, "root"); !s.ok()) return s;
  if (absl::Status s = CheckProofHashSizes(proof); !s.ok()) return s;
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Hash r;
  std::memcpy(r.data(), leaf_hash.data(), kHashSize);
  for (const std::string& p : proof) {
    if (sn == 0) {
      return absl::FailedPreconditionError("inclusion proof is too long");
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = ChildrenOfBytes(p, crypto::AsBytes(r));
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = ChildrenOfBytes(crypto::AsBytes(r), p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::FailedPreconditionError("inclusion proof is too short");
  }
  if (crypto::AsBytes(r) != root) {
    return absl::FailedPreconditionError(
        "inclusion proof does not lead to root");
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t size1, uint64_t size2,
                               absl::Span<const std::string> proof,
                               absl::string_view root1,
                               absl::string_view root2) {
  if (size1 == 0) {
    return absl::InvalidArgumentError(
        "size1 is 0: consistency with the empty tree proves nothing");
  }
  if (size1 > size2) {
    return absl::InvalidArgumentError(
        absl::StrCat("size1 ", size1, " > size2 ", size2));
  }
  if (size1 == size2) return VerifySameSize(proof, root1, root2);
  if (absl::Status s = CheckHashSize(root1, "root1"); !s.ok()) return s;
  if (absl::Status s = CheckHashSize(root2, "root2"); !s.ok()) return s;
  if (absl::Status s = CheckProofHashSizes(proof); !s.ok()) return s;
  if (proof.empty()) {
    return absl::FailedPreconditionError("consistency proof is empty");
  }
  absl::StatusOr<ProvenRoots> proven =
      WalkConsistencyProof(size1, size2, proof, root1);
  if (!proven.ok()) return proven.status();
  const Hash& fr = proven->first;
  const Hash& sr = proven->second;
  if (crypto::AsBytes(fr) != root1) {
    return absl::FailedPreconditionError(
        "consistency proof does not lead to root1");
  }
  if (crypto::AsBytes(sr) != root2) {
    return absl::FailedPreconditionError(
        "consistency proof does not lead to root2");
  }
  return absl::OkStatus();
}

}  // namespace accord::auditlog
