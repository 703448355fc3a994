#include "importer/import_branch.hpp"

#include "common/error.hpp"
#include "common/git_url.hpp"
#include "common/timestamp.hpp"
#include "formats/names.hpp"
#include "importer/git_commit.hpp"
#include "importer/image_target.hpp"
#include "importer/receipt.hpp"

#include <fmt/format.h>

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

}  // namespace

GitPrecheck git_precheck(const GitTarget& target, const BundleIndex& index, const Digest& bundle_digest,
                         std::int64_t now) {
  const auto snapshot = fetch_branch(target.url, target.branch, target.options);
  GitPrecheck out;
  out.state = read_state(snapshot);
  out.decision = decide_import(out.state, index, bundle_digest, now, where(target));
  if (out.decision == ImportDecision::fresh)
    check_release_dir(out.state, index, target.path.value_or(index.name), where(target));
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
                      plan.message = fmt::format("Import {} {} (sequence {})\n\n"
                                                 "{} images in {}{}, {} image references pinned by digest in {}/.\n\n"
                                                 "Airlock-Bundle: {}\n",
                                                 index.name, index.version, index.sequence, index.images.size(),
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
