#pragma once
// A release as a delta is planned from: its images, each with the
// manifests, configs and layers it needs, and the blobs its bundle carried.
// From a bundle, only the envelope and the image manifests at the head of
// the archive are read (they come before every config and layer), so a
// multi-GB base costs what its YAML and manifests cost to decompress.

#include "common/progress.hpp"
#include "formats/bundle_index.hpp"
#include "formats/ed25519_key.hpp"
#include "formats/oci_types.hpp"
#include "packer/image_source.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace airlock {

struct ImageContents {
  std::string name;
  std::string repository;
  Digest digest;
  std::vector<Descriptor> manifests;  // the image's own first
  std::vector<Descriptor> configs;
  std::vector<Descriptor> layers;
};

struct ReleaseContents {
  std::string source;  // the bundle or spec file, for messages
  std::string name;
  std::string version;
  std::uint64_t sequence = 0;
  std::optional<Digest> bundle_digest;  // a bundle's: sha256 of its index
  bool verified = false;                // a bundle whose signature a trusted key made
  std::vector<ImageContents> images;
  std::set<Digest> carried;  // every blob the bundle holds (for a spec: every blob of its images)
};

// Reads `bundle`'s envelope and image manifests. With `trusted` keys, one
// of them must have signed it (VerificationError otherwise); with none, the
// result is marked unverified (what `diff` may show, never what a delta is
// packed against). Throws UsageError when it cannot be read,
// VerificationError naming the bundle and entry when it is not sound.
[[nodiscard]] ReleaseContents bundle_contents(const std::filesystem::path& bundle,
                                              const std::vector<PublicKey>& trusted, Progress& progress);

[[nodiscard]] ImageContents image_contents(const ResolvedImage& image);
// What the packer resolved: every blob counts as carried.
[[nodiscard]] ReleaseContents resolved_contents(const std::string& source, const BundleIndex& index,
                                                const std::vector<ResolvedImage>& images);

}  // namespace airlock
