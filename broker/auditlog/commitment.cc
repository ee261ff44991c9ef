#include "broker/auditlog/commitment.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "broker/crypto/hmac.h"
#include "broker/crypto/random.h"
#include "broker/crypto/sha256.h"

namespace accord::auditlog {
namespace {

constexpr absl::string_view kOpeningDomain = "accord subject opening v1";
constexpr absl::string_view kCommitmentDomain = "accord subject commitment v1";

}  // namespace

std::string NewSubjectKey() { return crypto::RandomBytes(kSubjectKeyBytes); }

std::string NewCommitmentSalt() {
  return crypto::RandomBytes(kCommitmentSaltBytes);
}

absl::StatusOr<std::string> SubjectOpening(absl::string_view key,
                                           absl::string_view salt) {
  if (key.size() != kSubjectKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "subject key: ", key.size(), " bytes, want ", kSubjectKeyBytes));
  }
  if (salt.size() != kCommitmentSaltBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("commitment_salt: ", salt.size(), " bytes, want ",
                     kCommitmentSaltBytes));
  }
  return std::string(crypto::AsBytes(
      crypto::HmacSha256(key, absl::StrCat(kOpeningDomain, salt))));
}

absl::StatusOr<std::string> SubjectCommitment(absl::string_view opening,
                                              absl::string_view subject) {
  if (opening.size() != kOpeningBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "subject_opening: ", opening.size(), " bytes, want ", kOpeningBytes));
  }
  if (subject.empty()) return absl::InvalidArgumentError("subject is empty");
  const std::string domain =
      absl::StrCat(kCommitmentDomain, absl::string_view("\0", 1));
  return std::string(crypto::AsBytes(crypto::Sha256(domain, opening, subject)));
}

absl::Status CommitSubjects(const std::vector<KeyedSubject>& subjects,
                            absl::string_view salt,
                            accord::v1::AuditEvent* event) {
  std::vector<std::string> commitments;
  commitments.reserve(subjects.size());
  for (const KeyedSubject& s : subjects) {
    absl::StatusOr<std::string> opening = SubjectOpening(s.key, salt);
    if (!opening.ok()) return opening.status();
    absl::StatusOr<std::string> c = SubjectCommitment(*opening, s.subject);
    if (!c.ok()) return c.status();
    commitments.push_back(*std::move(c));
  }
  std::sort(commitments.begin(), commitments.end());
  event->clear_subjects();
  event->clear_subject_commitments();
  if (commitments.empty()) {
    event->clear_commitment_salt();
  } else {
    event->set_commitment_salt(std::string(salt));
  }
  event->set_subject_count(static_cast<uint32_t>(commitments.size()));
  for (std::string& c : commitments)
    event->add_subject_commitments(std::move(c));
  return absl::OkStatus();
}

bool HasCommitment(const accord::v1::AuditEvent& event,
                   absl::string_view opening, absl::string_view subject) {
  absl::StatusOr<std::string> c = SubjectCommitment(opening, subject);
  if (!c.ok()) return false;
  return std::find(event.subject_commitments().begin(),
                   event.subject_commitments().end(),
                   *c) != event.subject_commitments().end();
}

bool HasCommitmentOfKey(const accord::v1::AuditEvent& event,
                        absl::string_view key, absl::string_view subject) {
  if (event.subject_commitments().empty()) return false;
  absl::StatusOr<std::string> opening =
      SubjectOpening(key, event.commitment_salt());
  return opening.ok() && HasCommitment(event, *opening, subject);
}

}  // namespace accord::auditlog
