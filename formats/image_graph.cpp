#include "formats/image_graph.hpp"

#include "common/error.hpp"
#include "formats/release_limits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace airlock {

ImageGraph::ImageGraph(const BundleIndex& index, std::string bundle) : m_index(index), m_bundle(std::move(bundle)) {
  for (std::size_t i = 0; i < index.images.size(); ++i) {
    auto& node = m_nodes[blob_entry_path(index.images[i].digest)];
    if (node.media_type.empty()) node.media_type = index.images[i].media_type;
    node.images.insert(i);
  }
}

void ImageGraph::on_data(const IndexEntry& entry, std::span<const std::uint8_t> data) {
  if (!m_nodes.contains(entry.path)) return;
  // Manifests are held until they are pushed: each, and all of them, bounded.
  if (m_buffer.empty()) {
    if (entry.size > k_max_json_blob)
      throw VerificationError(fmt::format("{}: manifest {} is {} bytes, more than the {} a manifest may have", m_bundle,
                                          entry.path, entry.size, k_max_json_blob));
    if (m_held + entry.size > k_max_held_manifests)
      throw VerificationError(fmt::format("{}: the images' manifests pass {} bytes at {}: more than an importer "
                                          "holds",
                                          m_bundle, k_max_held_manifests, entry.path));
  }
  m_buffer.append(reinterpret_cast<const char*>(data.data()), data.size());
}

void ImageGraph::add_images(const std::string& path, const std::set<std::size_t>& images) {
  auto& node = m_nodes.at(path);
  const auto before = node.images.size();
  node.images.insert(images.begin(), images.end());
  if (!node.parsed || node.images.size() == before) return;
  // Seen already (a manifest two indexes share): pass the images on.
  const auto& m = m_manifests.at(path);
  for (const auto& child : m.children) add_images(child, node.images);
  const auto add_blob = [&](const Descriptor& d) {
    m_required[blob_entry_path(d.digest)].insert(node.images.begin(), node.images.end());
  };
  if (m.parsed.config) add_blob(*m.parsed.config);
  for (const auto& layer : m.parsed.layers) add_blob(layer);
}

void ImageGraph::on_verified(const IndexEntry& entry) {
  m_present.insert(entry.path);
  const auto it = m_nodes.find(entry.path);
  if (it == m_nodes.end()) {
    m_buffer.clear();
    return;
  }
  Node& node = it->second;
  const std::string first_image = m_index.images[*node.images.begin()].name;
  Manifest m;
  m.path = entry.path;
  m.digest = entry.sha256;
  m.media_type = node.media_type;
  m.bytes = std::move(m_buffer);
  m_buffer.clear();
  m_held += m.bytes.size();
  auto parsed = parse_manifest(m.bytes, node.media_type, fmt::format("{}: {}", m_bundle, entry.path));
  if (!parsed) throw VerificationError(fmt::format("image {}: {}", first_image, parsed.error()));
  m.parsed = std::move(*parsed);
  if (m.media_type.empty()) m.media_type = m.parsed.media_type;
  // Every child of an index is in the bundle: a platform filter rewrites
  // the index at pack time, so nothing the registry receives dangles.
  for (const auto& child : m.parsed.manifests) {
    const auto child_path = blob_entry_path(child.digest);
    auto& child_node = m_nodes[child_path];
    if (child_node.media_type.empty()) child_node.media_type = child.media_type;
    m.children.push_back(child_path);
    add_images(child_path, node.images);
  }
  const auto add_blob = [&](const Descriptor& d) {
    const auto path = blob_entry_path(d.digest);
    // Blobs stream after the manifests that name them, so an importer
    // knows where each one goes when it passes.
    if (m_present.contains(path))
      throw VerificationError(fmt::format("{}: image {}: entry \"{}\" comes before the manifest {} that needs it",
                                          m_bundle, first_image, path, entry.path));
    m_required[path].insert(node.images.begin(), node.images.end());
    m_blob_descriptors.emplace(path, d);
  };
  if (m.parsed.config) add_blob(*m.parsed.config);
  for (const auto& layer : m.parsed.layers) add_blob(layer);
  node.parsed = true;
  m_manifests.emplace(entry.path, std::move(m));
}

void ImageGraph::check_manifests() const {
  for (const auto& [path, node] : m_nodes)
    if (!node.parsed)
      throw VerificationError(fmt::format("{}: image {}: manifest {} is not in the bundle (or comes after its blobs)",
                                          m_bundle, m_index.images[*node.images.begin()].name, path));
}

void ImageGraph::check() const {
  check_manifests();
  for (const auto& [path, images] : m_required) {
    if (m_present.contains(path)) continue;
    const auto& name = m_index.images[*images.begin()].name;
    const auto& want = m_blob_descriptors.at(path);
    const OmittedBlob* omitted = m_index.delta ? m_index.delta->find(want.digest) : nullptr;
    if (!omitted)
      throw VerificationError(fmt::format("{}: image {}: blob {} is not in the bundle", m_bundle, name, path));
    if (omitted->size != want.size)
      throw VerificationError(fmt::format("{}: image {}: blob {} is omitted as {} bytes, its manifest says {}",
                                          m_bundle, name, want.digest.str(), omitted->size, want.size));
  }
  if (m_index.delta)
    for (const auto& o : m_index.delta->omitted)
      if (!m_required.contains(blob_entry_path(o.digest)))
        throw VerificationError(
            fmt::format("{}: the index omits blob {}, which no image of the bundle needs", m_bundle, o.digest.str()));
}

std::vector<std::size_t> ImageGraph::images_needing(const std::string& path) const {
  const auto it = m_required.find(path);
  if (it == m_required.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<const ImageGraph::Manifest*> ImageGraph::manifests_of(std::size_t image) const {
  std::vector<const Manifest*> out;
  std::set<std::string> seen;
  const std::function<void(const std::string&)> visit = [&](const std::string& path) {
    if (!seen.insert(path).second) return;
    const auto& m = m_manifests.at(path);
    for (const auto& child : m.children)
      if (m_nodes.at(child).images.contains(image)) visit(child);
    out.push_back(&m);
  };
  visit(blob_entry_path(m_index.images.at(image).digest));
  return out;
}

std::vector<Descriptor> ImageGraph::blobs_of(std::size_t image) const {
  std::vector<Descriptor> out;
  std::set<std::string> seen;
  for (const auto* m : manifests_of(image)) {
    const auto add = [&](const Descriptor& d) {
      if (seen.insert(d.digest.str()).second) out.push_back(d);
    };
    if (m->parsed.config) add(*m->parsed.config);
    for (const auto& layer : m->parsed.layers) add(layer);
  }
  return out;
}

}  // namespace airlock
