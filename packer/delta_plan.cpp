#include "packer/delta_plan.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace airlock {

BundleDelta plan_delta(const std::vector<ImageContents>& images, const std::vector<ReleaseContents>& bases) {
  BundleDelta delta;
  // Where a base's import put each layer it carried: every repository of a
  // base image that needs it, first needed first.
  std::map<Digest, std::vector<std::string>> at_site;
  for (const auto& base : bases) {
    if (base.bundle_digest) delta.bases.push_back({*base.bundle_digest, base.sequence, base.version});
    for (const auto& img : base.images)
      for (const auto& layer : img.layers) {
        if (!base.carried.contains(layer.digest)) continue;
        auto& repos = at_site[layer.digest];
        if (std::find(repos.begin(), repos.end(), img.repository) == repos.end()) repos.push_back(img.repository);
      }
  }
  std::set<Digest> always;  // manifests and configs
  for (const auto& img : images) {
    for (const auto& m : img.manifests) always.insert(m.digest);
    for (const auto& c : img.configs) always.insert(c.digest);
  }
  std::map<Digest, std::vector<std::string>> needed_by;  // layer → repositories of the new images
  std::vector<const Descriptor*> order;
  for (const auto& img : images)
    for (const auto& layer : img.layers) {
      auto& repos = needed_by[layer.digest];
      if (repos.empty()) order.push_back(&layer);
      if (std::find(repos.begin(), repos.end(), img.repository) == repos.end()) repos.push_back(img.repository);
    }
  for (const auto* layer : order) {
    const auto site = at_site.find(layer->digest);
    if (site == at_site.end() || always.contains(layer->digest)) continue;
    const auto& there = site->second;
    std::string repository = there.front();
    for (const auto& r : needed_by.at(layer->digest))
      if (std::find(there.begin(), there.end(), r) != there.end()) {
        repository = r;
        break;
      }
    delta.omitted.push_back({layer->digest, layer->size, repository});
  }
  return delta;
}

}  // namespace airlock
