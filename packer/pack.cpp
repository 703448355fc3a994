#include "packer/pack.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/parallel_for.hpp"
#include "common/printable.hpp"
#include "common/timestamp.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/dsse_envelope.hpp"
#include "formats/ed25519_key.hpp"
#include "formats/tar_zst_writer.hpp"
#include "packer/blob_prefetcher.hpp"
#include "packer/image_source.hpp"
#include "packer/pack_report.hpp"
#include "packer/release_plan.hpp"
#include "packer/signing_keys.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>
#include <utility>

namespace airlock {
namespace {

std::int64_t creation_time(const PackOptions& options) {
  const std::int64_t now = unix_now();
  std::int64_t created = now;
  std::string source = "the clock";
  if (options.created) {
    created = *options.created;
    source = "the creation time";
  } else if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"); sde && *sde) {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(sde, &end, 10);
    if (*end != '\0' || v < 0 || errno == ERANGE)
      throw UsageError(fmt::format("SOURCE_DATE_EPOCH \"{}\" is not a number of seconds", printable(sde)));
    created = v;
    source = fmt::format("SOURCE_DATE_EPOCH {}", v);
  }
  // The importer would refuse it, and years ahead it can only be a mistake
  // (milliseconds for seconds).
  if (created > now + k_max_clock_skew)
    throw UsageError(fmt::format("{} is {}, more than {} h after now ({}): is it in milliseconds?", source,
                                 created < 253402300800 ? format_utc(created) : std::to_string(created),
                                 k_max_clock_skew / 3600, format_utc(now)));
  return created;
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
      throw VerificationError(
          fmt::format("{}: blob {} is longer than its descriptor's {} bytes", blob.origin, d.digest.str(), d.size));
    hash.update(chunk);
    writer.write(chunk);
    got += chunk.size();
    progress.advance(chunk.size());
  });
  if (got != d.size)
    throw VerificationError(
        fmt::format("{}: blob {} is shorter than its descriptor's {} bytes", blob.origin, d.digest.str(), d.size));
  if (hash.finish() != d.digest)
    throw VerificationError(fmt::format("{}: blob content does not match its digest {}", blob.origin, d.digest.str()));
  writer.end_entry();
}

RegistrySource registry_source(const ReleasePlan& plan, const RegistryAccess& access) {
  RegistryOptions registry_options;
  registry_options.ca_file = access.ca_file;
  registry_options.insecure_hosts.insert(access.insecure_hosts.begin(), access.insecure_hosts.end());
  return RegistrySource(plan.spec, registry_options, AuthStore::load(access.auth_file));
}

// Pulls every planned image's manifests and configs (small) and prepares
// its layers to stream from `registries`, which must outlive them. A few
// images at a time: each is a few small requests, latency more than bytes.
// A failure is the first image's in plan order, as one at a time.
std::vector<ResolvedImage> resolve_images(const ReleasePlan& plan, RegistrySource& registries, int parallel) {
  std::vector<ResolvedImage> images(plan.images.size());
  parallel_for_after_first(plan.images.size(), static_cast<std::size_t>(std::max(1, parallel)), [&](std::size_t i) {
    const auto& p = plan.images[i];
    images[i] = p.reference ? registries.resolve(p) : resolve_layout_image(plan.spec, p);
  });
  return images;
}

// The archive's order of blobs: small JSON before layers (every image's
// manifests, then every config, then every layer), each digest once.
std::vector<const SourcedBlob*> archive_order(const std::vector<ResolvedImage>& images) {
  std::vector<const SourcedBlob*> order;
  std::set<Digest> placed;
  const auto place = [&](const std::vector<SourcedBlob>& blobs) {
    for (const auto& b : blobs)
      if (placed.insert(b.descriptor.digest).second) order.push_back(&b);
  };
  for (const auto& r : images) place(r.manifests);
  for (const auto& r : images) place(r.configs);
  for (const auto& r : images) place(r.layers);
  return order;
}

// The entries that come before the blobs, in archive order: the OCI layout
// files, then the release's YAML.
std::vector<std::pair<std::string, std::string>> leading_entries(const ReleasePlan& plan,
                                                                 const std::vector<ResolvedImage>& images) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("oci-layout", std::string(media_type::oci_layout_file));
  out.emplace_back("index.json", bundle_oci_index(images));
  for (const auto& m : plan.manifests) out.emplace_back(m.entry, m.content);
  return out;
}

