#include "packer/pack.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/timestamp.hpp"
#include "formats/dsse_envelope.hpp"
#include "formats/ed25519_key.hpp"
#include "packer/signing_keys.hpp"
#include "formats/tar_zst_writer.hpp"
#include "packer/blob_prefetcher.hpp"
#include "packer/image_source.hpp"
#include "packer/release_plan.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

namespace airlock {
namespace {

std::int64_t creation_time(const PackOptions& options) {
  if (options.created) return *options.created;
  if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"); sde && *sde) {
    char* end = nullptr;
    const long long v = std::strtoll(sde, &end, 10);
    if (*end != '\0' || v < 0) throw UsageError(fmt::format("SOURCE_DATE_EPOCH \"{}\" is not a number of seconds", sde));
    return v;
  }
  return unix_now();
}

std::string bundle_oci_index(const std::vector<ResolvedImage>& images) {
  nlohmann::ordered_json manifests = nlohmann::ordered_json::array();
  for (const auto& r : images) {
    manifests.push_back({{"mediaType", r.image.media_type},
                         {"digest", r.image.digest.str()},
                         {"size", r.manifests.front().descriptor.size},
                         {"annotations", {{std::string(k_ref_name_annotation), r.image.name}}}});
  }
  nlohmann::ordered_json j;
  j["schemaVersion"] = 2;
  j["mediaType"] = media_type::oci_index;
  j["manifests"] = manifests;
  return j.dump() + "\n";
}

void stream_blob(TarZstWriter& writer, BlobPrefetcher& prefetcher, std::size_t i, const SourcedBlob& blob,
                 Progress& progress) {
  const auto& d = blob.descriptor;
  writer.begin_entry(blob_entry_path(d.digest), d.size);
  Sha256 hash;
  std::uint64_t got = 0;
  prefetcher.stream(i, [&](std::span<const std::uint8_t> chunk) {
    if (got + chunk.size() > d.size)
      throw VerificationError(fmt::format("{}: blob {} is longer than its descriptor's {} bytes", blob.origin,
                                          d.digest.str(), d.size));
    hash.update(chunk);
    writer.write(chunk);
    got += chunk.size();
    progress.advance(chunk.size());
  });
  if (got != d.size)
    throw VerificationError(fmt::format("{}: blob {} is shorter than its descriptor's {} bytes", blob.origin,
                                        d.digest.str(), d.size));
  if (hash.finish() != d.digest)
    throw VerificationError(fmt::format("{}: blob content does not match its digest {}", blob.origin, d.digest.str()));
  writer.end_entry();
}

}  // namespace

PackResult pack(const PackOptions& options, Progress& progress) {
  // 1. Inputs: spec, manifests, the images they need, the key. Nothing is
  //    written yet.
  const ReleasePlan plan = plan_release(options.spec, options.git);
  const ReleaseSpec& spec = plan.spec;
  const auto& manifests = plan.manifests;
  for (const auto& w : plan.warnings)
    progress.warn(fmt::format("{}: {} looks like an image but is not in an image field; list it in the spec "
                              "if the release needs it ({})",
                              w.where, w.text, w.context));
  const std::vector<SigningKey> keys = load_signing_keys(options.keys);
  RegistryOptions registry_options;
  registry_options.ca_file = options.registries.ca_file;
  registry_options.insecure_hosts.insert(options.registries.insecure_hosts.begin(), options.registries.insecure_hosts.end());
  RegistrySource registries(spec, registry_options, AuthStore::load(options.registries.auth_file));
  std::vector<ResolvedImage> images;
  for (const auto& p : plan.images)
    images.push_back(p.reference ? registries.resolve(p) : resolve_layout_image(spec, p));

  // 2. The archive's order: small JSON blobs before layers, each blob once.
  std::vector<const SourcedBlob*> blobs;
  std::set<Digest> placed;
  for (auto which : {&ResolvedImage::manifests, &ResolvedImage::configs, &ResolvedImage::layers})
    for (const auto& r : images)
      for (const auto& b : r.*which)
        if (placed.insert(b.descriptor.digest).second) blobs.push_back(&b);

  // 3. The index, then its signature.
  BundleIndex index;
  index.name = spec.name;
  index.version = spec.version;
  index.sequence = spec.sequence;
  index.created = creation_time(options);
  if (spec.expires.at) index.expires = *spec.expires.at;
  if (spec.expires.seconds) index.expires = index.created + *spec.expires.seconds;
  if (index.expires && *index.expires <= index.created)
    throw UsageError(fmt::format("{}: expires {} is not after the creation time {}", spec.path.string(),
                                 format_utc(*index.expires), format_utc(index.created)));
  const std::string oci_layout(media_type::oci_layout_file);
  const std::string oci_index = bundle_oci_index(images);
  index.entries.push_back({"oci-layout", Sha256::of(oci_layout), oci_layout.size()});
  index.entries.push_back({"index.json", Sha256::of(oci_index), oci_index.size()});
  for (const auto& m : manifests) index.entries.push_back({m.entry, Sha256::of(m.content), m.content.size()});
  for (const auto* b : blobs)
    index.entries.push_back({blob_entry_path(b->descriptor.digest), b->descriptor.digest, b->descriptor.size});
  for (auto& r : images) index.images.push_back(r.image);
  index.manifest_sources = plan.sources;
  index.values = plan.spec.values;

  const std::string payload = index.to_json();
  std::vector<const SigningKey*> signers;
  for (const auto& k : keys) signers.push_back(&k);
  const DsseEnvelope envelope = dsse_sign(k_bundle_payload_type, payload, signers);

  // 4. One streaming pass into a temporary file, renamed on success.
  AtomicFile out(options.output, 0644);
  TarZstWriter writer(out.fd(), options.output.string(),
                      {.level = options.zstd_level, .workers = options.workers, .mtime = index.created});
  writer.add(k_envelope_entry, envelope.to_json());
  writer.add("oci-layout", oci_layout);
  writer.add("index.json", oci_index);
  for (const auto& m : manifests) writer.add(m.entry, m.content);
  progress.begin("pack", index.total_entry_bytes());
  // Several fetches in flight, 2 MiB buffered each (TCP buffers add more):
  // per-blob latency hides behind the writer while memory stays bounded.
  BlobPrefetcher prefetcher(blobs, static_cast<std::size_t>(std::max(1, options.fetches)), 2 << 20);
  for (std::size_t i = 0; i < blobs.size(); ++i) stream_blob(writer, prefetcher, i, *blobs[i], progress);
  writer.finish();
  progress.end();
  out.commit();

  PackResult result;
  result.bundle_digest = Sha256::of(payload);
  for (const auto& k : keys) result.keyids.push_back(k.keyid());
  result.archive_bytes = index.total_entry_bytes();
  result.compressed_bytes = writer.compressed_bytes();
  result.index = std::move(index);
  return result;
}

}  // namespace airlock
