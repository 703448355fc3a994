#pragma once
// The bundle's images as a graph, built while the bundle streams: each
// image's manifests and indexes (kept, they are small) and the config and
// layer blobs they name. The packer writes every manifest before the blobs
// it names, so by the time a blob streams by, every image that needs it is
// known. At the end, check() proves the bundle complete: every manifest
// and blob an image needs was in it and verified, or, in a delta, is one
// the index lists as omitted (of the size the manifest gives), and every
// omitted blob is one an image needs.

#include "formats/bundle_reader.hpp"
#include "formats/oci_types.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace airlock {

class ImageGraph final : public EntryHandler {
public:
  struct Manifest {
    std::string path;  // blobs/sha256/<hex>
    Digest digest;
    std::string media_type;
    std::string bytes;
    ParsedManifest parsed;
    std::vector<std::string> children;  // paths of the child manifests in the bundle
  };

  ImageGraph(const BundleIndex& index, std::string bundle);

  void on_data(const IndexEntry& entry, std::span<const std::uint8_t> data) override;
  void on_verified(const IndexEntry& entry) override;

  // Throws VerificationError naming the image and what is missing.
  void check() const;
  // Only that every manifest and index the images need came (enough for
  // manifests_of()).
  void check_manifests() const;

  [[nodiscard]] bool is_manifest(const std::string& path) const { return m_manifests.contains(path); }
  // A manifest or index an image needs, parsed or still to come.
  [[nodiscard]] bool wants_manifest(const std::string& path) const { return m_nodes.contains(path); }
  // Positions in the index of the images that need the config or layer
  // blob at `path`, in index order (empty when none does).
  [[nodiscard]] std::vector<std::size_t> images_needing(const std::string& path) const;

  // After check(): the image's manifests, each child before its index, the
  // image's own manifest or index last.
  [[nodiscard]] std::vector<const Manifest*> manifests_of(std::size_t image) const;
  // After check(): the config and layer blobs the image needs, each once.
  [[nodiscard]] std::vector<Descriptor> blobs_of(std::size_t image) const;

private:
  struct Node {
    std::string media_type;
    std::set<std::size_t> images;
    bool parsed = false;
  };
  void add_images(const std::string& path, const std::set<std::size_t>& images);

  const BundleIndex& m_index;
  std::string m_bundle;
  std::map<std::string, Node> m_nodes;                      // manifest paths wanted
  std::map<std::string, Manifest> m_manifests;              // manifest paths seen and parsed
  std::map<std::string, std::set<std::size_t>> m_required;  // blob path → images
  std::map<std::string, Descriptor> m_blob_descriptors;
  std::set<std::string> m_present;
  std::string m_buffer;
  std::uint64_t m_held = 0;  // bytes of the manifests kept
};

}  // namespace airlock
