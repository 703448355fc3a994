#include "packer/release_contents.hpp"

#include "common/error.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/dsse_envelope.hpp"
#include "formats/image_graph.hpp"

#include <fmt/format.h>

namespace airlock {
namespace {

std::vector<Descriptor> descriptors(const std::vector<SourcedBlob>& blobs) {
  std::vector<Descriptor> out;
  out.reserve(blobs.size());
  for (const auto& b : blobs) out.push_back(b.descriptor);
  return out;
}

}  // namespace

ReleaseContents bundle_contents(const std::filesystem::path& bundle, const std::vector<PublicKey>& trusted,
                                Progress& progress) {
  BundleReader reader(bundle);
  const auto where = fmt::format("{}: {}", reader.name(), k_envelope_entry);
  dsse_check_payload_type(reader.envelope(), where);
  ReleaseContents out;
  out.source = reader.name();
  if (!trusted.empty()) {
    (void)dsse_verify(reader.envelope(), trusted, 1, where);
    out.verified = true;
  }
  const BundleIndex index = BundleIndex::parse(reader.envelope().payload, where);
  out.name = index.name;
  out.version = index.version;
  out.sequence = index.sequence;
  out.bundle_digest = Sha256::of(reader.envelope().payload);
  for (const auto& e : index.entries)
    if (e.path.starts_with("blobs/")) out.carried.insert(e.sha256);

  // Up to the first blob that is not an image's manifest: the packer
  // writes every manifest before every config and layer.
  ImageGraph graph(index, reader.name());
  reader.stream(index, graph, progress, [&](std::string_view path) {
    return path.starts_with("blobs/") && !graph.wants_manifest(std::string(path));
  });
  graph.check_manifests();
  for (std::size_t i = 0; i < index.images.size(); ++i) {
    const auto& img = index.images[i];
    ImageContents c{img.name, img.repository, img.digest, {}, {}, {}};
    const auto manifests = graph.manifests_of(i);
    for (auto it = manifests.rbegin(); it != manifests.rend(); ++it) {
      const auto* m = *it;
      c.manifests.push_back({m->media_type, m->digest, m->bytes.size(), std::nullopt, {}});
      if (m->parsed.config) c.configs.push_back(*m->parsed.config);
      c.layers.insert(c.layers.end(), m->parsed.layers.begin(), m->parsed.layers.end());
    }
    out.images.push_back(std::move(c));
  }
  return out;
}

ImageContents image_contents(const ResolvedImage& r) {
  return {r.image.name,           r.image.repository,   r.image.digest, descriptors(r.manifests),
          descriptors(r.configs), descriptors(r.layers)};
}

ReleaseContents resolved_contents(const std::string& source, const BundleIndex& index,
                                  const std::vector<ResolvedImage>& images) {
  ReleaseContents out;
  out.source = source;
  out.name = index.name;
  out.version = index.version;
  out.sequence = index.sequence;
  out.verified = true;
  for (const auto& r : images) {
    ImageContents c = image_contents(r);
    for (const auto* list : {&c.manifests, &c.configs, &c.layers})
      for (const auto& d : *list) out.carried.insert(d.digest);
    out.images.push_back(std::move(c));
  }
  return out;
}

}  // namespace airlock
