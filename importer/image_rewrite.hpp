#pragma once
// Rewrites image references in a release's YAML in place: only the bytes of
// each image scalar change, so comments, key order, quoting and
// multi-document files survive and a reviewer's diff shows only images.
// The scalars are the ones the packer's discovery finds (image fields, and
// image-like strings elsewhere), located by their position in the file.

#include "formats/image_reference.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

struct ImageRewrite {
  std::string where;  // file:line
  std::string from;
  std::string to;
};

struct RenderedYaml {
  std::string text;
  std::vector<ImageRewrite> rewrites;
};

// `target` gives the new reference for an image the bundle carries and
// nullopt for any other (left as it is). Throws UsageError naming file:line
// for YAML that does not parse or an image scalar that cannot be rewritten
// in place (a block or multi-line scalar).
[[nodiscard]] RenderedYaml render_images(
    std::string_view yaml, std::string_view file,
    const std::function<std::optional<std::string>(const ImageReference&)>& target);

}  // namespace airlock
