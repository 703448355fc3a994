#pragma once
// Container image references parsed as docker normalises them:
// "nginx" is docker.io/library/nginx:latest, "quay.io/org/app:1.2" keeps its
// host, "localhost:5000/x@sha256:..." keeps port and digest.

#include "common/sha256.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace airlock {

struct ImageReference {
  std::string registry;    // "docker.io", "quay.io", "localhost:5000"
  std::string repository;  // "library/nginx"
  std::optional<std::string> tag;
  std::optional<Digest> digest;

  // registry/repository[:tag][@digest]; a bare name gets ":latest".
  [[nodiscard]] std::string str() const;
  // The image's name in a bundle (DESIGN.md): repository:tag, and for a
  // reference pinned only by digest, repository:sha256-<hex>.
  [[nodiscard]] std::string bundle_name() const;

  // Throws UsageError naming `where` and saying what is wrong.
  [[nodiscard]] static ImageReference parse(std::string_view text, std::string_view where);
  [[nodiscard]] static std::optional<ImageReference> try_parse(std::string_view text);
};

}  // namespace airlock
