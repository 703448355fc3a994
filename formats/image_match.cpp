#include "formats/image_match.hpp"

namespace airlock {

void ImageMatcher::add(std::size_t id, const std::optional<ImageReference>& source, const std::string& name) {
  if (source)
    m_by_reference.emplace(source->str(), id);
  else
    m_layout_by_name.emplace(name, id);
}

std::optional<std::size_t> ImageMatcher::find(const ImageReference& ref) const {
  if (const auto it = m_by_reference.find(ref.str()); it != m_by_reference.end()) return it->second;
  if (const auto it = m_layout_by_name.find(ref.bundle_name()); it != m_layout_by_name.end()) return it->second;
  return std::nullopt;
}

}  // namespace airlock
