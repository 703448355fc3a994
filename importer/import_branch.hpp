#pragma once
// The import branch: before any effect, what the branch's state
// (.airlock/state.json) says of a bundle (rollback, replay, expiry); after
// the images are in, one commit with the rendered release, the new state
// and a receipt, pushed without force. The decision is taken again on
// every push attempt: the branch may have moved.

#include "common/error.hpp"
#include "importer/git_branch.hpp"
#include "importer/receipt.hpp"
#include "importer/release_render.hpp"
#include "importer/release_state.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace airlock {

struct GitTarget {
  std::string url;
  std::string branch = "dev";
  std::optional<std::string> path;  // directory of the release; default: its name
  GitOptions options;
};

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

// A delta whose bases this branch has not imported: it may import once one
// of them has (airlock-import receive waits for it).
class BaseNotImported final : public VerificationError {
public:
  using VerificationError::VerificationError;
};

// Before any effect: the branch's state, and what it says of this bundle.
struct GitPrecheck {
  SiteState state;
  ImportDecision decision = ImportDecision::fresh;
};
[[nodiscard]] GitPrecheck git_precheck(const GitTarget& target, const BundleIndex& index, const Digest& bundle_digest,
                                       std::int64_t now);

// One commit (or none on replay), pushed without force; the plan re-reads
// the branch on every attempt.
[[nodiscard]] GitReport commit_release(const GitTarget& target, const ImportedRelease& release,
                                       const RenderedRelease& rendered);

}  // namespace airlock
