#pragma once
// The connected side's pipeline: spec → manifests → images → index → sign →
// one streaming pass that writes the bundle → commit.

#include "common/git_options.hpp"
#include "common/progress.hpp"
#include "common/registry_access.hpp"
#include "formats/bundle_index.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace airlock {

struct PackOptions {
  std::filesystem::path spec;
  std::vector<std::filesystem::path> keys;  // each signs the envelope (a site may require m of them)
  std::filesystem::path output;
  RegistryAccess registries;
  GitOptions git;   // how the spec's git manifests are fetched
  int fetches = 3;  // blobs fetched at once, ahead of the writer
  int zstd_level = 3;
  int workers = 0;
  // Creation time; unset: $SOURCE_DATE_EPOCH, else now.
  std::optional<std::int64_t> created;
};

struct PackResult {
  BundleIndex index;
  Digest bundle_digest;
  std::vector<std::string> keyids;  // the signers, in --key order
  std::uint64_t archive_bytes = 0;
  std::uint64_t compressed_bytes = 0;
};

// Throws UsageError (spec, inputs, key), RemoteError (a registry failed),
// VerificationError (a blob whose bytes differ from its digest), Error. On any failure the output path is
// left as it was.
[[nodiscard]] PackResult pack(const PackOptions& options, Progress& progress);

}  // namespace airlock
