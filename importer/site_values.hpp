#pragma once
// The site's answers to the placeholders a release declares
// (formats/placeholder.hpp), from the --values file: a flat YAML mapping
// NAME: value. Only declared names are accepted; a value is one line of
// text and is substituted as it is.

#include "formats/placeholder.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

inline constexpr std::uint64_t k_max_values_file = 1 << 20;

// Name → value: the file's values over the declared defaults. Throws
// UsageError naming file:line for a name the release does not declare, a
// value that is not one line of text, or a file that is not a mapping.
[[nodiscard]] std::map<std::string, std::string> resolve_site_values(const std::vector<DeclaredValue>& declared,
                                                                     const std::optional<std::filesystem::path>& file);

// `text` with every ${airlock:NAME} replaced. Throws UsageError naming
// file:line for a placeholder without a value (or undeclared).
[[nodiscard]] std::string substitute_values(std::string_view text, std::string_view file,
                                            const std::vector<DeclaredValue>& declared,
                                            const std::map<std::string, std::string>& values,
                                            const std::optional<std::filesystem::path>& values_file);

}  // namespace airlock
