#pragma once
// The one grammar for names that become paths, git refs or registry
// repositories: what a bundle (signed or not), a spec or a flag may name
// is checked here before it has any effect.
//
//   entry path       relative, '/'-separated components (bundle entries, the
//                    YAML's paths inside the release directory)
//   component        not empty, ".", ".."; no '/', '\', control byte (C0, DEL,
//                    C1), no invalid UTF-8; not ".git" in any case, with or
//                    without trailing dots or spaces, nor its 8.3 alias
//                    "git~1" (git refuses to commit them, and a checkout
//                    would write into the repository's own metadata)
//   release dir      an entry path whose components do not start with '.',
//                    and whose first one is not "overlays" (environment
//                    branches keep their kustomize overlays there)
//   release name     one lowercase component, [a-z0-9][a-z0-9._-]{0,62}
//                    without "..": a directory, a state key, a receipt path
//   release version  [A-Za-z0-9][A-Za-z0-9._+-]{0,127}: it goes into commit
//                    messages and receipts
//
// Image repositories and tags follow the OCI distribution grammar
// (formats/image_name.hpp); git branch names libgit2's reference grammar.

#include <cstddef>
#include <string>
#include <string_view>

namespace airlock {

inline constexpr std::size_t k_max_entry_path = 1024;

// Each returns why the name is refused, or an empty string.
[[nodiscard]] std::string unsafe_component_reason(std::string_view component);
[[nodiscard]] std::string unsafe_path_reason(std::string_view path);
[[nodiscard]] std::string release_dir_reason(std::string_view dir);

[[nodiscard]] bool is_valid_release_name(std::string_view name);
[[nodiscard]] bool is_valid_release_version(std::string_view version);

// Whether one of two release directories holds the other (or they are the
// same): two releases may not share files.
[[nodiscard]] bool release_dirs_overlap(std::string_view a, std::string_view b);

}  // namespace airlock
