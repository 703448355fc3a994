#include "formats/yaml_file.hpp"

#include "common/error.hpp"
#include "common/file_util.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace airlock {

YAML::Node load_yaml_file(const std::filesystem::path& path, std::uint64_t max_size) {
  const std::string text = read_small_file(path, max_size);
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw UsageError(fmt::format("{}:{}: not valid YAML: {}", path.string(), e.mark.line + 1, e.msg));
  }
}

std::string yaml_where(const std::filesystem::path& path, const YAML::Node& node) {
  return fmt::format("{}:{}", path.string(), node.Mark().line + 1);
}

std::string yaml_scalar(const std::filesystem::path& path, const YAML::Node& node, std::string_view key) {
  if (!node.IsScalar()) throw UsageError(fmt::format("{}: \"{}\" must be a string", yaml_where(path, node), key));
  return node.as<std::string>();
}

void refuse_unknown_keys(const std::filesystem::path& path, const YAML::Node& map,
                         std::initializer_list<std::string_view> known, std::string_view what) {
  for (const auto& kv : map) {
    const auto key = yaml_scalar(path, kv.first, "key");
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (const auto k : known) list += fmt::format("{}{}", list.empty() ? "" : ", ", k);
    throw UsageError(fmt::format("{}: unknown {} \"{}\" (known: {})", yaml_where(path, kv.first), what, key, list));
  }
}

}  // namespace airlock
