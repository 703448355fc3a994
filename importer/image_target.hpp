#pragma once
// Where an image of the bundle lands in the site registry:
// <registry>/<prefix>/<repository>, tagged as in the bundle and pinned by
// the bundle's manifest digest.

#include "formats/bundle_index.hpp"

#include <string>

namespace airlock {

// "<prefix>/<repository>", or the repository alone without a prefix.
[[nodiscard]] std::string target_repository(const std::string& prefix, const std::string& repository);

// "<registry>/<prefix>/<repository>:<tag>@sha256:...": how the committed
// YAML and the receipt name the image.
[[nodiscard]] std::string pinned_reference(const std::string& registry, const std::string& prefix,
                                           const IndexImage& image);

}  // namespace airlock
