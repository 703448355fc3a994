#pragma once
// An image's name inside a bundle: repository path and tag without a
// registry host ("argoproj/argo-rollouts:v1.7.2"), per DESIGN.md.

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

// The OCI distribution grammar for a repository path and for a tag.
[[nodiscard]] bool is_valid_repository(std::string_view repo);
[[nodiscard]] bool is_valid_tag(std::string_view tag);

}  // namespace airlock
