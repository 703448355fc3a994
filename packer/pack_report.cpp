#include "packer/pack_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/printable.hpp"
#include "formats/delta_summary.hpp"

namespace airlock {

std::string unbundled_reference_warning(const FoundImage& found) {
  return fmt::format("{}: \"{}\" looks like an image outside an image field ({}); the bundle will not carry it: "
                     "list it under images: in the spec if the release needs it (it is then rewritten in place)",
                     found.where, printable(found.text), found.context);
}

void report_plan_notices(const ReleasePlan& plan, Progress& progress) {
  for (const auto& w : plan.unbundled) progress.warn(unbundled_reference_warning(w));
  for (const auto& n : plan.notes) progress.warn(n + " (not a container's image: not bundled)");
  for (const auto& n : plan.kustomize_notes) progress.warn(n);
}

namespace {

nlohmann::ordered_json pack_json(const PackResult& r, const std::string& bundle) {
  nlohmann::ordered_json j = {{"bundle", bundle},
                              {"bundleDigest", r.bundle_digest.str()},
                              {"keyid", r.keyids.front()},
                              {"keyids", r.keyids},
                              {"release", r.index.name},
                              {"version", r.index.version},
                              {"sequence", r.index.sequence},
                              {"images", r.index.images.size()},
                              {"entries", r.index.entries.size() + 1},
                              {"archiveBytes", r.archive_bytes},
                              {"compressedBytes", r.compressed_bytes}};
  if (r.index.delta) j["delta"] = delta_json(r.index);
  if (!r.parts.empty()) {
    j["parts"] = nlohmann::ordered_json::array();
    for (const auto& p : r.parts) j["parts"].push_back(p.string());
  }
  return j;
}

std::string parts_line(const std::vector<std::filesystem::path>& parts) {
  if (parts.empty()) return {};
  return fmt::format("{} parts in {}: {} ... {}\n", parts.size(), parts.front().parent_path().string(),
                     parts.front().filename().string(), parts.back().filename().string());
}

std::string pack_text(const PackResult& r, const std::string& bundle) {
  return fmt::format("wrote {}: {} {} (sequence {}), {} images, {} entries, {} bytes compressed\n"
                     "bundle digest: {}\nsigned by key{}: {}\n",
                     bundle, r.index.name, r.index.version, r.index.sequence, r.index.images.size(),
                     r.index.entries.size() + 1, r.compressed_bytes, r.bundle_digest.str(),
                     r.keyids.size() == 1 ? "" : "s", fmt::join(r.keyids, ", ")) +
         delta_text(r.index) + parts_line(r.parts);
}

nlohmann::ordered_json sign_json(const SignBundleResult& r, const std::string& bundle) {
  return {{"bundle", bundle},
          {"bundleDigest", r.bundle_digest.str()},
          {"previousKeyids", r.previous_keyids},
          {"addedKeyids", r.added_keyids},
          {"compressedBytes", r.compressed_bytes}};
}

std::string sign_text(const SignBundleResult& r, const std::string& bundle) {
  return fmt::format("wrote {}: {} {} (sequence {}), bundle digest {} (unchanged)\nsigned before by: {}\nadded: {}\n",
                     bundle, r.index.name, r.index.version, r.index.sequence, r.bundle_digest.str(),
                     r.previous_keyids.empty() ? "nobody" : fmt::format("{}", fmt::join(r.previous_keyids, ", ")),
                     fmt::join(r.added_keyids, ", "));
}

nlohmann::ordered_json images_json(const ReleasePlan& plan) {
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const auto& i : plan.images) {
    nlohmann::ordered_json trails = nlohmann::ordered_json::array();
    for (const auto& t : i.trails) trails.push_back({{"at", i.found_at[t.found_at]}, {"was", t.was}, {"setBy", t.by}});
    images.push_back({{"name", i.name}, {"source", i.source}, {"foundAt", i.found_at}, {"transformed", trails}});
  }
  nlohmann::ordered_json warnings = nlohmann::ordered_json::array();
  for (const auto& w : plan.unbundled)
    warnings.push_back({{"text", w.text}, {"reference", w.reference.str()}, {"at", w.where}, {"context", w.context}});
  return {{"images", images},
          {"warnings", warnings},
          {"notes", plan.notes},
          {"kustomizeNotes", plan.kustomize_notes},
          {"summary", {{"images", plan.images.size()}, {"unbundled", plan.unbundled.size()}}}};
}

std::string images_text(const ReleasePlan& plan) {
  std::string out;
  for (const auto& i : plan.images) {
    out += fmt::format("{}\n  from {}\n", i.name, printable(i.source));
    for (std::size_t k = 0; k < i.found_at.size(); ++k) {
      out += fmt::format("  at   {}\n", i.found_at[k]);
      for (const auto& t : i.trails)
        if (t.found_at == k) out += fmt::format("       was {}, set by {}\n", printable(t.was), fmt::join(t.by, ", "));
    }
  }
  out += fmt::format("{} image{} to bundle, {} reference{} found that {} not bundled{}\n", plan.images.size(),
                     plan.images.size() == 1 ? "" : "s", plan.unbundled.size(), plan.unbundled.size() == 1 ? "" : "s",
                     plan.unbundled.size() == 1 ? "is" : "are", plan.unbundled.empty() ? "" : ":");
  for (const auto& w : plan.unbundled) out += fmt::format("  {}  at {} ({})\n", printable(w.text), w.where, w.context);
  return out;
}

nlohmann::ordered_json keygen_json(const KeygenResult& r) {
  return {{"privateKey", r.private_key.string()}, {"publicKey", r.public_key.string()}, {"keyid", r.keyid}};
}

std::string keygen_text(const KeygenResult& r) {
  return fmt::format("private key: {}\npublic key:  {}\nkey id:      {}\n", r.private_key.string(),
                     r.public_key.string(), r.keyid);
}

}  // namespace

Report pack_report(const PackResult& r, const std::string& bundle) {
  return {pack_json(r, bundle), pack_text(r, bundle)};
}

Report split_report(const SplitResult& r, const PartLayout& layout) {
  nlohmann::ordered_json parts = nlohmann::ordered_json::array();
  for (const auto& p : r.parts) parts.push_back(p.string());
  const auto groups = r.parts.size() / static_cast<std::size_t>(layout.data_parts + layout.parity_parts);
  return {{{"bundleDigest", r.identity.bundle_digest.str()},
           {"bundleSize", r.bundle_size},
           {"groups", groups},
           {"dataParts", layout.data_parts},
           {"parityParts", layout.parity_parts},
           {"parts", parts}},
          fmt::format("split {} {} (sequence {}), {} bytes: {} groups of {} data + {} parity parts\n",
                      r.identity.release, r.identity.version, r.identity.sequence, r.bundle_size, groups,
                      layout.data_parts, layout.parity_parts) +
              parts_line(r.parts)};
}

Report sign_report(const SignBundleResult& r, const std::string& bundle) {
  return {sign_json(r, bundle), sign_text(r, bundle)};
}

Report images_report(const ReleasePlan& plan) { return {images_json(plan), images_text(plan)}; }

Report keygen_report(const KeygenResult& r) { return {keygen_json(r), keygen_text(r)}; }

}  // namespace airlock
