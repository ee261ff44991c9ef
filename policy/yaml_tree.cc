#include "policy/yaml_tree.h"

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/exceptions.h"
#include "yaml-cpp/mark.h"
#include "yaml-cpp/parser.h"

namespace accord::policy {
namespace {

absl::Status ErrorAt(absl::string_view file, int line, int column,
                     absl::string_view message) {
  if (line < 1) line = 1;
  if (column < 1) column = 1;
  return absl::InvalidArgumentError(
      absl::StrCat(file, ":", line, ":", column, ": ", message));
}

// Builds a YamlNode tree from parser events with an explicit stack, so the
// builder itself never recurses. The first problem is kept and later events
// are ignored; yaml-cpp is left to finish its (linear) scan.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(absl::string_view file, const YamlLimits& limits)
      : file_(file), limits_(limits) {}

  absl::Status status() const { return status_; }
  YamlNode TakeRoot() { return std::move(root_); }
  bool has_root() const { return has_root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (!CheckAnchor(mark, anchor)) return;
    Add(mark, YamlNode::Kind::kNull);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    Fail(mark, "aliases are not supported");
  }
  void OnAnchor(const YAML::Mark& mark, const std::string&) override {
    Fail(mark, "anchors are not supported");
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag,
                YAML::anchor_t anchor, const std::string& value) override {
    if (!CheckAnchor(mark, anchor) || !CheckTag(mark, tag)) return;
    YamlNode* node = Add(mark, YamlNode::Kind::kScalar);
    if (node == nullptr) return;
    node->scalar = value;
    node->quoted = (tag == "!");
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag,
                       YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor, YamlNode::Kind::kSequence);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag,
                  YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor, YamlNode::Kind::kMap);
  }
  void OnMapEnd() override { Close(); }

 private:
  void Fail(const YAML::Mark& mark, absl::string_view message) {
    if (!status_.ok()) return;
    status_ = ErrorAt(file_, mark.line + 1, mark.column + 1, message);
  }
  bool CheckAnchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) Fail(mark, "anchors are not supported");
    return status_.ok();
  }
  bool CheckTag(const YAML::Mark& mark, const std::string& tag) {
    if (!tag.empty() && tag != "?" && tag != "!") {
      Fail(mark, "tags are not supported");
    }
    return status_.ok();
  }
  // Appends a node under the open container (or as the root) and returns
  // it, or nullptr once a problem was found.
  YamlNode* Add(const YAML::Mark& mark, YamlNode::Kind kind) {
    if (!status_.ok()) return nullptr;
    if (++nodes_ > limits_.max_nodes) {
      Fail(mark, absl::StrCat("document has more than ", limits_.max_nodes,
                              " nodes"));
      return nullptr;
    }
    YamlNode* node;
    if (stack_.empty()) {
      if (has_root_) {
        Fail(mark, "expected a single document");
        return nullptr;
      }
      has_root_ = true;
      node = &root_;
    } else {
      stack_.back()->children.emplace_back();
      node = &stack_.back()->children.back();
    }
    node->kind = kind;
    node->pos = SourcePos{mark.line + 1, mark.column + 1};
    return node;
  }
  void Open(const YAML::Mark& mark, const std::string& tag,
            YAML::anchor_t anchor, YamlNode::Kind kind) {
    if (!CheckAnchor(mark, anchor) || !CheckTag(mark, tag)) return;
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      Fail(mark, absl::StrCat("nesting deeper than ", limits_.max_depth));
      return;
    }
    YamlNode* node = Add(mark, kind);
    // Pointers stay valid: a parent's children only grow after the open
    // child is closed.
    if (node != nullptr) stack_.push_back(node);
  }
  void Close() {
    if (!status_.ok() || stack_.empty()) return;
    stack_.pop_back();
  }

  std::string file_;
  YamlLimits limits_;
  absl::Status status_;
  YamlNode root_;
  bool has_root_ = false;
  size_t nodes_ = 0;
  std::vector<YamlNode*> stack_;
};

bool StartsToken(char prev) {
  return prev == ' ' || prev == '\t' || prev == '[' || prev == '{' ||
         prev == ',' || prev == ':' || prev == '\n';
}

}  // namespace

