#pragma once
// What a release may hold, the same at pack and at import: pack refuses a
// release the importer would refuse, and the importer refuses it before it
// reads past the index. Each bounds memory: the YAML is held whole (it is
// rendered before the first blob streams), and so are the images'
// manifests and indexes (they are pushed once the last byte verified).
// docs/FORMAT.md section 11 states them with the reader's own limits.

#include <cstdint>

namespace airlock {

inline constexpr std::uint64_t k_max_yaml_file = 16 * 1024 * 1024;     // one manifests/ file
inline constexpr std::uint64_t k_max_release_yaml = 64 * 1024 * 1024;  // all of them
// A git source's files that are not YAML, held while the release is planned
// in case a kustomize build reads them (a generator's source); past this
// total the rest are left out and a build that needs one is refused.
inline constexpr std::uint64_t k_max_git_other_bytes = 16 * 1024 * 1024;
// Manifests, indexes and configs are read whole (formats/oci_types.hpp's
// k_max_json_blob each); all that an import holds at once:
inline constexpr std::uint64_t k_max_held_manifests = 64 * 1024 * 1024;

}  // namespace airlock
