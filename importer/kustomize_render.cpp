#include "importer/kustomize_render.hpp"

#include "formats/kustomize_image.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace airlock {

std::vector<KustomizeImageMapping> order_image_mappings(std::vector<KustomizeImageMapping> mappings) {
  // Kahn's algorithm: a mapping waits for every other whose value its name
  // would match; ties keep the given order. The relation has no cycle: a
  // name matches a different value only by a longer suffix or by a "." where
  // the value has another character, which cannot hold both ways.
  const std::size_t n = mappings.size();
  std::vector<std::vector<std::size_t>> before(n);  // before[a]: mappings that must precede a
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = 0; b < n; ++b)
      if (a != b && mappings[a].name != mappings[b].name && kustomize_image_matches(mappings[a].name, mappings[b].name))
        before[a].push_back(b);
  std::vector<bool> placed(n, false);
  std::vector<KustomizeImageMapping> out;
  while (out.size() < n) {
    std::size_t pick = n;
    for (std::size_t a = 0; a < n && pick == n; ++a)
      if (!placed[a] && std::all_of(before[a].begin(), before[a].end(), [&](std::size_t b) { return placed[b]; }))
        pick = a;
    if (pick == n)  // unreachable (see above); keep the rest as given rather than loop
      for (std::size_t a = 0; a < n; ++a)
        if (!placed[a]) pick = a;
    placed[pick] = true;
    out.push_back(std::move(mappings[pick]));
  }
  return out;
}

std::string images_block(const std::vector<KustomizeImageMapping>& mappings) {
  if (mappings.empty()) return {};
  // Quoted: kustomize refuses a tag such as 1.0 that YAML reads as a number.
  std::string out = "images:\n";
  for (const auto& m : mappings)
    out += fmt::format("  - name: \"{}\"\n    newName: \"{}\"\n    newTag: \"{}\"\n    digest: \"{}\"\n", m.name,
                       m.new_name, m.new_tag, m.digest);
  return out;
}

RenderedYaml render_kustomize_resource(std::string_view yaml, std::string_view file,
                                       const std::function<std::optional<std::string>(const ImageReference&)>& target) {
  // With DiscoveryOptions::kustomize, the fields the transformer sets come
  // back apart (kustomize_fields) and are left as they are.
  return render_images(yaml, file, target, {.kustomize = true});
}

}  // namespace airlock
