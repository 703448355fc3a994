#pragma once
// The release's YAML rendered for the site: every reference to a bundled
// image rewritten in place to its pinned reference in the site registry
// (importer/image_rewrite.hpp), ${airlock:NAME} placeholders filled from the
// site's values, and a generated kustomization.yaml unless the release
// brings its own. Pure: reads nothing but its arguments and the values file.

#include "formats/bundle_index.hpp"
#include "importer/image_rewrite.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace airlock {

struct RenderedRelease {
  std::string dir;
  std::vector<std::pair<std::string, std::string>> files;  // repository path → content
  std::vector<ImageRewrite> rewrites;
};

// The bundle's manifests/ files under `dir`, each image a bundled image's
// reference rewritten to <registry>/<prefix>/<repository>:<tag>@<digest>,
// placeholders filled from `values`; plus kustomization.yaml unless the
// release brings its own. Throws UsageError naming file:line.
[[nodiscard]] RenderedRelease render_release(const BundleIndex& index,
                                             const std::vector<std::pair<std::string, std::string>>& manifests,
                                             const std::string& registry, const std::string& prefix,
                                             const std::string& dir,
                                             const std::optional<std::filesystem::path>& values_file);

}  // namespace airlock