absl::Status CheckNestingDepth(absl::string_view text,
                               absl::string_view file_name, int max_depth) {
  // A conservative estimate (it may count a level twice, never misses one):
  // flow depth counts brackets outside quotes and comments; block depth
  // counts open indentation columns, where each leading "- " or "? " on a
  // line opens one more column. Indentation is counted inside flow
  // collections too, so a stray bracket in a plain scalar cannot switch the
  // block count off.
  std::vector<int> indents;
  int flow = 0;
  char quote = 0;
  int line = 1;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const size_t line_start = i;
    if (quote == 0) {
      size_t j = i;
      while (j < n && text[j] == ' ') ++j;
      if (j < n && text[j] != '\n' && text[j] != '#' && text[j] != '\r') {
        int column = static_cast<int>(j - line_start);
        while (true) {
          while (!indents.empty() && indents.back() > column)
            indents.pop_back();
          if (indents.empty() || indents.back() < column) {
            indents.push_back(column);
          }
          if (static_cast<int>(indents.size()) > max_depth) {
            return ErrorAt(file_name, line, column + 1,
                           absl::StrCat("nesting deeper than ", max_depth));
          }
          if (j + 1 < n && (text[j] == '-' || text[j] == '?') &&
              text[j + 1] == ' ') {
            j += 2;
            while (j < n && text[j] == ' ') ++j;
            if (j >= n || text[j] == '\n' || text[j] == '#') break;
            column = static_cast<int>(j - line_start);
            continue;
          }
          break;
        }
      }
    }
    // Walk the rest of the line for quotes, comments and brackets.
    char prev = '\n';
    for (; i < n && text[i] != '\n'; ++i) {
      const char c = text[i];
      if (quote != 0) {
        if (c == '\\' && quote == '"' && i + 1 < n && text[i + 1] != '\n') {
          ++i;
        } else if (c == quote) {
          if (quote == '\'' && i + 1 < n && text[i + 1] == '\'') {
            ++i;
          } else {
            quote = 0;
          }
        }
      } else if (c == '#' && (prev == ' ' || prev == '\t' || prev == '\n')) {
        while (i < n && text[i] != '\n') ++i;
        break;
      } else if ((c == '"' || c == '\'') && StartsToken(prev)) {
        quote = c;
      } else if (c == '[' || c == '{') {
        if (++flow + static_cast<int>(indents.size()) > max_depth) {
          return ErrorAt(file_name, line, static_cast<int>(i - line_start) + 1,
                         absl::StrCat("nesting deeper than ", max_depth));
        }
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
      prev = c;
    }
    if (i < n) ++i;  // the newline
    ++line;
  }
  return absl::OkStatus();
}

absl::StatusOr<YamlNode> ParseYamlTree(absl::string_view text,
                                       absl::string_view file_name,
                                       const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return ErrorAt(file_name, 1, 1,
                   absl::StrCat("document is ", text.size(),
                                " bytes; the limit is ", limits.max_bytes));
  }
  if (text.find('\0') != absl::string_view::npos) {
    return ErrorAt(file_name, 1, 1, "document contains a NUL byte");
  }
  absl::Status depth = CheckNestingDepth(text, file_name, limits.max_depth);
  if (!depth.ok()) return depth;

  TreeBuilder builder(file_name, limits);
  // yaml-cpp reports syntax errors by throwing; this is the one place they
  // are caught and turned into a status.
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    if (parser.HandleNextDocument(builder) && builder.status().ok()) {
      TreeBuilder extra(file_name, limits);
      if (parser.HandleNextDocument(extra)) {
        return ErrorAt(file_name, 1, 1, "expected a single document");
      }
    }
  } catch (const YAML::Exception& e) {
    if (!builder.status().ok()) return builder.status();
    return ErrorAt(file_name, e.mark.line + 1, e.mark.column + 1, e.msg);
  } catch (const std::exception& e) {
    return ErrorAt(file_name, 1, 1, absl::StrCat("cannot parse: ", e.what()));
  }
  if (!builder.status().ok()) return builder.status();
  return builder.TakeRoot();
}

}  // namespace accord::policy
