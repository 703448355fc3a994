#pragma once
// The bundle index: the signed DSSE payload that lists the release, its
// images and every other archive entry with sha256 and size. docs/FORMAT.md
// documents the JSON. Serialisation is deterministic: sorted keys, fixed
// indentation, entries in archive order.

#include "common/sha256.hpp"
#include "formats/placeholder.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

// 1: the first format. 2: format 1 and fields that an importer of format
// 1 would ignore and so deploy other than the packer meant (kustomize[]: it
// would render the tree as plain YAML, its images not pointed at the site).
// 3: format 2 and delta (blobs left out because a base bundle carried
// them). The packer writes the lowest version that holds what a bundle
// has, so every other bundle stays what format 1 is, byte for byte, and an
// older importer refuses the rest by their version.
inline constexpr int k_bundle_format_version = 1;
inline constexpr int k_bundle_format_version_kustomize = 2;
inline constexpr int k_bundle_format_version_delta = 3;
// Bases a delta may name: each is looked up in the import branch.
inline constexpr std::size_t k_max_delta_bases = 16;
inline constexpr std::string_view k_envelope_entry = "bundle.dsse.json";
// How far a bundle's creation time may run ahead of the clock that reads it
// (the two sides' clocks differ). Further is refused, at pack and at
// import: an import branch takes its clock floor from the bundles it
// imported, so one created in 2099 would lock it.
inline constexpr std::int64_t k_max_clock_skew = 24 * 3600;

struct IndexEntry {
  std::string path;
  Digest sha256;
  std::uint64_t size = 0;
};

struct IndexImage {
  std::string name;  // repository:tag, the ref.name in index.json
  std::string repository;
  std::string tag;
  std::string source;  // where the packer took it from
  Digest digest;       // of the manifest or index
  std::string media_type;
  std::uint64_t size = 0;  // manifests, configs and layers of this image
  std::vector<std::string> platforms;
  // The source's index digest when a platform filter rewrote the index
  // (`digest` then names the filtered index the bundle carries).
  std::optional<Digest> source_digest;
};

// Where the release's YAML came from, when it was a git repository.
struct ManifestSource {
  std::string git;
  std::string ref;
  std::string commit;
  std::string path;
};

// A manifests item built with kustomize (docs/FORMAT.md 6.8): the import
// keeps its files as the vendor wrote them, lists only the entry in the
// generated kustomization, and points the images the build deploys at the
// site registry with an images: transformer there.
struct KustomizeEntry {
  std::string entry;                   // "manifests" or "manifests/DIR": a directory holding a kustomization
  std::vector<std::string> files;      // every manifests/ file of the item, in archive order
  std::vector<std::string> resources;  // those the build reads as resources, in archive order
  std::vector<std::string> images;     // the image field values the build deploys, after its transformers
};

// An earlier bundle of the same release that a delta relies on.
struct DeltaBase {
  Digest bundle_digest;  // sha256 of its index (its DSSE payload)
  std::uint64_t sequence = 0;
  std::string version;
};

// A config or layer blob a delta does not carry because a base did: the
// site registry must have it, at `repository` (a repository of the bundle's
// naming, under the import's prefix), where the base's import put it.
struct OmittedBlob {
  Digest digest;
  std::uint64_t size = 0;
  std::string repository;
};

struct BundleDelta {
  std::vector<DeltaBase> bases;
  std::vector<OmittedBlob> omitted;  // in the order the blobs would have had in the archive

  [[nodiscard]] const OmittedBlob* find(const Digest& digest) const;
  [[nodiscard]] std::uint64_t omitted_bytes() const;
};

struct BundleIndex {
  std::string name;
  std::string version;
  std::uint64_t sequence = 0;
  std::int64_t created = 0;  // unix seconds
  std::optional<std::int64_t> expires;
  std::vector<IndexImage> images;
  std::vector<IndexEntry> entries;
  std::vector<ManifestSource> manifest_sources;
  std::vector<DeclaredValue> values;  // site values the YAML's ${airlock:NAME} placeholders need
  std::vector<KustomizeEntry> kustomize;
  std::optional<BundleDelta> delta;

  // The lowest format version that holds what this index has.
  [[nodiscard]] int format_version() const {
    if (delta) return k_bundle_format_version_delta;
    return kustomize.empty() ? k_bundle_format_version : k_bundle_format_version_kustomize;
  }
  [[nodiscard]] std::string to_json() const;
  // Strict: unknown format version, missing fields, unsafe or duplicate
  // entry paths all throw VerificationError naming `where`.
  [[nodiscard]] static BundleIndex parse(std::string_view json, std::string_view where);

  [[nodiscard]] const IndexEntry* find_entry(std::string_view path) const;
  [[nodiscard]] std::uint64_t total_entry_bytes() const;
};

[[nodiscard]] std::string blob_entry_path(const Digest& digest);

}  // namespace airlock
