#pragma once
// The GitOps half of an import: the release's YAML rendered for the site
// (images pinned by digest in the site registry, site values filled in), a
// generated kustomization.yaml, and one commit on the import branch that
// also updates .airlock/state.json and adds a receipt. Rollback and replay
// are decided from the branch, before any effect and again on every push
// attempt (the branch may have moved).

#include "formats/bundle_index.hpp"
#include "formats/dsse_envelope.hpp"
#include "importer/git_branch.hpp"
#include "importer/release_state.hpp"
#include "importer/yaml_render.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace airlock {

struct GitTarget {
  std::string url;
  std::string branch = "dev";
  std::optional<std::string> path;  // directory of the release; default: its name
  GitOptions options;
};

struct RenderedRelease {
  std::string dir;
  std::vector<std::pair<std::string, std::string>> files;  // repository path → content
  std::vector<ImageRewrite> rewrites;
};

// The bundle's manifests/ files under `dir`, each image a bundled image's
// reference rewritten to <registry>/<prefix>/<repository>:<tag>@<digest>,
// placeholders filled from `values`; plus kustomization.yaml unless the
// release brings its own. Throws UsageError naming file:line.
[[nodiscard]] RenderedRelease render_release(const BundleIndex& index,
                                             const std::vector<std::pair<std::string, std::string>>& manifests,
                                             const std::string& registry, const std::string& prefix,
                                             const std::string& dir,
                                             const std::optional<std::filesystem::path>& values_file);

struct GitReport {
  std::string url;
  std::string branch;
  std::string dir;
  std::optional<std::string> commit;  // nullopt: nothing committed (already imported)
  bool created_branch = false;
  bool already_imported = false;
  int attempts = 0;
  std::size_t rewrites = 0;
};

// Before any effect: the branch's state, and what it says of this bundle.
struct GitPrecheck {
  SiteState state;
  ImportDecision decision = ImportDecision::fresh;
};
[[nodiscard]] GitPrecheck git_precheck(const GitTarget& target, const BundleIndex& index, const Digest& bundle_digest,
                                       std::int64_t now);

struct ImportedRelease {
  const BundleIndex& index;
  const Digest& bundle_digest;
  const TrustDecision& trust;
  std::string registry;
  std::string prefix;
  std::int64_t now = 0;
};

// One commit (or none on replay), pushed without force; the plan re-reads
// the branch on every attempt.
[[nodiscard]] GitReport commit_release(const GitTarget& target, const ImportedRelease& release,
                                       const RenderedRelease& rendered);

}  // namespace airlock
