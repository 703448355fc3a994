#include "importer/report_json.hpp"

#include "common/timestamp.hpp"

namespace airlock {

nlohmann::ordered_json index_summary_json(const BundleIndex& index) {
  nlohmann::ordered_json j;
  j["release"] = {{"name", index.name}, {"version", index.version}, {"sequence", index.sequence}};
  j["created"] = format_utc(index.created);
  j["expires"] = index.expires ? nlohmann::ordered_json(format_utc(*index.expires)) : nullptr;
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const auto& img : index.images) {
    images.push_back({{"name", img.name},
                      {"source", img.source},
                      {"digest", img.digest.str()},
                      {"mediaType", img.media_type},
                      {"platforms", img.platforms},
                      {"size", img.size}});
    if (img.source_digest) images.back()["sourceDigest"] = img.source_digest->str();
  }
  j["images"] = images;
  if (!index.values.empty()) {
    nlohmann::ordered_json values = nlohmann::ordered_json::array();
    for (const auto& v : index.values) {
      values.push_back({{"name", v.name}, {"description", v.description}});
      if (v.default_value) values.back()["default"] = *v.default_value;
    }
    j["values"] = values;
  }
  nlohmann::ordered_json manifests = nlohmann::ordered_json::array();
  std::uint64_t blob_bytes = 0;
  std::size_t blob_count = 0;
  for (const auto& e : index.entries) {
    if (e.path.starts_with("manifests/"))
      manifests.push_back({{"path", e.path}, {"sha256", e.sha256.hex()}, {"size", e.size}});
    if (e.path.starts_with("blobs/")) {
      blob_bytes += e.size;
      ++blob_count;
    }
  }
  j["manifests"] = manifests;
  j["totals"] = {{"images", index.images.size()},
                 {"blobs", blob_count},
                 {"blobBytes", blob_bytes},
                 {"entries", index.entries.size() + 1},
                 {"entryBytes", index.total_entry_bytes()}};
  return j;
}

nlohmann::ordered_json verify_report_json(const VerifyReport& report) {
  nlohmann::ordered_json j;
  j["bundle"] = report.bundle;
  j["verified"] = true;
  j["bundleDigest"] = report.bundle_digest.str();
  nlohmann::ordered_json trusted = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < report.trust.trusted_keyids.size(); ++i)
    trusted.push_back({{"keyid", report.trust.trusted_keyids[i]}, {"key", report.trust.trusted_sources[i]}});
  j["signers"] = report.trust.signer_keyids;
  j["trustedSigners"] = trusted;
  j["threshold"] = report.trust.threshold;
  j["trustPolicy"] = report.trust.policy == "--pubkey" ? nlohmann::ordered_json(nullptr)
                                                        : nlohmann::ordered_json(report.trust.policy);
  j.update(index_summary_json(report.index));
  j["compressedBytes"] = report.compressed_bytes;
  j["seconds"] = report.seconds;
  return j;
}

nlohmann::ordered_json inspect_report_json(const InspectReport& report) {
  nlohmann::ordered_json j;
  j["bundle"] = report.bundle;
  j["verified"] = false;
  j["bundleDigest"] = report.bundle_digest.str();
  j["signers"] = report.signer_keyids;
  j.update(index_summary_json(report.index));
  return j;
}

}  // namespace airlock
