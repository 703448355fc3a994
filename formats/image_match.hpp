#pragma once
// Which bundled image a reference in the release's YAML names, one rule for
// the packer (which images to bundle) and the importer (which references to
// rewrite): the image whose registry source is that very reference, else an
// image from a local layout (no registry source) whose bundle name the
// reference has. A registry image is never matched by name alone: two
// registries may hold different images under one repository path.

#include "formats/image_reference.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace airlock {

class ImageMatcher {
public:
  // `source`: the reference a registry image was pulled by; nullopt for an
  // image from a local layout, which is known by its bundle `name`.
  void add(std::size_t id, const std::optional<ImageReference>& source, const std::string& name);
  // The id of the image `ref` names, if any.
  [[nodiscard]] std::optional<std::size_t> find(const ImageReference& ref) const;

private:
  std::map<std::string, std::size_t> m_by_reference;
  std::map<std::string, std::size_t> m_layout_by_name;
};

}  // namespace airlock
