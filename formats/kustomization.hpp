#pragma once
// A kustomization file (kustomization.yaml, kustomization.yml or
// Kustomization; kind Kustomization or Component), read for what a
// kustomize build of it uses and how it can change an image:
//
// - resources (and the deprecated bases, which kustomize appends to them),
//   components: files or directories, in order;
// - images: the images transformer (formats/kustomize_image.hpp);
// - patchesStrategicMerge, patches, patchesJson6902: patches may set an
//   image, so the packer reads them (in the order kustomize applies them);
// - the other files the build reads and the bundle must carry: generator
//   sources, crds, configurations, openapi, replacements and plugin files;
// - what may change an image without being followed: replacements that
//   target a field holding "image", transformers/generators plugins
//   (notes), and Helm charts (refused: their images are only known once
//   the chart is rendered).
//
// Every other key (namespace, labels, namePrefix, replicas...) is left to
// kustomize: it changes no image. Scalars in `images:` follow kustomize's
// typing: an unquoted 1.0 or true is a number or a boolean, which kustomize
// refuses, so the parser does too.

#include "formats/image_discovery.hpp"
#include "formats/kustomize_image.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

inline constexpr std::string_view k_kustomization_names[] = {"kustomization.yaml", "kustomization.yml",
                                                             "Kustomization"};

struct KustomizationPath {
  std::string path;   // as written, relative to the kustomization's directory
  std::string where;  // file:line
};

struct KustomizationPatch {
  enum class Kind { strategic_merge, json6902, detect };  // patches: entries may be either, told by their content
  Kind kind = Kind::detect;
  std::optional<std::string> path;  // a patch file, relative to the kustomization's directory
  std::string text;                 // an inline patch
  std::string where;
  std::string file;      // the kustomization, for an inline patch
  std::size_t line = 0;  // where the inline patch's first line stands in it (1-based)
};

struct Kustomization {
  bool component = false;
  std::vector<KustomizationPath> resources;  // resources, then bases
  std::vector<KustomizationPath> components;
  std::vector<KustomizeImage> images;
  std::vector<KustomizationPatch> patches;        // patchesStrategicMerge, patches, patchesJson6902
  std::vector<KustomizationPath> files;           // other files the build reads
  std::vector<KustomizationPath> configurations;  // transformer configurations (may extend where images: applies)
  std::vector<KustomizationPath> replacements;    // replacement files
  std::vector<std::string> notes;                 // changes to images that are not followed, with file:line
};

// Throws UsageError naming file:line: not YAML (or over the limits of
// formats/yaml_scan.hpp), not a mapping, a kind other than Kustomization or
// Component, a list that is not a list of strings, an images entry with an
// unknown key, tagSuffix, a number or boolean where kustomize wants a
// string, or a name kustomize would read as a regular expression, and Helm
// charts.
[[nodiscard]] Kustomization parse_kustomization(std::string_view text, std::string_view file);

// The notes for the targets of a replacements file (a list of replacements)
// whose field paths hold "image". Throws UsageError naming file:line when
// it is not YAML.
[[nodiscard]] std::vector<std::string> replacement_image_notes(std::string_view text, std::string_view file);

// Whether a patch's text is a JSON 6902 patch (a list of operations) rather
// than a strategic merge patch, as kustomize's patches: tells them apart.
// Throws UsageError naming file:line when it is not YAML.
[[nodiscard]] bool is_json6902_patch(std::string_view text, std::string_view file);

// The values a JSON 6902 patch puts in a field the images transformer sets:
// an add or replace whose path ends in containers/N/image (or
// initContainers), or whose value holds such fields below its path. Throws
// UsageError naming file:line when it is not a list of operations.
[[nodiscard]] std::vector<ImageField> json6902_image_fields(std::string_view text, std::string_view file);

// Whether a transformer configuration file (configurations:) has an
// `images` field spec list, which extends where images: applies. Throws
// UsageError naming file:line when it is not YAML.
[[nodiscard]] bool configuration_sets_images(std::string_view text, std::string_view file);

}  // namespace airlock
