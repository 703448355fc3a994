#include "importer/import_report.hpp"

#include "importer/verify_report.hpp"

#include "common/git_url.hpp"
#include "common/printable.hpp"

#include <fmt/format.h>

namespace airlock {
namespace {

nlohmann::ordered_json import_json(const ImportReport& report) {
  nlohmann::ordered_json j = verify_report_json(report.verified);
  j["signatureVerified"] = true;
  j["registry"] = report.registry;
  j["prefix"] = report.prefix;
  j["loaded"] = report.loaded;
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
  if (report.git) {
    const auto& g = *report.git;
    j["git"] = {{"url", g.url},
                {"branch", g.branch},
                {"path", g.dir},
                {"commit", g.commit ? nlohmann::ordered_json(*g.commit) : nullptr},
                {"createdBranch", g.created_branch},
                {"alreadyImported", g.already_imported},
                {"attempts", g.attempts},
                {"imagesRewritten", g.rewrites}};
  }
  j["seconds"] = report.seconds;
  return j;
}

std::string import_text(const ImportReport& report) {
  const auto& index = report.verified.index;
  if (report.git && report.git->already_imported)
    return fmt::format("already imported: {} {} (sequence {}), bundle {} (this copy verified), is the last import "
                       "on {} branch {}; nothing to do\n",
                       printable(index.name), printable(index.version), index.sequence,
                       report.verified.bundle_digest.str(), printable(report.git->url), report.git->branch);
  std::string out =
      fmt::format("{} {} {} (sequence {}) {} {}: bundle sha256:{} verified\n", report.loaded ? "imported" : "checked",
                  printable(index.name), printable(index.version), index.sequence, report.loaded ? "into" : "against",
                  report.registry, report.verified.bundle_digest.hex());
  for (const auto& img : report.images)
    out += fmt::format("  {}/{}:{}@{}{}\n", report.registry, img.repository, img.tag, img.digest.str(),
                       img.tag_pushed ? "" : "  (already there)");
  out += fmt::format("blobs: {} uploaded ({:.1f} MiB), {} already there, {} mounted{}; {} manifests pushed; {:.1f} s\n",
                     report.blobs_uploaded, static_cast<double>(report.bytes_uploaded) / (1024.0 * 1024.0),
                     report.blobs_skipped, report.blobs_mounted,
                     report.blobs_copied ? fmt::format(", {} copied", report.blobs_copied) : "",
                     report.manifests_pushed, report.seconds);
  if (report.git) {
    const auto& g = *report.git;
    out += fmt::format("git: {} branch {}{}: {}/ with {} image references pinned by digest, commit {}\n", g.url,
                       g.branch, g.created_branch ? " (created)" : "", g.dir, g.rewrites,
                       g.commit ? *g.commit : std::string("none (no change)"));
  }
  return out;
}

const char* promote_kind(PromoteResult::Kind kind) {
  switch (kind) {
    case PromoteResult::Kind::created: return "created";
    case PromoteResult::Kind::fast_forward: return "fast-forward";
    case PromoteResult::Kind::merged: return "merged";
    case PromoteResult::Kind::up_to_date: return "up-to-date";
  }
  return "unknown";
}

}  // namespace

Report import_report(const ImportReport& report) { return {import_json(report), import_text(report)}; }

Report receive_report(const ReceivePass& pass, bool changes_only) {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  std::string text;
  for (const auto& i : pass.items) {
    const bool quiet = i.outcome == ReceivedItem::Outcome::settling || i.reported_before;
    if (changes_only && quiet) continue;
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const auto& f : i.files) files.push_back(f.filename().string());
    items.push_back(
        {{"name", i.name},
         {"outcome", outcome_name(i.outcome)},
         {"release", i.release.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(i.release)},
         {"sequence", i.sequence},
         {"files", files},
         {"report", i.report.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(i.report.string())},
         {"reportedBefore", i.reported_before},
         {"error", i.message.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(i.message)}});
    text += fmt::format("{:<16} {}{}{}\n", outcome_name(i.outcome), printable(i.name),
                        i.report.empty() ? "" : "  (report " + printable(i.report.string()) + ")",
                        i.message.empty() ? "" : "\n                 " + printable(i.message));
  }
  return {{{"items", items}}, text};
}

Report join_report(const JoinResult& r, const std::string& bundle) {
  return {{{"bundle", bundle}, {"bundleSize", r.bundle_size}, {"decodedChunks", r.decoded_chunks}},
          fmt::format("wrote {}: {} bytes ({} chunks decoded from parity)\n", printable(bundle), r.bundle_size,
                      r.decoded_chunks)};
}

Report promote_report(const PromoteResult& r, const std::string& url, const std::string& from, const std::string& to) {
  return {{{"git", redact_git_url(url)},
           {"from", from},
           {"to", to},
           {"result", promote_kind(r.kind)},
           {"commit", r.commit}},
          fmt::format("promote {} into {}: {} ({})\n", from, to, promote_kind(r.kind), r.commit)};
}

}  // namespace airlock
