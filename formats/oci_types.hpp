#pragma once
// OCI image manifests and indexes (and their Docker v2 schema 2 twins): just
// enough of them to walk an image to every blob it needs.

#include "common/expected.hpp"
#include "common/media_types.hpp"
#include "common/sha256.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock {

inline constexpr std::string_view k_ref_name_annotation = "org.opencontainers.image.ref.name";
// Manifests, indexes and configs are read whole; anything larger is refused.
inline constexpr std::uint64_t k_max_json_blob = 4 * 1024 * 1024;

struct Descriptor {
  std::string media_type;
  Digest digest;
  std::uint64_t size = 0;
  std::optional<std::string> platform;  // "os/arch[/variant]" in an index
  std::map<std::string, std::string> annotations;
};

[[nodiscard]] bool is_index_media_type(std::string_view mt);
[[nodiscard]] bool is_manifest_media_type(std::string_view mt);

struct ParsedManifest {
  std::string media_type;
  bool is_index = false;
  std::vector<Descriptor> manifests;  // an index's children
  std::optional<Descriptor> config;   // a manifest's config
  std::vector<Descriptor> layers;     // a manifest's layers
};

// Parses manifest or index JSON (an OCI layout's index.json too).
// `declared` is the media type from the descriptor that pointed here (may
// be empty). A defect is returned, naming `where`, for the caller to type:
// schema 1, an unknown media type, a media type other than `declared`, a
// descriptor without a sha256 digest and a size.
[[nodiscard]] Expected<ParsedManifest> parse_manifest(std::string_view json, std::string_view declared,
                                                      std::string_view where);

}  // namespace airlock
