#pragma once
// A vendor's Kubernetes YAML read as a stream of events (yaml-cpp's
// parser, no node tree), with limits, so that what discovery and render
// read costs memory in proportion to the text and time in proportion to
// its events, whatever the YAML holds:
//
//   - nesting deeper than k_max_yaml_depth is refused;
//   - aliases are not expanded, but what they would expand to is counted:
//     a document whose expansion exceeds k_max_yaml_expanded nodes (an
//     "alias bomb": kubectl, kustomize and Flux expand what airlock
//     commits) is refused at the alias that crosses it;
//   - a UTF-8 byte order mark at the start is skipped, as YAML readers do.
//
// Every refusal is a UsageError naming file:line.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace airlock {

inline constexpr std::size_t k_max_yaml_depth = 100;
inline constexpr std::uint64_t k_max_yaml_expanded = 1'000'000;  // nodes per document, aliases expanded

// A key of a mapping, or an index of a sequence, on the way from a
// document's root to a node.
using YamlPathPart = std::variant<std::string, std::size_t>;

struct YamlScalar {
  std::string_view value;                 // as YAML reads it
  const std::vector<YamlPathPart>& path;  // from the document's root; a key's own path ends at its mapping
  std::size_t offset = 0;                 // where the node starts in the text (its anchor or tag included)
  std::size_t line = 0;                   // 1-based
  bool key = false;                       // a mapping key
  bool alias = false;                     // reached through an alias: offset and value are the anchor's
};

class YamlVisitor {
public:
  virtual ~YamlVisitor() = default;
  // A document whose root is a mapping (others are skipped).
  virtual void document_start() = 0;
  virtual void scalar(const YamlScalar& scalar) = 0;
  virtual void document_end() = 0;
};

// Throws UsageError naming file:line when the YAML does not parse or
// breaks a limit.
void scan_yaml(std::string_view text, std::string_view file, YamlVisitor& visitor);

// "spec.template.spec.containers[0].image"
[[nodiscard]] std::string yaml_path_text(const std::vector<YamlPathPart>& path);

}  // namespace airlock
