#include "formats/delta_summary.hpp"

#include <fmt/format.h>

namespace airlock {

nlohmann::ordered_json delta_json(const BundleIndex& index) {
  if (!index.delta) return nullptr;
  const auto& d = *index.delta;
  nlohmann::ordered_json bases = nlohmann::ordered_json::array();
  for (const auto& b : d.bases)
    bases.push_back({{"bundleDigest", b.bundle_digest.str()}, {"sequence", b.sequence}, {"version", b.version}});
  nlohmann::ordered_json omitted = nlohmann::ordered_json::array();
  for (const auto& o : d.omitted)
    omitted.push_back({{"digest", o.digest.str()}, {"size", o.size}, {"repository", o.repository}});
  return {{"bases", bases},
          {"omittedBlobs", d.omitted.size()},
          {"omittedBytes", d.omitted_bytes()},
          {"carriedBytes", index.total_entry_bytes()},
          {"omitted", omitted}};
}

std::string delta_text(const BundleIndex& index) {
  if (!index.delta) return {};
  const auto& d = *index.delta;
  std::string bases;
  for (const auto& b : d.bases)
    bases += fmt::format("{}sequence {} ({}, bundle {})", bases.empty() ? "" : " or ", b.sequence, b.version,
                         b.bundle_digest.str());
  return fmt::format("delta of {}: carries {} bytes, leaves {} blobs ({} bytes) to the registry\n", bases,
                     index.total_entry_bytes(), d.omitted.size(), d.omitted_bytes());
}

}  // namespace airlock
