#pragma once
// The connected side's pipeline: spec → manifests → images → index → sign →
// one streaming pass that writes the bundle → commit.

#include "common/git_options.hpp"
#include "common/progress.hpp"
#include "common/registry_access.hpp"
#include "formats/bundle_index.hpp"
#include "formats/part_writer.hpp"

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
  // Earlier bundles of the release: the bundle leaves out every layer one
  // of them carried (packer/delta_plan.hpp). Each must be signed by one of
  // `keys` or `base_pubkeys`.
  std::vector<std::filesystem::path> bases;
  std::vector<std::filesystem::path> base_pubkeys;
  // Write parts with parity into the directory `output` names, instead of
  // one bundle file (formats/part_writer.hpp): no whole bundle on disk.
  std::optional<PartLayout> parts;
};

struct PackResult {
  BundleIndex index;
  Digest bundle_digest;
  std::vector<std::string> keyids;  // the signers, in --key order
  std::uint64_t archive_bytes = 0;
  std::uint64_t compressed_bytes = 0;
  std::vector<std::filesystem::path> parts;  // with PackOptions::parts
};

// Throws UsageError (spec, inputs, key, a base of another release or not
// older), RemoteError (a registry failed), VerificationError (a blob whose
// bytes differ from its digest, a base no trusted key signed), Error. On any failure the output path is
// left as it was.
[[nodiscard]] PackResult pack(const PackOptions& options, Progress& progress);

}  // namespace airlock
