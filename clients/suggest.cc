#include "clients/suggest.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "accord/v1/admin.grpc.pb.h"
#include "accord/v1/policy.grpc.pb.h"
#include "policy/near_miss.h"
#include "policy/taxonomy.h"

namespace accord::client {
namespace {

namespace v1 = ::accord::v1;

constexpr size_t kMaxListed = 12;

enum class Kind { kPurpose, kDataset, kPrincipal };

// The quoted name in `message` after `prefix` ("...'NAME'..."), if the
// message has that shape.
std::optional<std::string> QuotedAfter(absl::string_view message,
                                       absl::string_view prefix) {
  size_t at = message.find(prefix);
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view rest = message.substr(at + prefix.size());
  size_t open = rest.find('\'');
  if (open == absl::string_view::npos) return std::nullopt;
  size_t close = rest.find('\'', open + 1);
  if (close == absl::string_view::npos) return std::nullopt;
  return std::string(rest.substr(open + 1, close - open - 1));
}

// What the broker's message says is unknown, if it says so.
std::optional<std::pair<Kind, std::string>> UnknownName(
    const absl::Status& status) {
  const absl::string_view m = status.message();
  if (absl::IsInvalidArgument(status) &&
      absl::StrContains(m, "is not in the taxonomy")) {
    if (auto name = QuotedAfter(m, "purpose:")) {
      return std::make_pair(Kind::kPurpose, *name);
    }
  }
  if (absl::IsNotFound(status) && absl::StartsWith(m, "no dataset '")) {
    if (auto name = QuotedAfter(m, "no dataset")) {
      return std::make_pair(Kind::kDataset, *name);
    }
  }
  if (absl::IsNotFound(status) && absl::StartsWith(m, "no principal '")) {
    if (auto name = QuotedAfter(m, "no principal")) {
      return std::make_pair(Kind::kPrincipal, *name);
    }
  }
  if (absl::IsInvalidArgument(status) &&
      absl::StrContains(m, "is not a known partner")) {
    if (auto name = QuotedAfter(m, ":")) {
      return std::make_pair(Kind::kPrincipal, *name);
    }
  }
  return std::nullopt;
}

// The names the caller may list, or nullopt when it may not.
std::optional<std::vector<std::string>> KnownNames(CommandContext& ctx,
                                                   Kind kind) {
  std::vector<std::string> names;
  switch (kind) {
    case Kind::kPurpose: {
      absl::StatusOr<policy::Taxonomy> taxonomy = policy::Taxonomy::Default();
      if (!taxonomy.ok()) return std::nullopt;
      return taxonomy->Ids();
    }
    case Kind::kDataset: {
      v1::ListDatasetsResponse all;
      absl::Status s = CollectPages(
          [&ctx](const std::string& token, v1::ListDatasetsResponse* page) {
            v1::ListDatasetsRequest request;
            request.set_page_token(token);
            return ctx.Call(&v1::PolicyService::Stub::ListDatasets, request,
                            page);
          },
          &all);
      if (!s.ok()) return std::nullopt;
      for (const v1::Dataset& d : all.datasets()) names.push_back(d.id());
      return names;
    }
    case Kind::kPrincipal: {
      v1::ListPrincipalsResponse all;
      absl::Status s = CollectPages(
          [&ctx](const std::string& token, v1::ListPrincipalsResponse* page) {
            v1::ListPrincipalsRequest request;
            request.set_page_token(token);
            return ctx.Call(&v1::AdminService::Stub::ListPrincipals, request,
                            page);
          },
          &all);
      if (!s.ok()) return std::nullopt;
      for (const v1::Principal& p : all.principals()) names.push_back(p.id());
      return names;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string SuggestionFor(const std::string& name,
                          const std::vector<std::string>& known) {
  if (known.empty()) return "";
  std::string near = policy::DidYouMean(name, known);
  if (!near.empty()) return near;
  std::vector<std::string> listed(
      known.begin(), known.begin() + std::min(known.size(), kMaxListed));
  return absl::StrCat("; known: ", absl::StrJoin(listed, ", "),
                      known.size() > kMaxListed ? ", ..." : "");
}

absl::Status SuggestKnownName(CommandContext& ctx, const absl::Status& status) {
  std::optional<std::pair<Kind, std::string>> unknown = UnknownName(status);
  if (!unknown.has_value()) return status;
  std::optional<std::vector<std::string>> known =
      KnownNames(ctx, unknown->first);
  if (!known.has_value()) return status;
  const std::string suggestion = SuggestionFor(unknown->second, *known);
  if (suggestion.empty()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(status.message(), suggestion));
}

}  // namespace accord::client
