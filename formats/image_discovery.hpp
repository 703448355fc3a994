#pragma once
// Finds the images a release's Kubernetes YAML needs, so they are bundled
// without being listed in the spec.
//
// Every `image:` key whose value is a string, at any depth of any document,
// is an image: containers, initContainers and ephemeralContainers of every
// workload kind, pod templates inside custom resources, and custom
// resources' own image fields. CustomResourceDefinitions are skipped whole:
// their OpenAPI schemas have `image` *properties*, which are not images.
// Strings elsewhere that look like a registry-qualified reference (in args,
// env values, ConfigMap data) are reported as warnings with file:line, so
// the user can list them in the spec.

#include "formats/image_reference.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace airlock {

struct FoundImage {
  std::string text;       // as written in the YAML
  ImageReference reference;
  std::string where;      // file:line
  std::string context;    // Kind/name and the path to the field
  std::size_t offset = 0; // where the scalar's node starts in the file (anchor and tag included)
};

struct DiscoveryResult {
  std::vector<FoundImage> images;   // every occurrence, in file order
  std::vector<FoundImage> warnings; // image-like strings outside image fields
  std::vector<std::string> errors;  // image fields that are not references
};

// Throws UsageError naming file:line when the YAML does not parse.
[[nodiscard]] DiscoveryResult discover_images(std::string_view yaml, std::string_view file);

}  // namespace airlock
