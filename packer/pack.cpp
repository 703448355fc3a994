#include "packer/pack.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/printable.hpp"
#include "common/timestamp.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/dsse_envelope.hpp"
#include "formats/bundle_parts.hpp"
#include "formats/ed25519_key.hpp"
#include "formats/tar_zst_writer.hpp"
#include "packer/blob_prefetcher.hpp"
#include "packer/delta_plan.hpp"
#include "packer/image_source.hpp"
#include "packer/pack_report.hpp"
#include "packer/release_contents.hpp"
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

// The bases of a delta, each checked before a registry is contacted: signed
// by a key of this packer's (or a --base-pubkey), an earlier bundle of this
// release, none twice.
std::vector<ReleaseContents> read_bases(const PackOptions& options, const std::vector<SigningKey>& keys,
                                        const ReleaseSpec& spec) {
  if (options.bases.empty()) {
    if (!options.base_pubkeys.empty()) throw UsageError("--base-pubkey needs a --base bundle");
    return {};
  }
  if (options.bases.size() > k_max_delta_bases)
    throw UsageError(
        fmt::format("{} --base bundles given: a delta names at most {}", options.bases.size(), k_max_delta_bases));
  std::vector<PublicKey> trusted;
  for (const auto& k : keys) trusted.push_back(k.public_key());
  for (const auto& p : options.base_pubkeys) trusted.push_back(PublicKey::load(p));
  std::vector<ReleaseContents> bases;
  NullProgress quiet;
  for (const auto& path : options.bases) {
    ReleaseContents base = bundle_contents(path, trusted, quiet);
    if (base.name != spec.name)
      throw UsageError(fmt::format("--base {}: a bundle of release {}, not of {}", printable(base.source),
                                   printable(base.name), spec.name));
    if (base.sequence >= spec.sequence)
      throw UsageError(fmt::format("--base {}: sequence {} is not before this bundle's {} ({})", printable(base.source),
                                   base.sequence, spec.sequence, spec.path.string()));
    for (const auto& other : bases)
      if (other.bundle_digest == base.bundle_digest)
        throw UsageError(fmt::format("--base {} and {} are the same bundle {}", printable(other.source),
                                     printable(base.source), base.bundle_digest->str()));
    bases.push_back(std::move(base));
  }
  return bases;
}

// What a delta leaves out, or nothing when the release shares no layer
// with its bases (then the bundle is a full one, and says nothing of them).
std::optional<BundleDelta> delta_of(const std::vector<ResolvedImage>& images, const std::vector<ReleaseContents>& bases,
                                    Progress& progress) {
  if (bases.empty()) return std::nullopt;
  std::vector<ImageContents> contents;
  for (const auto& r : images) contents.push_back(image_contents(r));
  BundleDelta delta = plan_delta(contents, bases);
  if (delta.omitted.empty()) {
    progress.warn("the release shares no layer with its --base bundles: written as a full bundle");
    return std::nullopt;
  }
  return delta;
}

// The archive's order of blobs: small JSON before layers (every image's
// manifests, then every config, then every layer), each digest once, none
// of those a delta omits.
std::vector<const SourcedBlob*> archive_order(const std::vector<ResolvedImage>& images,
                                              const std::optional<BundleDelta>& delta) {
  std::vector<const SourcedBlob*> order;
  std::set<Digest> placed;
  if (delta)
    for (const auto& o : delta->omitted) placed.insert(o.digest);
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
                        const std::vector<const SourcedBlob*>& blobs, std::optional<BundleDelta> delta,
                        std::int64_t created) {
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
  index.delta = std::move(delta);
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

void write_entries(TarZstWriter& writer, const BundleIndex& index, const DsseEnvelope& envelope,
                   const std::vector<std::pair<std::string, std::string>>& leading,
                   const std::vector<const SourcedBlob*>& blobs, int fetches, Progress& progress) {
  writer.add(k_envelope_entry, envelope.to_json());
  for (const auto& [path, content] : leading) writer.add(path, content);
  progress.begin("pack", index.total_entry_bytes());
  // Several fetches in flight, 2 MiB buffered each (TCP buffers add more):
  // per-blob latency hides behind the writer while memory stays bounded.
  BlobPrefetcher prefetcher(blobs, static_cast<std::size_t>(std::max(1, fetches)), 2 << 20);
  for (std::size_t i = 0; i < blobs.size(); ++i) stream_blob(writer, prefetcher, i, *blobs[i], progress);
  writer.finish();
  progress.end();
}

// One streaming pass into a temporary file beside the output, renamed only
// once the last blob has been checked against its digest; or into parts,
// which get their names only then too.
std::uint64_t write_bundle(const PackOptions& options, const BundleIndex& index, const DsseEnvelope& envelope,
                           const std::vector<std::pair<std::string, std::string>>& leading,
                           const std::vector<const SourcedBlob*>& blobs, Progress& progress,
                           std::vector<std::filesystem::path>& parts) {
  const TarZstOptions zstd{.level = options.zstd_level, .workers = options.workers, .mtime = index.created};
  if (options.parts) {
    PartWriter out(options.output, *options.parts,
                   {Sha256::of(envelope.payload), index.name, index.version, index.sequence});
    TarZstWriter writer(out, options.output.string(), zstd);
    write_entries(writer, index, envelope, leading, blobs, options.fetches, progress);
    parts = out.finish();
    return writer.compressed_bytes();
  }
  AtomicFile out(options.output, 0644);
  TarZstWriter writer(out.fd(), options.output.string(), zstd);
  write_entries(writer, index, envelope, leading, blobs, options.fetches, progress);
  out.commit();
  return writer.compressed_bytes();
}

}  // namespace

PackResult pack(const PackOptions& options, Progress& progress) {
  if (options.parts) {
    (void)part_rows(*options.parts);
    prepare_part_dir(options.output);
  } else {
    AtomicFile::check_target(options.output, "output");
  }
  const ReleasePlan plan = plan_release(options.spec, options.git);
  report_plan_notices(plan, progress);
  const std::vector<SigningKey> keys = load_signing_keys(options.keys);
  const std::vector<ReleaseContents> bases = read_bases(options, keys, plan.spec);
  RegistrySource registries = registry_source(plan, options.registries);
  const std::vector<ResolvedImage> images = resolve_images(plan, registries, options.fetches);
  std::optional<BundleDelta> delta = delta_of(images, bases, progress);
  const auto blobs = archive_order(images, delta);
  const auto leading = leading_entries(plan, images);

  PackResult result;
  result.index = build_index(plan, images, leading, blobs, std::move(delta), creation_time(options));
  const std::string payload = result.index.to_json();
  std::vector<const SigningKey*> signers;
  for (const auto& k : keys) signers.push_back(&k);
  const DsseEnvelope envelope = dsse_sign(k_bundle_payload_type, payload, signers);
  check_envelope_size(envelope, result.index);
  result.compressed_bytes = write_bundle(options, result.index, envelope, leading, blobs, progress, result.parts);

  result.bundle_digest = Sha256::of(payload);
  for (const auto& k : keys) result.keyids.push_back(k.keyid());
  result.archive_bytes = result.index.total_entry_bytes();
  return result;
}

}  // namespace airlock
