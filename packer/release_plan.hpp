#pragma once
// What a bundle will hold, decided before anything is fetched: the spec,
// its manifest files, and every image: those the spec lists and those the
// YAML references (formats/image_discovery.hpp), merged by bundle name.

#include "common/git_options.hpp"
#include "formats/bundle_index.hpp"
#include "formats/image_reference.hpp"
#include "formats/release_spec.hpp"
#include "formats/image_discovery.hpp"

#include <optional>
#include <string>
#include <vector>

namespace airlock {

struct ManifestFile {
  std::string file;   // for messages: a path, or URL@ref:path
  std::string entry;  // manifests/..., relative to the listed directory
  std::string content;
};

// How a kustomize build's images transformers changed a reference.
struct ImageTrail {
  std::size_t found_at = 0;     // which of PlannedImage::found_at
  std::string was;              // the field as written
  std::vector<std::string> by;  // file:line of each images entry that changed it
};

struct PlannedImage {
  std::string name;                         // repository:tag in the bundle
  std::string source;                       // "oci:PATH[:REF]" or "docker://REF"
  std::optional<ImageReference> reference;  // for registry sources
  std::vector<std::string> found_at;        // spec:line and file:line of every mention
  std::vector<ImageTrail> trails;           // of the mentions a kustomize build changed
};

struct ReleasePlan {
  ReleaseSpec spec;
  std::vector<ManifestFile> manifests;
  std::vector<ManifestSource> sources;  // git repositories the manifests came from
  std::vector<PlannedImage> images;
  std::vector<FoundImage> unbundled;         // references outside image fields that the bundle would not carry
  std::vector<std::string> notes;            // image fields outside containers that are not references
  std::vector<KustomizeEntry> kustomize;     // manifests items built with kustomize (packer/kustomize_build.hpp)
  std::vector<std::string> kustomize_notes;  // what those builds do that discovery does not follow
};

// A manifests item that is a directory with a kustomize entry (`kustomize:`,
// else its root when that holds a kustomization file) is bundled whole, and
// its images are those the build of the entry deploys: the fields its
// resources and patches set, after every images transformer on the way
// (packer/kustomize_build.hpp). Files the build does not reach are bundled
// as they are, their images not discovered (a note says so).
//
// Throws UsageError naming spec:line or file:line: a bad spec, a missing or
// unparsable manifest, an image field that is not a reference (after the
// kustomize transformers, for the fields they set), two sources that would
// share one bundle name, and what packer/kustomize_build.hpp refuses. Git
// sources are fetched with `git` (packer/git_manifests.hpp); RemoteError
// when one cannot be.
[[nodiscard]] ReleasePlan plan_release(const std::filesystem::path& spec_path, const GitOptions& git = {});

}  // namespace airlock
