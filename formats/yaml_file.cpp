#include "formats/yaml_file.hpp"

#include "common/error.hpp"
#include "common/file_util.hpp"

#include <fmt/format.h>

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

}  // namespace airlock
