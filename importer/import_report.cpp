#include "importer/import_report.hpp"

#include "importer/report_json.hpp"

#include <fmt/format.h>

namespace airlock {

nlohmann::ordered_json import_report_json(const ImportReport& report) {
  nlohmann::ordered_json j = verify_report_json(report.verified);
  j["registry"] = report.registry;
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const auto& img : report.images)
    images.push_back({{"name", img.name},
                      {"repository", fmt::format("{}/{}", report.registry, img.repository)},
                      {"tag", img.tag},
                      {"digest", img.digest.str()},
                      {"reference", fmt::format("{}/{}@{}", report.registry, img.repository, img.digest.str())},
                      {"tagPushed", img.tag_pushed}});
  j["imported"] = images;
  j["blobs"] = {{"uploaded", report.blobs_uploaded},
                {"skipped", report.blobs_skipped},
                {"mounted", report.blobs_mounted},
                {"copied", report.blobs_copied},
                {"bytesUploaded", report.bytes_uploaded}};
  j["manifestsPushed"] = report.manifests_pushed;
  j["seconds"] = report.seconds;
  return j;
}

std::string import_report_text(const ImportReport& report) {
  const auto& index = report.verified.index;
  std::string out = fmt::format("imported {} {} (sequence {}) into {}: bundle sha256:{} verified\n", index.name,
                                index.version, index.sequence, report.registry, report.verified.bundle_digest.hex());
  for (const auto& img : report.images)
    out += fmt::format("  {}/{}:{}@{}{}\n", report.registry, img.repository, img.tag, img.digest.str(),
                       img.tag_pushed ? "" : "  (already there)");
  out += fmt::format("blobs: {} uploaded ({:.1f} MiB), {} already there, {} mounted{}; {} manifests pushed; {:.1f} s\n",
                     report.blobs_uploaded, static_cast<double>(report.bytes_uploaded) / (1024.0 * 1024.0),
                     report.blobs_skipped, report.blobs_mounted,
                     report.blobs_copied ? fmt::format(", {} copied", report.blobs_copied) : "",
                     report.manifests_pushed, report.seconds);
  return out;
}

}  // namespace airlock
