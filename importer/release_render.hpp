#pragma once
// The release's YAML rendered for the site: every reference to a bundled
// image rewritten in place to its pinned reference in the site registry
// (importer/image_rewrite.hpp), ${airlock:NAME} placeholders filled from the
// site's values, and a generated kustomization.yaml unless the release
// brings its own. A release with kustomize trees (the index's kustomize[])
// is committed below <dir>/manifests/, each tree as the vendor wrote it but
// for the in-place rewrites of importer/kustomize_render.hpp, and the
// generated <dir>/kustomization.yaml lists the trees' entry points and
// maps the images their builds deploy. Pure: reads nothing but its
// arguments and the values file.

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

// The bundle's manifests/ files under `dir` (under `dir`/manifests/ for a
// release with kustomize trees), each image a bundled image's reference
// rewritten to <registry>/<prefix>/<repository>:<tag>@<digest>,
// placeholders filled from `values`; plus kustomization.yaml unless the
// release brings its own (always, with kustomize trees). Throws UsageError
// naming file:line; VerificationError when a tree's recorded image is not
// an image of the bundle.
[[nodiscard]] RenderedRelease render_release(const BundleIndex& index,
                                             const std::vector<std::pair<std::string, std::string>>& manifests,
                                             const std::string& registry, const std::string& prefix,
                                             const std::string& dir,
                                             const std::optional<std::filesystem::path>& values_file);

}  // namespace airlock
