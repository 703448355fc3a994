#pragma once
// Rewrites image references in a release's YAML in place: only the bytes of
// each reference change, so comments, key order, quoting and multi-document
// files survive and a reviewer's diff shows only images. The references are
// the ones discovery finds (formats/image_discovery.hpp): image fields, and
// references inside other strings (a flag, an env value, a ConfigMap's text),
// each located byte for byte in the file.

#include "formats/image_discovery.hpp"
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
// for YAML that does not parse and for a reference the bundle carries that
// does not stand byte for byte in the file (a double-quoted scalar that
// escapes it). `options` choose what discovery reports as an image (with
// `kustomize`, the fields kustomize's transformer sets are left alone).
[[nodiscard]] RenderedYaml render_images(std::string_view yaml, std::string_view file,
                                         const std::function<std::optional<std::string>(const ImageReference&)>& target,
                                         const DiscoveryOptions& options = {});

}  // namespace airlock
