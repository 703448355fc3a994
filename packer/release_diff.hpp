#pragma once
// `airlock-pack diff OLD NEW`: what changed between two releases (each a
// bundle or a spec whose images are resolved) and what a delta of NEW
// against OLD would carry, before anything is written.

#include "common/git_options.hpp"
#include "common/progress.hpp"
#include "common/registry_access.hpp"
#include "common/report.hpp"
#include "packer/release_contents.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace airlock {

struct ImageChange {
  enum class Kind { added, removed, changed, unchanged };
  Kind kind = Kind::unchanged;
  std::string name;      // NEW's, or OLD's for a removed image
  std::string old_name;  // OLD's: empty for an added image
  std::optional<Digest> old_digest;
  std::optional<Digest> new_digest;
  std::size_t blobs = 0;      // configs and layers of NEW's image
  std::size_t new_blobs = 0;  // of those, blobs OLD does not have
  std::uint64_t new_bytes = 0;
};

struct ReleaseDiff {
  ReleaseContents old_release;  // images and blobs dropped: only the names are reported
  ReleaseContents new_release;
  std::vector<ImageChange> images;
  std::size_t carried_blobs = 0;  // what a delta of NEW against OLD holds: manifests, configs, layers OLD lacks
  std::uint64_t carried_bytes = 0;
  std::size_t omitted_blobs = 0;
  std::uint64_t omitted_bytes = 0;
};

// Images matched by name, then the rest by repository (a new tag of the
// same image is a change, not a removal and an addition).
[[nodiscard]] ReleaseDiff diff_releases(ReleaseContents old_release, ReleaseContents new_release);

// A bundle (zstd-compressed: its first bytes say so) is read as a --base
// is, its signature checked when `trusted` has keys; anything else is a
// spec, planned and its images resolved from their registries (no layer
// is fetched).
[[nodiscard]] ReleaseContents release_contents(const std::filesystem::path& path, const std::vector<PublicKey>& trusted,
                                               const RegistryAccess& access, const GitOptions& git, int fetches,
                                               Progress& progress);

[[nodiscard]] Report diff_report(const ReleaseDiff& diff);

}  // namespace airlock
