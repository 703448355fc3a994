#pragma once
// Site values: the few things a vendor cannot know (an ingress host, a
// storage class) are written in the release's YAML as ${airlock:NAME},
// declared in the spec's `values:`, carried in the signed index, and filled
// in on import from the site's --values file. Plain text substitution: no
// expressions, no code.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

struct DeclaredValue {
  std::string name;  // [A-Za-z_][A-Za-z0-9_]*
  std::string description;
  std::optional<std::string> default_value;
};

struct Placeholder {
  std::string name;
  std::size_t offset = 0;  // of the "${"
  std::size_t length = 0;
  std::size_t line = 0;  // 1-based
};

[[nodiscard]] bool is_valid_value_name(std::string_view name);

// Every ${airlock:NAME} in `text`. Throws UsageError naming file:line for a
// "${airlock:" that does not continue with a valid NAME and "}".
[[nodiscard]] std::vector<Placeholder> find_placeholders(std::string_view text, std::string_view file);

}  // namespace airlock
