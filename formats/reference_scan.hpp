#pragma once
// Image references written inside larger text: an operator's flag
// (`--prometheus-config-reloader=quay.io/org/reloader:v0.9`), an env value
// (`KEY=quay.io/...`), comma or space lists, YAML or JSON held in a string
// (a ConfigMap's `config.yaml`). A candidate is a maximal run of the
// characters a reference can hold ([A-Za-z0-9._:/@[]-]); it counts when it
// is registry-qualified (its first component holds a '.' or a ':' or is
// localhost), has a tag or a digest, and parses as docker parses it. So a
// URL (`https://quay.io/...`: its first component is "https:"), a registry
// host alone, an untagged path and a bare name (`nginx:1.27`, too common in
// prose) are not references.

#include "formats/image_reference.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

struct TextReference {
  std::size_t offset = 0;  // in the text
  std::string text;
  ImageReference reference;
};

[[nodiscard]] std::vector<TextReference> references_in_text(std::string_view text);

// Whether `token` as a whole is such a reference.
[[nodiscard]] bool is_qualified_reference(std::string_view token);

}  // namespace airlock
