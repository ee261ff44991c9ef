#ifndef ACCORD_BROKER_AUDITLOG_MERKLE_H_
#define ACCORD_BROKER_AUDITLOG_MERKLE_H_

// RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing, proof
// generation from stored subtree hashes and proof verification.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "broker/auditlog/node_source.h"
#include "broker/crypto/sha256.h"

namespace accord::auditlog {

// A 32-byte SHA-256 tree hash.
using Hash = crypto::Digest;

// Size in bytes of every tree hash.
inline constexpr size_t kHashSize = 32;

// Sibling hashes of an inclusion or consistency proof, each 32 bytes, in the
// order of RFC 9162 (leaf to root).
using Proof = std::vector<std::string>;

// Returns SHA-256(0x00 || entry), the leaf hash of `entry`.
Hash HashLeaf(absl::string_view entry);

// Returns SHA-256(0x01 || left || right), the hash of an interior node.
Hash HashChildren(const Hash& left, const Hash& right);

// Returns SHA-256 of the empty string, the root of the empty tree.
Hash EmptyRoot();

// Returns the hash as a 32-byte string.
std::string HashToBytes(const Hash& h);

// Returns `bytes` as a Hash.
// Errors: InvalidArgument naming `what` unless `bytes` is exactly 32 bytes.
absl::StatusOr<Hash> HashFromBytes(absl::string_view bytes,
                                   absl::string_view what);

// Returns MTH(D[begin:end]), the RFC 9162 tree hash of leaves [begin, end),
// built from the complete aligned subtrees stored in `source`. The empty
// range hashes to EmptyRoot(). When `begin` is a multiple of the smallest
// power of two >= end - begin (always true for begin == 0, and for every
// range a proof needs) this costs at most one read per set bit of
// end - begin, i.e. O(log n); other ranges are still computed correctly,
// with more reads.
// Errors: InvalidArgument if begin > end; whatever `source` returns for a
// missing or unreadable node; DataLoss if a stored node is not 32 bytes.
absl::StatusOr<Hash> SubtreeHash(NodeSource& source, uint64_t begin,
                                 uint64_t end);

// Returns the root MTH(D[0:size]) of the tree of the first `size` leaves.
// Same cost and errors as SubtreeHash(source, 0, size).
absl::StatusOr<Hash> RootFromNodes(NodeSource& source, uint64_t size);

// Returns the RFC 9162 §2.1.3.1 inclusion proof PATH(index, D[0:tree_size]),
// with O(log n) node reads.
// Errors: InvalidArgument unless index < tree_size; OutOfRange if
// tree_size > source.Size(); read errors from `source`.
absl::StatusOr<Proof> InclusionProof(NodeSource& source, uint64_t index,
                                     uint64_t tree_size);

// Returns the RFC 9162 §2.1.4.1 consistency proof PROOF(size1, D[0:size2]),
// with O(log n) node reads. size1 == size2 gives the empty proof.
// Errors: InvalidArgument unless 0 < size1 <= size2; OutOfRange if
// size2 > source.Size(); read errors from `source`.
absl::StatusOr<Proof> ConsistencyProof(NodeSource& source, uint64_t size1,
                                       uint64_t size2);

// Verifies with the algorithm of RFC 9162 §2.1.3.2 that the leaf with hash
// `leaf_hash` is at `index` in the tree of `tree_size` leaves with root
// `root`. Returns OK when it is.
// Errors: InvalidArgument if index >= tree_size or any hash is not 32 bytes;
// FailedPrecondition if the proof has the wrong length or does not lead to
// `root`.
absl::Status VerifyInclusion(absl::string_view leaf_hash, uint64_t index,
                             uint64_t tree_size,
                             absl::Span<const std::string> proof,
                             absl::string_view root);

// Verifies with the algorithm of RFC 9162 §2.1.4.2 that the tree of `size1`
// leaves with root `root1` is a prefix of the tree of `size2` leaves with root
// `root2`. Returns OK when it is. size1 == size2 requires an empty proof and
// byte-equal roots (as in the public test vectors, their length is then not
// checked: no hash is computed).
// Errors: InvalidArgument if size1 == 0 (a proof from the empty tree is
// meaningless), size1 > size2 or, when size1 < size2, any hash is not 32
// bytes;
// FailedPrecondition if the proof has the wrong length or does not lead to
// both roots.
absl::Status VerifyConsistency(uint64_t size1, uint64_t size2,
                               absl::Span<const std::string> proof,
                               absl::string_view root1,
                               absl::string_view root2);

}  // namespace accord::auditlog

#endif  // ACCORD_BROKER_AUDITLOG_MERKLE_H_
