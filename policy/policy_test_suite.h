#ifndef ACCORD_POLICY_POLICY_TEST_SUITE_H_
#define ACCORD_POLICY_POLICY_TEST_SUITE_H_

// Offline policy test suites (`accord policy test FILE...`): a policy, its
// dataset and directory, consents, and requests with expected decisions.
// Format: policy/README.md.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "policy/decide.h"
#include "policy/model.h"
#include "policy/taxonomy.h"

namespace accord::policy {

// Reads a file named by a suite (the caller owns all I/O).
using FileReader =
    std::function<absl::StatusOr<std::string>(absl::string_view path)>;

struct SuiteCaseResult {
  std::string name;
  bool passed = false;
  // One line per expectation that did not hold.
  std::vector<std::string> failures;
  // Why the broker would refuse the request before deciding it
  // (CheckRequestSubjects), with an empty DENY `decision`; empty otherwise.
  std::string invalid;
  Decision decision;
};

struct SuiteResult {
  std::string file;
  std::vector<SuiteCaseResult> cases;
  // Number of cases that failed.
  int failed() const;
};

// Runs the suite in `suite_yaml` (read from `suite_path`; `policy_file` is
// resolved relative to its directory and read with `read_file`).
// Returns per-case results (a failing case is a result, not an error), or
// INVALID_ARGUMENT with FILE:LINE:COLUMN lines when the suite or its policy
// is malformed, or the error of `read_file`.
absl::StatusOr<SuiteResult> RunPolicySuite(absl::string_view suite_yaml,
                                           absl::string_view suite_path,
                                           const Taxonomy& taxonomy,
                                           const FileReader& read_file);

// One line per case, "PASS name" or "FAIL name: why; why", then a summary
// line "N passed, M failed".
std::string FormatSuiteResult(const SuiteResult& result);

// The `dataset` and `directory` blocks of a suite, for tools that need a
// policy's context without running cases (`accord policy diff`).
struct SuiteContext {
  bool has_dataset = false;
  DatasetInfo dataset;
  Directory directory;
};

// Reads the `dataset` and `directory` blocks of a suite document, or of a
// document holding only those blocks (both optional; the other suite keys
// are allowed and not read). Returns the context, or INVALID_ARGUMENT with
// FILE:LINE:COLUMN lines for a malformed block or an unknown key.
absl::StatusOr<SuiteContext> ReadSuiteContext(absl::string_view yaml,
                                              absl::string_view path);

// Joins `relative` to the directory of `base_file` (no I/O; absolute paths
// are returned unchanged).
std::string ResolveRelative(absl::string_view base_file,
                            absl::string_view relative);

}  // namespace accord::policy

#endif  // ACCORD_POLICY_POLICY_TEST_SUITE_H_
