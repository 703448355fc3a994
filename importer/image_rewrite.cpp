#include "importer/image_rewrite.hpp"

#include "common/error.hpp"
#include "common/printable.hpp"
#include "formats/image_discovery.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace airlock {

RenderedYaml render_images(std::string_view yaml, std::string_view file,
                           const std::function<std::optional<std::string>(const ImageReference&)>& target,
                           const DiscoveryOptions& options) {
  const auto found = discover_images(yaml, file, options);
  // Offset → (length, replacement); an alias shares its anchor's offset, so
  // each reference is rewritten once.
  std::map<std::size_t, std::pair<std::size_t, std::string>> edits;
  RenderedYaml out;
  for (const auto* list : {&found.images, &found.embedded}) {
    for (const auto& img : *list) {
      auto to = target(img.reference);
      if (!to) continue;
      if (img.offset == std::string::npos)
        throw UsageError(fmt::format("{}: cannot rewrite the image \"{}\" in place: it is not written as it reads "
                                     "(an escape in a double-quoted string); write it plain or single-quoted",
                                     img.where, printable(img.text)));
      if (edits.contains(img.offset)) continue;
      edits.emplace(img.offset, std::pair{img.text.size(), *to});
      out.rewrites.push_back({img.where, img.text, std::move(*to)});
    }
  }
  out.text.reserve(yaml.size() + edits.size() * 80);
  std::size_t at = 0;
  for (const auto& [begin, edit] : edits) {
    out.text.append(yaml.substr(at, begin - at));
    out.text.append(edit.second);
    at = begin + edit.first;
  }
  out.text.append(yaml.substr(at));
  std::stable_sort(out.rewrites.begin(), out.rewrites.end(),
                   [](const auto& a, const auto& b) { return a.where < b.where; });
  return out;
}

}  // namespace airlock
