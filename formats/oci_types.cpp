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

namespace {

// Thrown inside the parser only; parse_manifest returns it as a value.
struct Malformed {
  std::string why;
};

Descriptor descriptor(const nlohmann::json& j, std::string_view where) {
  if (!j.is_object() || !j.contains("digest") || !j["digest"].is_string() || !j.contains("size") ||
      !j["size"].is_number_unsigned())
    throw Malformed{fmt::format("{}: a descriptor lacks digest or size", where)};
  Descriptor d;
  const auto digest = Digest::parse(j["digest"].get<std::string>());
  if (!digest)
    throw Malformed{
        fmt::format("{}: descriptor digest \"{}\" is not sha256:<hex>", where, j["digest"].get<std::string>())};
  d.digest = *digest;
  d.size = j["size"].get<std::uint64_t>();
  if (j.contains("mediaType") && j["mediaType"].is_string()) d.media_type = j["mediaType"];
  if (j.contains("platform") && j["platform"].is_object()) {
    const auto& p = j["platform"];
    const auto text = [&](const char* key) {
      return p.contains(key) && p[key].is_string() ? p[key].get<std::string>() : "";
    };
    std::string plat = text("os") + "/" + text("architecture");
    if (const auto variant = text("variant"); !variant.empty()) plat += "/" + variant;
    d.platform = plat;
  }
  if (j.contains("annotations") && j["annotations"].is_object())
    for (const auto& [k, v] : j["annotations"].items())
      if (v.is_string()) d.annotations[k] = v.get<std::string>();
  return d;
}

ParsedManifest parse(std::string_view json, std::string_view declared, std::string_view where) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw Malformed{fmt::format("{}: manifest is not JSON: {}", where, e.what())};
  }
  if (!j.is_object()) throw Malformed{fmt::format("{}: manifest is not a JSON object", where)};
  if (j.contains("schemaVersion") && j["schemaVersion"] == 1)
    throw Malformed{fmt::format("{}: Docker schema 1 manifests are not supported; re-push the image with a current "
                                "client",
                                where)};
  ParsedManifest m;
  if (j.contains("mediaType")) {
    if (!j["mediaType"].is_string()) throw Malformed{fmt::format("{}: manifest mediaType is not a string", where)};
    m.media_type = j["mediaType"].get<std::string>();
  } else {
    m.media_type = declared;
  }
  if (m.media_type.empty()) m.media_type = j.contains("manifests") ? media_type::oci_index : media_type::oci_manifest;
  if (!declared.empty() && m.media_type != declared)
    throw Malformed{
        fmt::format("{}: manifest says mediaType {}, its descriptor says {}", where, m.media_type, declared)};
  if (is_index_media_type(m.media_type)) {
    m.is_index = true;
    if (!j.contains("manifests") || !j["manifests"].is_array())
      throw Malformed{fmt::format("{}: index has no manifests list", where)};
    for (const auto& d : j["manifests"]) m.manifests.push_back(descriptor(d, where));
  } else if (is_manifest_media_type(m.media_type)) {
    if (!j.contains("config")) throw Malformed{fmt::format("{}: manifest has no config", where)};
    m.config = descriptor(j["config"], where);
    if (j.contains("layers")) {
      if (!j["layers"].is_array()) throw Malformed{fmt::format("{}: manifest layers is not a list", where)};
      for (const auto& d : j["layers"]) m.layers.push_back(descriptor(d, where));
    }
  } else {
    throw Malformed{fmt::format("{}: unsupported manifest media type \"{}\"", where, m.media_type)};
  }
  return m;
}

}  // namespace

Expected<ParsedManifest> parse_manifest(std::string_view json, std::string_view declared, std::string_view where) {
  try {
    return parse(json, declared, where);
  } catch (const Malformed& m) {
    return Expected<ParsedManifest>::failure(m.why);
  } catch (const nlohmann::json::exception& e) {
    return Expected<ParsedManifest>::failure(fmt::format("{}: malformed manifest: {}", where, e.what()));
  }
}

}  // namespace airlock
