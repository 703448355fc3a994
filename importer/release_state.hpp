#pragma once
// What a GitOps branch remembers of the bundles imported into it
// (.airlock/state.json), and the rollback and replay rules that are decided
// from it before an import has any effect.

#include "common/sha256.hpp"
#include "formats/bundle_index.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace airlock {

inline constexpr std::string_view k_state_file = ".airlock/state.json";

struct ReleaseRecord {
  std::uint64_t sequence = 0;
  std::string version;
  Digest bundle_digest;
  std::int64_t created = 0;  // the bundle's creation time: the clock floor for expiry
  std::int64_t imported = 0;
  std::string registry;  // where its images were loaded: host[:port]
  std::string prefix;
  std::string path;  // the directory its YAML is in
};

struct SiteState {
  std::map<std::string, ReleaseRecord> releases;  // by release name

  // Throws VerificationError naming `where` for a state file that does not
  // parse: a branch whose state cannot be read is not imported into.
  [[nodiscard]] static SiteState parse(std::string_view json, std::string_view where);
  [[nodiscard]] std::string to_json() const;
};

enum class ImportDecision { fresh, replay };

// An older sequence, the same sequence with another bundle, or a bundle
// expired by the later of `now` and the last imported bundle's creation
// time: VerificationError naming both bundles. The same bundle again:
// replay (a no-op).
[[nodiscard]] ImportDecision decide_import(const SiteState& state, const BundleIndex& index,
                                           const Digest& bundle_digest, std::int64_t now, std::string_view where);

}  // namespace airlock