BundleIndex build_index(const ReleasePlan& plan, const std::vector<ResolvedImage>& images,
                        const std::vector<std::pair<std::string, std::string>>& leading,
                        const std::vector<const SourcedBlob*>& blobs, std::int64_t created) {
  const ReleaseSpec& spec = plan.spec;
  BundleIndex index;
  index.name = spec.name;
  index.version = spec.version;
  index.sequence = spec.sequence;
  index.created = created;
  if (spec.expires.at) index.expires = *spec.expires.at;
  if (spec.expires.seconds) index.expires = index.created + *spec.expires.seconds;
  if (index.expires && *index.expires <= index.created)
    throw UsageError(fmt::format("{}: expires {} is not after the creation time {}", spec.path.string(),
                                 format_utc(*index.expires), format_utc(index.created)));
  for (const auto& [path, content] : leading) index.entries.push_back({path, Sha256::of(content), content.size()});
  for (const auto* b : blobs)
    index.entries.push_back({blob_entry_path(b->descriptor.digest), b->descriptor.digest, b->descriptor.size});
  for (const auto& r : images) index.images.push_back(r.image);
  index.manifest_sources = plan.sources;
  index.kustomize = plan.kustomize;
  index.values = spec.values;
  return index;
}

// Pack refuses what verify would: the reader takes an envelope of at most
// ReaderLimits::max_envelope bytes.
void check_envelope_size(const DsseEnvelope& envelope, const BundleIndex& index) {
  const auto size = envelope.to_json().size();
  const auto limit = ReaderLimits{}.max_envelope;
  if (size > limit)
    throw UsageError(fmt::format("the signed index lists {} entries and {} images: its envelope would be {} bytes, "
                                 "more than the {} an importer reads; bundle fewer YAML files (or split the release)",
                                 index.entries.size(), index.images.size(), size, limit));
}

// One streaming pass into a temporary file beside the output, renamed only
// once the last blob has been checked against its digest.
std::uint64_t write_bundle(const PackOptions& options, const BundleIndex& index, const DsseEnvelope& envelope,
                           const std::vector<std::pair<std::string, std::string>>& leading,
                           const std::vector<const SourcedBlob*>& blobs, Progress& progress) {
  AtomicFile out(options.output, 0644);
  TarZstWriter writer(out.fd(), options.output.string(),
                      {.level = options.zstd_level, .workers = options.workers, .mtime = index.created});
  writer.add(k_envelope_entry, envelope.to_json());
  for (const auto& [path, content] : leading) writer.add(path, content);
  progress.begin("pack", index.total_entry_bytes());
  // Several fetches in flight, 2 MiB buffered each (TCP buffers add more):
  // per-blob latency hides behind the writer while memory stays bounded.
  BlobPrefetcher prefetcher(blobs, static_cast<std::size_t>(std::max(1, options.fetches)), 2 << 20);
  for (std::size_t i = 0; i < blobs.size(); ++i) stream_blob(writer, prefetcher, i, *blobs[i], progress);
  writer.finish();
  progress.end();
  out.commit();
  return writer.compressed_bytes();
}

}  // namespace

PackResult pack(const PackOptions& options, Progress& progress) {
  AtomicFile::check_target(options.output, "output");
  const ReleasePlan plan = plan_release(options.spec, options.git);
  report_plan_notices(plan, progress);
  const std::vector<SigningKey> keys = load_signing_keys(options.keys);
  RegistrySource registries = registry_source(plan, options.registries);
  const std::vector<ResolvedImage> images = resolve_images(plan, registries, options.fetches);
  const auto blobs = archive_order(images);
  const auto leading = leading_entries(plan, images);

  PackResult result;
  result.index = build_index(plan, images, leading, blobs, creation_time(options));
  const std::string payload = result.index.to_json();
  std::vector<const SigningKey*> signers;
  for (const auto& k : keys) signers.push_back(&k);
  const DsseEnvelope envelope = dsse_sign(k_bundle_payload_type, payload, signers);
  check_envelope_size(envelope, result.index);
  result.compressed_bytes = write_bundle(options, result.index, envelope, leading, blobs, progress);

  result.bundle_digest = Sha256::of(payload);
  for (const auto& k : keys) result.keyids.push_back(k.keyid());
  result.archive_bytes = result.index.total_entry_bytes();
  return result;
}

}  // namespace airlock
