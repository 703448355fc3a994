#pragma once
// A local OCI image layout (a directory with oci-layout, index.json and
// blobs/), as skopeo, oras and crane write it: resolving a reference and
// walking an image to the list of blobs it needs.

#include "formats/oci_types.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace airlock {

// Everything one image needs, each blob once, in bundle order: manifests and
// indexes first, then configs, then layers.
struct ImageBlobs {
  Descriptor root;
  std::vector<Descriptor> manifests;
  std::vector<Descriptor> configs;
  std::vector<Descriptor> layers;
  std::vector<std::string> platforms;
  // Set when a platform filter dropped children of the root index: the
  // index the bundle carries instead (root then describes it).
  std::optional<std::string> filtered_root;
};

// True when `filter` is empty, the child names no platform, or names one in it.
[[nodiscard]] bool platform_selected(const Descriptor& child, const std::vector<std::string>& filter);

// An index with only the children `filter` selects, key order and every
// other field kept, so a registry that checks an index's children (as the
// distribution registry does) accepts it. nullopt when nothing is dropped.
// Throws VerificationError naming `where` for JSON that is not an index.
[[nodiscard]] std::optional<std::string> filter_index(std::string_view bytes, const std::vector<std::string>& filter,
                                                      std::string_view where);

[[nodiscard]] std::filesystem::path oci_blob_path(const std::filesystem::path& layout, const Digest& digest);

class OciLayout {
public:
  // Throws UsageError when `dir` is not an OCI image layout.
  explicit OciLayout(std::filesystem::path dir);

  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return m_dir; }
  // The manifest whose ref.name annotation equals `ref`; with an empty ref,
  // the only manifest. Throws UsageError listing what the layout has.
  [[nodiscard]] Descriptor resolve(const std::string& ref) const;
  // Reads and parses every manifest under `root`, checking each one's size
  // and sha256 (VerificationError on mismatch) and that every blob exists
  // with its descriptor's size.
  // With `platforms` non-empty, an index keeps only the children whose
  // platform it names (UsageError when none matches).
  [[nodiscard]] ImageBlobs walk(const Descriptor& root, const std::vector<std::string>& platforms = {}) const;
  [[nodiscard]] std::filesystem::path blob_path(const Digest& digest) const;

private:
  std::string read_json_blob(const Descriptor& d) const;
  std::filesystem::path m_dir;
  std::vector<Descriptor> m_index;
};

}  // namespace airlock
