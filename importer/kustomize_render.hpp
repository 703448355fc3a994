#pragma once
// The import side of a kustomize tree (formats/bundle_index.hpp's
// KustomizeEntry): the vendor's files stay as the vendor wrote them, and
// the generated kustomization above them points the images the build
// deploys at the site registry with an images: transformer of its own. Its
// entries run after every transformer of the vendor's build, so they see
// the values the build deploys; each maps one such value, written as the
// build writes it, to newName <registry>/<prefix>/<repository>, newTag and
// digest, which kustomize writes as <registry>/<prefix>/<repository>:<tag>@
// <digest>: the pinned reference of importer/image_target.hpp.
//
// kustomize matches an entry's name against a value as a prefix followed by
// an optional ":TAG" and "@sha256:..." (formats/kustomize_image.hpp), so
// "nginx" would also take "nginx:1.27": an entry comes after every entry
// whose name it would match.

#include "importer/image_rewrite.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

struct KustomizeImageMapping {
  std::string name;  // the value as the vendor's build deploys it
  std::string new_name;
  std::string new_tag;
  std::string digest;
};

// The mappings in the order the generated kustomization lists them. Never
// throws.
[[nodiscard]] std::vector<KustomizeImageMapping> order_image_mappings(std::vector<KustomizeImageMapping> mappings);

// The generated kustomization's images: block ("images:\n  - name: ...").
// Never throws.
[[nodiscard]] std::string images_block(const std::vector<KustomizeImageMapping>& mappings);

// A resource file of a kustomize build, rewritten in place as
// importer/image_rewrite.hpp does, except the image fields kustomize's
// images transformer sets (containers[N].image, initContainers[N].image):
// the vendor's transformers must still see what the vendor wrote there.
// Throws as render_images.
[[nodiscard]] RenderedYaml render_kustomize_resource(
    std::string_view yaml, std::string_view file,
    const std::function<std::optional<std::string>(const ImageReference&)>& target);

}  // namespace airlock
