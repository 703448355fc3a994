#pragma once
// Loading a bundle into the site's registry in one streaming pass: trust
// first, every blob hashed as it streams and uploaded while it streams
// (skipped when the registry has it), and only after the last byte of the
// bundle verified: cross-repository mounts, the images' manifests by
// digest, then their tags, the first image's last. A bundle that fails
// anywhere leaves no tag. An image whose tag already names its digest is
// complete in the registry: nothing of it is sent again (the tags are
// asked for only when the first image's names its digest). The many small
// requests go several at a time (--uploads), each image's as few as it
// needs (docs/PERFORMANCE.md).

#include "common/progress.hpp"
#include "common/registry_access.hpp"
#include "importer/import_branch.hpp"
#include "importer/verify.hpp"

#include <optional>
#include <string>
#include <vector>

namespace airlock {

struct ImportOptions {
  VerifyOptions verify;
  // host[:port]: images are loaded there. Empty with `git`: they were
  // loaded by an earlier import, into the registry the branch's state names.
  std::string registry;
  std::string prefix;  // repository path under which images land; may be empty
  std::optional<GitTarget> git;
  std::optional<std::filesystem::path> values_file;
  RegistryAccess access;
  std::size_t uploads = 3;         // blob uploads in flight
  std::uint64_t upload_chunk = 0;  // 0: one PUT per blob; else PATCH chunks of this size
};

struct ImportedImage {
  std::string name;        // as in the bundle
  std::string repository;  // <prefix>/<repository> in the registry
  std::string tag;
  Digest digest;
  bool tag_pushed = false;  // false: the tag was asked for and already named this digest
};

struct ImportReport {
  VerifyReport verified;
  std::string registry;
  std::string prefix;
  bool loaded = false;  // images went to the registry (else they were checked there)
  std::vector<ImportedImage> images;
  std::size_t blobs_uploaded = 0;
  std::size_t blobs_skipped = 0;
  std::size_t blobs_mounted = 0;
  std::size_t blobs_copied = 0;  // registry would not mount: copied within it
  std::uint64_t bytes_uploaded = 0;
  std::size_t manifests_pushed = 0;
  std::optional<GitReport> git;
  double seconds = 0;
};

// Throws UsageError (bad options), VerificationError (the bundle) or
// RemoteError (the registry), each naming registry, image or entry.
[[nodiscard]] ImportReport import_bundle(const BundleInputs& bundle, const ImportOptions& options, Progress& progress);

}  // namespace airlock
