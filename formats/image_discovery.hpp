#pragma once
// Finds the images a release's Kubernetes YAML needs, so they are bundled
// without being listed in the spec, and the image references it holds
// elsewhere, so they can be reported (and, once listed, rewritten).
//
// - Image fields: every `image:` key whose value is a string, at any depth
//   of any document that is a mapping: containers, initContainers and
//   ephemeralContainers of every workload kind, pod templates inside
//   custom resources, and custom resources' own image fields. A value that
//   is not a reference is an error in a container of a pod spec, and a
//   note elsewhere (a custom resource may call an OS image or a
//   {repository, tag} mapping `image`).
// - Embedded references: registry-qualified references inside any other
//   string (formats/reference_scan.hpp): flags, env values, lists, YAML or
//   JSON text in a ConfigMap.
// - CustomResourceDefinitions are skipped whole: their OpenAPI schemas
//   have `image` properties and prose, which are not images.
//
// - With `kustomize` set (a resource or a patch of a kustomize build), the
//   image fields kustomize's images transformer sets (containers[N].image
//   and initContainers[N].image at any depth, outside CRDs) are returned
//   as written and unchecked, in `kustomize_fields`: what they hold is only
//   an image once the build's transformers have run
//   (formats/kustomize_image.hpp).
//
// The YAML is read as events with the limits of formats/yaml_scan.hpp.

#include "formats/image_reference.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

struct FoundImage {
  std::string text;  // the reference as written
  ImageReference reference;
  std::string where;    // file:line
  std::string context;  // Kind/name and the path to the field
  // Where `text` stands in the file, byte for byte (inside its scalar);
  // npos when it does not (a double-quoted scalar that escapes it), so it
  // cannot be rewritten in place.
  std::size_t offset = std::string::npos;
  bool container = false;  // the image of a container of a pod spec
};

// An image field as written, not yet an image reference.
struct ImageField {
  std::string text;
  std::string where;                       // file:line
  std::string context;                     // Kind/name and the path to the field
  std::size_t offset = std::string::npos;  // as FoundImage::offset
};

struct DiscoveryOptions {
  bool kustomize = false;
};

struct DiscoveryResult {
  std::vector<FoundImage> images;            // image fields, in file order
  std::vector<ImageField> kustomize_fields;  // with DiscoveryOptions::kustomize: the fields its transformer sets
  std::vector<FoundImage> embedded;          // references inside other strings, in file order
  std::vector<std::string> errors;           // container image fields that are not references
  std::vector<std::string> notes;            // other image fields that are not references
};

// Throws UsageError naming file:line when the YAML does not parse or
// breaks a limit of formats/yaml_scan.hpp.
[[nodiscard]] DiscoveryResult discover_images(std::string_view yaml, std::string_view file,
                                              const DiscoveryOptions& options = {});

}  // namespace airlock
