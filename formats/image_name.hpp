#pragma once
// An image's name inside a bundle: repository path and tag without a
// registry host ("argoproj/argo-rollouts:v1.7.2"), per DESIGN.md.

#include <cstddef>
#include <string>
#include <string_view>

namespace airlock {

struct ImageName {
  std::string repository;
  std::string tag;

  [[nodiscard]] std::string str() const { return repository + ":" + tag; }
  // "repo/path[:tag]", tag defaults to latest. Throws UsageError naming `where`.
  [[nodiscard]] static ImageName parse(std::string_view text, std::string_view where);
};

// Whether every part of `s` between `sep`s (an empty one included) is `ok`:
// the grammar's shape for path components and domain labels.
template <class Pred>
[[nodiscard]] bool all_parts(std::string_view s, char sep, Pred ok) {
  for (;;) {
    const auto at = s.find(sep);
    if (!ok(s.substr(0, at))) return false;
    if (at == std::string_view::npos) return true;
    s.remove_prefix(at + 1);
  }
}

// The reference grammar of distribution/reference (docker's), which the OCI
// distribution spec repeats: a repository path is path components
// ([a-z0-9]+ joined by ".", "_", "__" or any run of "-") separated by "/", at
// most k_max_repository characters in all; a tag is [A-Za-z0-9_]
// followed by up to 127 of [A-Za-z0-9_.-].
inline constexpr std::size_t k_max_repository = 255;
inline constexpr std::size_t k_max_tag = 128;
[[nodiscard]] bool is_valid_repository(std::string_view repo);
[[nodiscard]] bool is_valid_tag(std::string_view tag);

}  // namespace airlock
