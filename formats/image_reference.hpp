#pragma once
// Container image references parsed exactly as docker parses them
// (distribution/reference's grammar and ParseNormalizedNamed): "nginx" is
// docker.io/library/nginx:latest, "quay.io/org/app:1.2" keeps its host,
// "[::1]:5000/x@sha256:..." keeps an IPv6 registry, port and digest. The
// deliberate differences are listed in docs/SPEC.md section 6.1.

#include "common/sha256.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace airlock {

struct ImageReference {
  std::string registry;    // "docker.io", "quay.io", "localhost:5000", "[fd00::1]:5000"
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
  // Never throws; linear in the length of `text`, which is refused unread
  // past k_max_reference characters.
  [[nodiscard]] static std::optional<ImageReference> try_parse(std::string_view text);
};

inline constexpr std::size_t k_max_reference = 512;

// The grammar's domain: host[:port], where host is a name of dot-separated
// labels ([A-Za-z0-9], hyphens inside) or an IPv6 literal in brackets
// ([A-Fa-f0-9:]+, no zone), and port is one or more digits. Only the
// grammar: "[1::2::3]" and port 99999 are valid here.
[[nodiscard]] bool is_valid_domain(std::string_view domain);

// Whether `host` names a registry when it is the first component of a
// reference: a valid domain that docker reads as a host, because it contains
// "." or ":", is "localhost", or has an uppercase letter. "registry" alone is
// not one: "registry/team/app" is docker.io/registry/team/app.
[[nodiscard]] bool is_registry_host(std::string_view host);

}  // namespace airlock
