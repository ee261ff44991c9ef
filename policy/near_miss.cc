#include "policy/near_miss.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace accord::policy {

size_t EditDistance(absl::string_view a, absl::string_view b, size_t limit) {
  const size_t diff =
      a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > limit) return limit + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    size_t best = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return std::min(row[b.size()], limit + 1);
}

std::string ClosestName(absl::string_view name,
                        absl::Span<const std::string> candidates) {
  if (name.empty() || name.size() > 256) return "";
  const size_t limit =
      std::max<size_t>(1, std::min<size_t>(3, name.size() / 3));
  size_t best = limit + 1;
  std::string best_name;
  for (const std::string& candidate : candidates) {
    absl::string_view c = candidate;
    size_t d = EditDistance(name, c, limit);
    const size_t dot = c.rfind('.');
    if (dot != absl::string_view::npos) {
      d = std::min(d, EditDistance(name, c.substr(dot + 1), limit));
    }
    if (name.size() >= 4 && c.size() > name.size()) {
      // "reserch" for "research-and-development": compare with the leading
      // word(s) of the same length, give or take one character.
      for (size_t len = name.size() - 1; len <= name.size() + 1; ++len) {
        const size_t end = std::min(len, c.size());
        if (end < c.size() && c[end] != '-' && c[end] != '.') continue;
        d = std::min(d, EditDistance(name, c.substr(0, end), limit));
      }
    }
    if (d < best) {
      best = d;
      best_name = candidate;
    }
  }
  return best <= limit ? best_name : "";
}

std::string DidYouMean(absl::string_view name,
                       absl::Span<const std::string> candidates) {
  std::string closest = ClosestName(name, candidates);
  if (closest.empty() || closest == name) return "";
  return absl::StrCat("; did you mean '", closest, "'?");
}

}  // namespace accord::policy
