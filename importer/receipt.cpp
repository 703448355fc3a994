#include "importer/receipt.hpp"

#include "common/timestamp.hpp"
#include "formats/delta_summary.hpp"
#include "importer/image_target.hpp"

#include <nlohmann/json.hpp>

namespace airlock {

std::string receipt_json(const ImportedRelease& r, const std::string& dir, const std::string& url,
                         const std::string& branch) {
  nlohmann::ordered_json j;
  j["release"] = {{"name", r.index.name}, {"version", r.index.version}, {"sequence", r.index.sequence}};
  j["bundleDigest"] = r.bundle_digest.str();
  j["created"] = format_utc(r.index.created);
  j["expires"] = r.index.expires ? nlohmann::ordered_json(format_utc(*r.index.expires)) : nullptr;
  j["imported"] = format_utc(r.now);
  j["signers"] = r.trust.signer_keyids;
  j["trustedSigners"] = r.trust.trusted_keyids;
  j["threshold"] = r.trust.threshold;
  j["registry"] = r.registry;
  j["prefix"] = r.prefix;
  j["git"] = {{"url", url}, {"branch", branch}, {"path", dir}};
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const auto& img : r.index.images)
    images.push_back({{"name", img.name},
                      {"digest", img.digest.str()},
                      {"reference", pinned_reference(r.registry, r.prefix, img)},
                      {"source", img.source}});
  j["images"] = images;
  if (r.index.delta) {
    j["delta"] = {{"bases", delta_bases_json(*r.index.delta)},
                  {"omittedBlobs", r.index.delta->omitted.size()},
                  {"omittedBytes", r.index.delta->omitted_bytes()}};
  }
  return j.dump(2) + "\n";
}

}  // namespace airlock
