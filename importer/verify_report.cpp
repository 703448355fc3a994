#include "importer/verify_report.hpp"

#include "common/printable.hpp"
#include "common/timestamp.hpp"
#include "formats/delta_summary.hpp"
#include "formats/part_set.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace airlock {

namespace {

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
  if (index.delta) j["delta"] = delta_json(index);
  return j;
}

// Read from parts: what each group had, as the reader found it.
nlohmann::ordered_json parts_json(const std::optional<std::vector<PartGroupStatus>>& parts, std::uint64_t decoded) {
  if (!parts) return nullptr;
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const auto& g : *parts) {
    nlohmann::ordered_json present = nlohmann::ordered_json::array(), missing = nlohmann::ordered_json::array(),
                           damaged = nlohmann::ordered_json::array();
    for (const int i : g.present) present.push_back(part_label(i, g.data_parts));
    for (const int i : g.missing) missing.push_back(part_label(i, g.data_parts));
    for (const auto& [i, why] : g.damaged) damaged.push_back({{"part", part_label(i, g.data_parts)}, {"why", why}});
    groups.push_back({{"group", g.group},
                      {"dataParts", g.data_parts},
                      {"parityParts", g.parity_parts},
                      {"present", present},
                      {"missing", missing},
                      {"damaged", damaged},
                      {"decodable", g.decodable}});
  }
  return {{"groups", groups}, {"decodedChunks", decoded}};
}

std::string parts_text(const std::optional<std::vector<PartGroupStatus>>& parts, std::uint64_t decoded) {
  if (!parts) return {};
  std::string out;
  for (const auto& g : *parts) {
    std::string missing, damaged;
    for (const int i : g.missing) missing += (missing.empty() ? "" : " ") + part_label(i, g.data_parts);
    for (const auto& [i, why] : g.damaged) damaged += (damaged.empty() ? "" : "; ") + printable(why);
    out += fmt::format("parts:     group {}: {} of {} whole ({} needed){}{}, {}\n", g.group, g.present.size(),
                       g.data_parts + g.parity_parts, g.data_parts, missing.empty() ? "" : ", missing " + missing,
                       damaged.empty() ? "" : ", damaged: " + damaged, g.decodable ? "decodable" : "NOT decodable");
  }
  if (decoded) out += fmt::format("parts:     {} chunks decoded from parity\n", decoded);
  return out;
}

// What both documents begin with.
nlohmann::ordered_json bundle_head(const std::string& bundle, bool verified, const Digest& digest,
                                   const std::vector<std::string>& signers) {
  return {{"bundle", bundle}, {"verified", verified}, {"bundleDigest", digest.str()}, {"signers", signers}};
}

}  // namespace

nlohmann::ordered_json verify_report_json(const VerifyReport& report) {
  nlohmann::ordered_json j = bundle_head(report.bundle, true, report.bundle_digest, report.trust.signer_keyids);
  nlohmann::ordered_json trusted = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < report.trust.trusted_keyids.size(); ++i)
    trusted.push_back({{"keyid", report.trust.trusted_keyids[i]}, {"key", report.trust.trusted_sources[i]}});
  j["trustedSigners"] = trusted;
  j["threshold"] = report.trust.threshold;
  j["trustPolicy"] =
      report.trust.policy == "--pubkey" ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(report.trust.policy);
  j.update(index_summary_json(report.index));
  if (report.parts) j["parts"] = parts_json(report.parts, report.decoded_chunks);
  j["compressedBytes"] = report.compressed_bytes;
  j["seconds"] = report.seconds;
  return j;
}

namespace {

nlohmann::ordered_json inspect_json(const InspectReport& report) {
  nlohmann::ordered_json j = bundle_head(report.bundle, false, report.bundle_digest, report.signer_keyids);
  j.update(index_summary_json(report.index));
  if (report.parts) j["parts"] = parts_json(report.parts, 0);
  return j;
}

std::string summary(const BundleIndex& index) {
  std::string out;
  // Every string of the index is printed escaped: inspect shows it unverified.
  out +=
      fmt::format("release:   {} {} (sequence {})\n", printable(index.name), printable(index.version), index.sequence);
  out += fmt::format("created:   {}\n", format_utc(index.created));
  out += fmt::format("expires:   {}\n", index.expires ? format_utc(*index.expires) : "never");
  std::uint64_t blob_bytes = 0;
  std::size_t blobs = 0;
  std::vector<const IndexEntry*> manifests;
  for (const auto& e : index.entries) {
    if (e.path.starts_with("blobs/")) {
      ++blobs;
      blob_bytes += e.size;
    }
    if (e.path.starts_with("manifests/")) manifests.push_back(&e);
  }
  out += fmt::format("images:    {}\n", index.images.size());
  for (const auto& img : index.images) {
    std::string plats;
    for (const auto& p : img.platforms) plats += (plats.empty() ? "" : ",") + printable(p);
    out +=
        fmt::format("  {}  {}  {} bytes  [{}]\n    from {}{}\n", printable(img.name), img.digest.str(), img.size, plats,
                    printable(img.source),
                    img.source_digest ? fmt::format(" (index {} filtered by platform)", img.source_digest->str()) : "");
  }
  out += fmt::format("manifests: {}\n", manifests.size());
  for (const auto* m : manifests) out += fmt::format("  {}  {} bytes\n", printable(m->path), m->size);
  out += fmt::format("totals:    {} entries, {} blobs, {} blob bytes, {} bytes in all\n", index.entries.size() + 1,
                     blobs, blob_bytes, index.total_entry_bytes());
  out += delta_text(index);
  return out;
}

std::string verify_text(const VerifyReport& r) {
  std::string out = fmt::format("VERIFIED {}\nbundle:    sha256:{}\n", printable(r.bundle), r.bundle_digest.hex());
  for (std::size_t i = 0; i < r.trust.trusted_keyids.size(); ++i)
    out += fmt::format("signed by: {} (trusted key {})\n", r.trust.trusted_keyids[i], r.trust.trusted_sources[i]);
  for (const auto& id : r.trust.signer_keyids)
    if (std::find(r.trust.trusted_keyids.begin(), r.trust.trusted_keyids.end(), id) == r.trust.trusted_keyids.end())
      out += fmt::format("also signed by: {} (not trusted here)\n", printable(id));
  if (r.trust.policy != "--pubkey")
    out += fmt::format("trust:     {} trusted signature{} of {} required, policy {}\n", r.trust.trusted_keyids.size(),
                       r.trust.trusted_keyids.size() == 1 ? "" : "s", r.trust.threshold, r.trust.policy);
  out += summary(r.index);
  out += parts_text(r.parts, r.decoded_chunks);
  out += fmt::format("checked:   {} bytes compressed in {:.2f} s\n", r.compressed_bytes, r.seconds);
  return out;
}

std::string inspect_text(const InspectReport& r) {
  std::string out = fmt::format("NOT VERIFIED (inspect reads the envelope only; run verify with a trusted key)\n"
                                "bundle:    {}\ndigest:    sha256:{}\n",
                                printable(r.bundle), r.bundle_digest.hex());
  for (const auto& id : r.signer_keyids) out += fmt::format("signer:    {}\n", printable(id));
  out += summary(r.index);
  out += parts_text(r.parts, 0);
  return out;
}

}  // namespace

Report verify_report(const VerifyReport& report) { return {verify_report_json(report), verify_text(report)}; }

Report inspect_report(const InspectReport& report) { return {inspect_json(report), inspect_text(report)}; }

}  // namespace airlock
