#pragma once
// Small YAML files a user writes (release spec, trust policy, site values):
// parsed whole, and every message about them names file:line.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

namespace airlock {

// The file, at most `max_size` bytes, parsed. UsageError naming file:line
// when it cannot be read or is not YAML.
[[nodiscard]] YAML::Node load_yaml_file(const std::filesystem::path& path, std::uint64_t max_size);

// "FILE:LINE" of a node.
[[nodiscard]] std::string yaml_where(const std::filesystem::path& path, const YAML::Node& node);

// The node's text; UsageError naming file:line and `key` when it is not a scalar.
[[nodiscard]] std::string yaml_scalar(const std::filesystem::path& path, const YAML::Node& node, std::string_view key);

// UsageError naming file:line at the first key of `map` that is not one of
// `known`: `unknown WHAT "KEY" (known: a, b, c)`.
void refuse_unknown_keys(const std::filesystem::path& path, const YAML::Node& map,
                         std::initializer_list<std::string_view> known, std::string_view what = "key");

}  // namespace airlock
