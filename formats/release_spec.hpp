#pragma once
// The release spec (YAML) that airlock-pack reads. docs/SPEC.md documents it.
//
//   name: demo              # release name: [a-z0-9][a-z0-9._-]*
//   version: 1.2.0
//   sequence: 7             # positive, increases with every bundle of the release
//   expires: 45d            # optional: RFC 3339 UTC time, or Nd / Nh after creation
//   manifests:              # files or directories (*.yaml, *.yml), relative to the spec,
//     - k8s/                # or a vendor's git repository at a tag, branch or commit
//     - {git: https://git.example.com/vendor/deploy.git, ref: v1.2.0, path: manifests}
//     - {path: vendor/metrics-server, kustomize: overlays/release}   # a kustomize tree and its entry
//   images:
//     - {source: "oci:layouts/app:1.0", name: "org/app:1.0"}
//     - quay.io/argoproj/argo-rollouts:v1.7.2   # or {source: "docker://REF", name: ...}
//   mirrors:                # pull a host's images from elsewhere; names stay public
//     quay.io: mirror.corp:5000/quay.io
//   platforms: [linux/amd64]   # keep only these from multi-arch indexes
//   values:                 # site values the YAML uses as ${airlock:NAME}
//     ingress_host: {description: "Host name the site serves the UI on"}
//     storage_class: {default: standard}

#include "formats/placeholder.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace airlock {

struct SpecImage {
  std::string source;
  std::optional<std::string> name;
  std::string where;  // spec:line, for messages
};

// A manifests entry: a file or directory relative to the spec, or a
// directory of a git repository at a tag, branch or commit; a directory may
// name the entry point of its kustomize build.
struct SpecManifests {
  std::string path;
  std::optional<std::string> git;
  std::string ref;
  // The kustomize entry relative to the directory, normalised ("" for the
  // directory itself); nullopt: the directory when it holds a
  // kustomization file, else none (packer/release_plan.hpp).
  std::optional<std::string> kustomize;
  std::string where;            // spec:line
  std::string kustomize_where;  // spec:line of kustomize:
};

struct SpecExpiry {
  std::optional<std::int64_t> at;       // absolute
  std::optional<std::int64_t> seconds;  // after creation
};

struct ReleaseSpec {
  std::filesystem::path path;
  std::filesystem::path dir;  // relative paths resolve here
  std::string name;
  std::string version;
  std::uint64_t sequence = 0;
  SpecExpiry expires;
  std::vector<SpecManifests> manifests;
  std::vector<SpecImage> images;
  std::map<std::string, std::string> mirrors;  // registry host → host[:port][/path]
  std::vector<std::string> platforms;          // empty: all
  std::vector<DeclaredValue> values;           // sorted by name
};

// Throws UsageError naming spec:line for every defect.
[[nodiscard]] ReleaseSpec load_release_spec(const std::filesystem::path& path);

}  // namespace airlock
