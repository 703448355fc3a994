#include "formats/oci_types.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace airlock {

bool is_index_media_type(std::string_view mt) {
  return mt == media_type::oci_index || mt == media_type::docker_manifest_list;
}

bool is_manifest_media_type(std::string_view mt) {
  return mt == media_type::oci_manifest || mt == media_type::docker_manifest;
}

Descriptor parse_descriptor(const void* json_object, std::string_view where) {
  const auto& j = *static_cast<const nlohmann::json*>(json_object);
  if (!j.is_object() || !j.contains("digest") || !j["digest"].is_string() || !j.contains("size") ||
      !j["size"].is_number_unsigned())
    throw Error(fmt::format("{}: a descriptor lacks digest or size", where));
  Descriptor d;
  const auto digest = Digest::parse(j["digest"].get<std::string>());
  if (!digest)
    throw Error(fmt::format("{}: descriptor digest \"{}\" is not sha256:<hex>", where,
                            j["digest"].get<std::string>()));
  d.digest = *digest;
  d.size = j["size"].get<std::uint64_t>();
  if (j.contains("mediaType") && j["mediaType"].is_string()) d.media_type = j["mediaType"];
  if (j.contains("platform") && j["platform"].is_object()) {
    const auto& p = j["platform"];
    std::string plat = p.value("os", "") + "/" + p.value("architecture", "");
    if (p.contains("variant") && p["variant"].is_string())
      plat += "/" + p["variant"].get<std::string>();
    d.platform = plat;
  }
  if (j.contains("annotations") && j["annotations"].is_object())
    for (const auto& [k, v] : j["annotations"].items())
      if (v.is_string()) d.annotations[k] = v.get<std::string>();
  return d;
}

ParsedManifest parse_manifest(std::string_view json, std::string_view declared,
                              std::string_view where) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("{}: manifest is not JSON: {}", where, e.what()));
  }
  if (!j.is_object()) throw Error(fmt::format("{}: manifest is not a JSON object", where));
  if (j.value("schemaVersion", 0) == 1)
    throw Error(fmt::format("{}: Docker schema 1 manifests are not supported; re-push the image "
                            "with a current client",
                            where));
  ParsedManifest m;
  m.media_type = j.value("mediaType", std::string(declared));
  if (m.media_type.empty()) m.media_type = j.contains("manifests") ? media_type::oci_index : media_type::oci_manifest;
  if (!declared.empty() && m.media_type != declared)
    throw Error(fmt::format("{}: manifest says mediaType {}, its descriptor says {}", where,
                            m.media_type, declared));
  if (is_index_media_type(m.media_type)) {
    m.is_index = true;
    if (!j.contains("manifests") || !j["manifests"].is_array())
      throw Error(fmt::format("{}: index has no manifests list", where));
    for (const auto& d : j["manifests"]) m.manifests.push_back(parse_descriptor(&d, where));
  } else if (is_manifest_media_type(m.media_type)) {
    if (!j.contains("config")) throw Error(fmt::format("{}: manifest has no config", where));
    m.config = parse_descriptor(&j["config"], where);
    if (j.contains("layers")) {
      if (!j["layers"].is_array()) throw Error(fmt::format("{}: manifest layers is not a list", where));
      for (const auto& d : j["layers"]) m.layers.push_back(parse_descriptor(&d, where));
    }
  } else {
    throw Error(fmt::format("{}: unsupported manifest media type \"{}\"", where, m.media_type));
  }
  return m;
}

}  // namespace airlock
