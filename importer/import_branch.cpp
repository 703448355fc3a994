#include "importer/import_branch.hpp"

#include "common/error.hpp"
#include "common/git_url.hpp"
#include "common/timestamp.hpp"
#include "formats/delta_summary.hpp"
#include "formats/names.hpp"
#include "importer/git_commit.hpp"
#include "importer/image_target.hpp"
#include "importer/receipt.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace airlock {
namespace {

// The branch, for messages (a password in the URL hidden).
std::string where(const GitTarget& target) {
  return fmt::format("git {} branch {}", redact_git_url(target.url), target.branch);
}

// A release touches only its own directory: none of another release, and
// always the same one (moving it would leave its old files behind).
void check_release_dir(const SiteState& state, const BundleIndex& index, const std::string& dir,
                       const std::string& where) {
  for (const auto& [name, rec] : state.releases) {
    if (name == index.name && rec.path != dir)
      throw UsageError(fmt::format("{}: release {} lives in {}/ on this branch; importing it into {}/ would leave "
                                   "{}/ behind (use --path {}, or move it by a commit of your own first)",
                                   where, name, rec.path, dir, rec.path, rec.path));
    if (name != index.name && release_dirs_overlap(rec.path, dir))
      throw UsageError(fmt::format("{}: release {} would go into {}/, which overlaps {}/ of release {}; give it "
                                   "another --path",
                                   where, index.name, dir, rec.path, name));
  }
}

SiteState read_state(const BranchSnapshot& snapshot) {
  const auto text = snapshot.read(std::string(k_state_file));
  if (!text) return {};
  return SiteState::parse(*text, fmt::format("{} branch {}: {}", redact_git_url(snapshot.url()), snapshot.branch(),
                                             k_state_file));
}

// ", delta of sequence N[ or M]" for a commit message's subject.
std::string delta_note(const BundleIndex& index) {
  if (!index.delta) return {};
  std::string out = ", delta of sequence ";
  for (std::size_t i = 0; i < index.delta->bases.size(); ++i)
    out += (i ? " or " : "") + std::to_string(index.delta->bases[i].sequence);
  return out;
}

// Whether the branch imported the bundle: it is the release's last import
// (the state), or an earlier one whose receipt is still there.
bool imported_here(const BranchSnapshot& snapshot, const SiteState& state, const std::string& release,
                   const DeltaBase& base) {
  if (const auto it = state.releases.find(release);
      it != state.releases.end() && it->second.bundle_digest == base.bundle_digest)
    return true;
  const auto receipt = snapshot.read(fmt::format(".airlock/receipts/{}/{}.json", release, base.sequence));
  if (!receipt) return false;
  const auto j = nlohmann::json::parse(*receipt, nullptr, false);
  return j.is_object() && j.contains("bundleDigest") && j["bundleDigest"].is_string() &&
         j["bundleDigest"].get<std::string>() == base.bundle_digest.str();
}

// A delta relies on blobs a base brought: one of its bases must have been
// imported here first.
void check_delta_base(const BranchSnapshot& snapshot, const SiteState& state, const BundleIndex& index,
                      const std::string& where) {
  if (!index.delta) return;
  for (const auto& base : index.delta->bases)
    if (imported_here(snapshot, state, index.name, base)) return;
  const auto it = state.releases.find(index.name);
  throw BaseNotImported(
      fmt::format("{}: {} sequence {} is a delta of {}, which this branch has not imported "
                  "(its last import of {} is {}): import that bundle first, or a full bundle",
                  where, index.name, index.sequence, delta_bases_text(*index.delta), index.name,
                  it == state.releases.end()
                      ? std::string("none")
                      : fmt::format("sequence {}, bundle {}", it->second.sequence, it->second.bundle_digest.str())));
}

}  // namespace

GitPrecheck git_precheck(const GitTarget& target, const BundleIndex& index, const Digest& bundle_digest,
                         std::int64_t now) {
  const auto snapshot = fetch_branch(target.url, target.branch, target.options);
  GitPrecheck out;
  out.state = read_state(snapshot);
  out.decision = decide_import(out.state, index, bundle_digest, now, where(target));
  if (out.decision == ImportDecision::fresh) {
    check_release_dir(out.state, index, target.path.value_or(index.name), where(target));
    check_delta_base(snapshot, out.state, index, where(target));
  }
  return out;
}

GitReport commit_release(const GitTarget& target, const ImportedRelease& release, const RenderedRelease& rendered) {
  GitReport report{redact_git_url(target.url), target.branch, rendered.dir, std::nullopt, false, false, 0,
                   rendered.rewrites.size()};
  const auto& index = release.index;
  const auto result =
      update_branch(target.url, target.branch, target.options,
                    [&](const BranchSnapshot& snapshot) -> std::optional<CommitPlan> {
                      auto state = read_state(snapshot);
                      report.already_imported = decide_import(state, index, release.bundle_digest, release.now,
                                                              where(target)) == ImportDecision::replay;
                      if (report.already_imported) return std::nullopt;
                      check_release_dir(state, index, rendered.dir, where(target));
                      state.releases[index.name] = {index.sequence, index.version, release.bundle_digest,
                                                    index.created,  release.now,   release.registry,
                                                    release.prefix, rendered.dir};
                      CommitPlan plan;
                      plan.replace_dirs = {rendered.dir};
                      plan.files = rendered.files;
                      plan.files.emplace_back(std::string(k_state_file), state.to_json());
                      plan.files.emplace_back(fmt::format(".airlock/receipts/{}/{}.json", index.name, index.sequence),
                                              receipt_json(release, rendered.dir, report.url, target.branch));
                      plan.message =
                          fmt::format("Import {} {} (sequence {}{})\n\n"
                                      "{} images in {}{}, {} image references pinned by digest in {}/.\n\n"
                                      "Airlock-Bundle: {}\n",
                                      index.name, index.version, index.sequence, delta_note(index), index.images.size(),
                                      release.registry, release.prefix.empty() ? "" : "/" + release.prefix,
                                      rendered.rewrites.size(), rendered.dir, release.bundle_digest.str());
                      return plan;
                    });
  report.commit = result.commit;
  report.created_branch = result.created_branch;
  report.attempts = result.attempts;
  return report;
}

}  // namespace airlock
