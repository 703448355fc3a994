#pragma once
// The media types of OCI and Docker v2 schema 2 manifests and indexes, and
// the oci-layout file's content. In common/ because the registry client
// asks for them (Accept) as well as formats/ parsing them.

#include <string_view>

namespace airlock::media_type {

inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_manifest_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view oci_layout_file = "{\"imageLayoutVersion\":\"1.0.0\"}";

}  // namespace airlock::media_type
