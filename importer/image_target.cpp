#include "importer/image_target.hpp"

#include <fmt/format.h>

namespace airlock {

std::string target_repository(const std::string& prefix, const std::string& repository) {
  return prefix.empty() ? repository : prefix + "/" + repository;
}

std::string pinned_reference(const std::string& registry, const std::string& prefix, const IndexImage& image) {
  return fmt::format("{}/{}:{}@{}", registry, target_repository(prefix, image.repository), image.tag,
                     image.digest.str());
}

}  // namespace airlock
