#pragma once
// Follows what a kustomize build of an entry point uses, without running
// kustomize, to learn which images the build deploys and from which files.
//
// The walk mirrors kustomize's accumulation (checked against `kubectl
// kustomize`, v5.5): a kustomization first builds its resources (a file is
// read as resources; a directory is a kustomization built on its own, its
// transformers applied first: inner before outer), then applies its
// components in order (each adds its resources, applies its own
// components, then its transformers to everything accumulated so far),
// then its own transformers: patches (which may set an image field; the
// value they set joins the fields already there) and then the images
// transformer, entry by entry (formats/kustomize_image.hpp).
//
// Paths: a resource, component or base may climb with "../" but never out
// of the manifests entry; a file (a resource, a patch, a generator's
// source) must lie in or below its kustomization's directory, as kustomize
// itself requires. A remote resource (a URL, a git repository) is refused:
// it must be vendored. Every refusal is a UsageError naming file:line.

#include "formats/image_discovery.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace airlock {

// The files of a manifests entry, as the walk sees them: paths relative to
// the entry's root, '/'-separated.
struct KustomizeTree {
  // The *.yaml / *.yml files the entry's listing collected; files the build
  // needs beyond them (a generator's source, a hidden file) are added here.
  std::map<std::string, std::string>* files = nullptr;
  // How messages name a file or directory of the tree.
  std::function<std::string(const std::string& rel)> show;
  // A file the listing did not collect: nullopt when there is none. May
  // throw UsageError naming `where` when such a file cannot be bundled,
  // unless `where` is empty (a probe: nullopt then).
  std::function<std::optional<std::string>(const std::string& rel, const std::string& where)> read_other;
  std::function<bool(const std::string& rel)> is_directory;
};

// An image field that the images transformer sets, and what the build's
// transformers make of it.
struct KustomizeImageUse {
  ImageField field;                 // as the resource or patch writes it
  std::string value;                // after every transformer of the build
  std::vector<std::string> set_by;  // file:line of each images entry that changed it, in order
};

struct KustomizeBuild {
  std::vector<KustomizeImageUse> uses;   // in build order
  std::vector<FoundImage> images;        // other image fields of the resources, final as written
  std::vector<FoundImage> embedded;      // references inside other strings of the resources
  std::vector<std::string> errors;       // as DiscoveryResult::errors
  std::vector<std::string> field_notes;  // as DiscoveryResult::notes
  std::vector<std::string> notes;        // what the build may do to images that is not followed
  std::set<std::string> resources;       // files read as resources
  std::set<std::string> used;            // every file the build reads: kustomizations, resources, patches...
};

inline constexpr std::size_t k_max_kustomizations = 10'000;  // kustomizations one build may visit

// The kustomization file of `dir` in the tree, or nullopt. Throws
// UsageError when it holds more than one.
[[nodiscard]] std::optional<std::string> kustomization_file(const KustomizeTree& tree, const std::string& dir);

// Walks the build of the kustomization in `entry` (relative to the tree's
// root; "" is the root itself). `where` names the spec line that chose it.
// Throws UsageError naming file:line: no kustomization at the entry, a
// missing, remote or escaping path, a file outside its kustomization's
// directory, a cycle, more than k_max_kustomizations visits, and whatever
// formats/kustomization.hpp and formats/image_discovery.hpp refuse.
[[nodiscard]] KustomizeBuild build_kustomize(const KustomizeTree& tree, const std::string& entry,
                                             const std::string& where);

}  // namespace airlock
