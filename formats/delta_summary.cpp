#include "formats/delta_summary.hpp"

#include <fmt/format.h>

namespace airlock {

nlohmann::ordered_json delta_bases_json(const BundleDelta& delta) {
  nlohmann::ordered_json bases = nlohmann::ordered_json::array();
  for (const auto& b : delta.bases)
    bases.push_back({{"bundleDigest", b.bundle_digest.str()}, {"sequence", b.sequence}, {"version", b.version}});
  return bases;
}

std::string delta_bases_text(const BundleDelta& delta) {
  std::string out;
  for (const auto& b : delta.bases)
    out += fmt::format("{}sequence {} ({}, bundle {})", out.empty() ? "" : " or ", b.sequence, b.version,
                       b.bundle_digest.str());
  return out;
}

nlohmann::ordered_json delta_json(const BundleIndex& index) {
  if (!index.delta) return nullptr;
  const auto& d = *index.delta;
  const auto bases = delta_bases_json(d);
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
  return fmt::format("delta of {}: carries {} bytes, leaves {} blobs ({} bytes) to the registry\n", delta_bases_text(d),
                     index.total_entry_bytes(), d.omitted.size(), d.omitted_bytes());
}

}  // namespace airlock
