#include "formats/oci_layout.hpp"

#include "common/error.hpp"
#include "common/file_util.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace airlock {

OciLayout::OciLayout(std::filesystem::path dir) : m_dir(std::move(dir)) {
  const auto where = m_dir.string();
  if (!std::filesystem::is_regular_file(m_dir / "oci-layout"))
    throw UsageError(fmt::format("{} is not an OCI image layout (no oci-layout file)", where));
  const auto index = parse_manifest(read_small_file(m_dir / "index.json", k_max_json_blob), media_type::oci_index,
                                    where + "/index.json");
  if (!index) throw UsageError(index.error());
  m_index = index->manifests;
}

Descriptor OciLayout::resolve(const std::string& ref) const {
  std::vector<std::string> known;
  for (const auto& d : m_index) {
    const auto it = d.annotations.find(std::string(k_ref_name_annotation));
    const std::string name = it == d.annotations.end() ? "" : it->second;
    if (!ref.empty() && name == ref) return d;
    known.push_back(name.empty() ? d.digest.str() : name);
  }
  if (ref.empty() && m_index.size() == 1) return m_index.front();
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  if (ref.empty())
    throw UsageError(fmt::format("{} holds {} images ({}); name one with oci:{}:REF", m_dir.string(), m_index.size(),
                                 list, m_dir.string()));
  throw UsageError(
      fmt::format("{} has no image \"{}\" (it has: {})", m_dir.string(), ref, list.empty() ? "nothing" : list));
}

std::filesystem::path oci_blob_path(const std::filesystem::path& layout, const Digest& digest) {
  return layout / "blobs" / "sha256" / digest.hex();
}

std::filesystem::path OciLayout::blob_path(const Digest& digest) const { return oci_blob_path(m_dir, digest); }

std::string OciLayout::read_json_blob(const Descriptor& d) const {
  const auto path = blob_path(d.digest);
  if (d.size > k_max_json_blob)
    throw Error(fmt::format("{}: manifest {} is {} bytes, more than {}", m_dir.string(), d.digest.str(), d.size,
                            k_max_json_blob));
  std::string bytes = read_small_file(path, k_max_json_blob);
  if (bytes.size() != d.size || Sha256::of(bytes) != d.digest)
    throw VerificationError(
        fmt::format("{}: blob {} does not match its digest or size", path.string(), d.digest.str()));
  return bytes;
}

bool platform_selected(const Descriptor& child, const std::vector<std::string>& filter) {
  return filter.empty() || !child.platform || std::find(filter.begin(), filter.end(), *child.platform) != filter.end();
}

std::optional<std::string> filter_index(std::string_view bytes, const std::vector<std::string>& filter,
                                        std::string_view where) {
  const auto parsed = parse_manifest(bytes, "", where).value_or_throw<VerificationError>();
  if (!parsed.is_index) return std::nullopt;
  std::vector<bool> keep;
  for (const auto& child : parsed.manifests) keep.push_back(platform_selected(child, filter));
  if (std::all_of(keep.begin(), keep.end(), [](bool k) { return k; })) return std::nullopt;
  auto j = nlohmann::ordered_json::parse(bytes);
  auto& children = j.at("manifests");
  nlohmann::ordered_json kept = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < children.size(); ++i)
    if (keep.at(i)) kept.push_back(children[i]);
  children = std::move(kept);
  return j.dump();
}

ImageBlobs OciLayout::walk(const Descriptor& root, const std::vector<std::string>& platforms) const {
  ImageBlobs out;
  out.root = root;
  std::set<Digest> seen;
  const auto check_blob = [&](const Descriptor& d) {
    const auto path = blob_path(d.digest);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw UsageError(fmt::format("{}: blob {} is missing from the layout", m_dir.string(), d.digest.str()));
    if (size != d.size)
      throw VerificationError(
          fmt::format("{}: blob {} is {} bytes, its descriptor says {}", path.string(), d.digest.str(), size, d.size));
  };
  // Depth-first, so an index precedes its platform manifests.
  std::vector<Descriptor> stack{root};
  while (!stack.empty()) {
    const Descriptor d = stack.back();
    stack.pop_back();
    if (!seen.insert(d.digest).second) continue;
    const auto where = fmt::format("{}: {}", m_dir.string(), d.digest.str());
    const auto bytes = read_json_blob(d);
    const auto m = parse_manifest(bytes, d.media_type, where).value_or_throw<UsageError>();
    if (m.is_index) {
      if (auto filtered = filter_index(bytes, platforms, where)) {
        if (d.digest != root.digest)
          throw UsageError(fmt::format("{}: a platform filter on the nested index {} is not supported", m_dir.string(),
                                       d.digest.str()));
        out.root = {d.media_type.empty() ? m.media_type : d.media_type,
                    Sha256::of(*filtered),
                    filtered->size(),
                    {},
                    {}};
        out.filtered_root = std::move(filtered);
        out.manifests.push_back(out.root);
      } else {
        out.manifests.push_back(d);
      }
      std::size_t kept = 0;
      for (auto it = m.manifests.rbegin(); it != m.manifests.rend(); ++it) {
        if (!platform_selected(*it, platforms)) continue;
        if (it->platform) out.platforms.push_back(*it->platform);
        stack.push_back(*it);
        ++kept;
      }
      if (kept == 0)
        throw UsageError(
            fmt::format("{}: index {} has none of the platforms the spec asks for", m_dir.string(), d.digest.str()));
      continue;
    }
    out.manifests.push_back(d);
    if (seen.insert(m.config->digest).second) {
      check_blob(*m.config);
      out.configs.push_back(*m.config);
      if (d.digest == root.digest) {
        // A single-platform image: its platform is in the config.
        const auto config = nlohmann::json::parse(read_json_blob(*m.config), nullptr, false);
        if (config.is_object() && config.contains("os") && config.contains("architecture") &&
            config["os"].is_string() && config["architecture"].is_string())
          out.platforms.push_back(config["os"].get<std::string>() + "/" + config["architecture"].get<std::string>());
      }
    }
    for (const auto& layer : m.layers) {
      if (!seen.insert(layer.digest).second) continue;
      check_blob(layer);
      out.layers.push_back(layer);
    }
  }
  std::sort(out.platforms.begin(), out.platforms.end());
  out.platforms.erase(std::unique(out.platforms.begin(), out.platforms.end()), out.platforms.end());
  return out;
}

}  // namespace airlock
