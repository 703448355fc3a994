#include "packer/pack.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/file_util.hpp"
#include "common/timestamp.hpp"
#include "formats/dsse_envelope.hpp"
#include "formats/ed25519_key.hpp"
#include "formats/image_name.hpp"
#include "formats/oci_layout.hpp"
#include "formats/release_spec.hpp"
#include "packer/release_plan.hpp"
#include "formats/tar_zst_writer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <set>

namespace airlock {
namespace {

struct SourcedBlob {
  Descriptor descriptor;
  std::filesystem::path file;
};

struct ResolvedImage {
  IndexImage image;
  ImageBlobs blobs;
  std::filesystem::path layout;
};

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

ResolvedImage resolve_image(const ReleaseSpec& spec, const PlannedImage& p) {
  if (p.reference)
    throw UsageError(fmt::format("{}: image {}: pulling from registries is not supported by this build yet; "
                                 "copy it into an OCI layout (skopeo copy docker://... oci:DIR:TAG) and list it "
                                 "as oci:DIR:TAG with name: {}",
                                 p.found_at.front(), p.reference->str(), p.name));
  const std::string rest = p.source.substr(4);
  const auto colon = rest.find(':');
  const std::string dir = rest.substr(0, colon);
  const std::string ref = colon == std::string::npos ? "" : rest.substr(colon + 1);
  if (dir.empty()) throw UsageError(fmt::format("{}: image source \"{}\" names no directory", p.found_at.front(), p.source));
  const ImageName name = ImageName::parse(p.name, p.found_at.front());

  ResolvedImage r;
  r.layout = spec.dir / dir;
  const OciLayout layout(r.layout);
  r.blobs = layout.walk(layout.resolve(ref));
  r.image.name = name.str();
  r.image.repository = name.repository;
  r.image.tag = name.tag;
  r.image.source = p.source;
  r.image.digest = r.blobs.root.digest;
  r.image.media_type = r.blobs.root.media_type;
  r.image.platforms = r.blobs.platforms;
  for (const auto* list : {&r.blobs.manifests, &r.blobs.configs, &r.blobs.layers})
    for (const auto& d : *list) r.image.size += d.size;
  return r;
}

std::string bundle_oci_index(const std::vector<ResolvedImage>& images) {
  nlohmann::ordered_json manifests = nlohmann::ordered_json::array();
  for (const auto& r : images) {
    manifests.push_back({{"mediaType", r.image.media_type},
                         {"digest", r.image.digest.str()},
                         {"size", r.blobs.root.size},
                         {"annotations", {{std::string(k_ref_name_annotation), r.image.name}}}});
  }
  nlohmann::ordered_json j;
  j["schemaVersion"] = 2;
  j["mediaType"] = media_type::oci_index;
  j["manifests"] = manifests;
  return j.dump() + "\n";
}

void stream_blob(TarZstWriter& writer, const SourcedBlob& blob, Progress& progress) {
  const auto& d = blob.descriptor;
  Fd fd(::open(blob.file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw UsageError(fmt::format("cannot open {}: {}", blob.file.string(), errno_text(errno)));
  writer.begin_entry(blob_entry_path(d.digest), d.size);
  std::vector<std::uint8_t> buf(1 << 20);
  Sha256 hash;
  std::uint64_t left = d.size;
  while (left > 0) {
    const ssize_t n = ::read(fd.get(), buf.data(), std::min<std::uint64_t>(buf.size(), left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(fmt::format("cannot read {}: {}", blob.file.string(), errno_text(errno)));
    if (n == 0) throw VerificationError(fmt::format("{}: blob {} is shorter than its descriptor's {} bytes", blob.file.string(), d.digest.str(), d.size));
    const std::span chunk(buf.data(), static_cast<std::size_t>(n));
    hash.update(chunk);
    writer.write(chunk);
    left -= static_cast<std::uint64_t>(n);
    progress.advance(static_cast<std::uint64_t>(n));
  }
  if (hash.finish() != d.digest)
    throw VerificationError(fmt::format("{}: blob content does not match its digest {}", blob.file.string(), d.digest.str()));
  writer.end_entry();
}

}  // namespace

PackResult pack(const PackOptions& options, Progress& progress) {
  // 1. Inputs: spec, manifests, the images they need, the key. Nothing is
  //    written yet.
  const ReleasePlan plan = plan_release(options.spec);
  const ReleaseSpec& spec = plan.spec;
  const auto& manifests = plan.manifests;
  for (const auto& w : plan.warnings)
    progress.warn(fmt::format("{}: {} looks like an image but is not in an image field; list it in the spec "
                              "if the release needs it ({})",
                              w.where, w.text, w.context));
  const SigningKey key = SigningKey::load(options.key);
  std::vector<ResolvedImage> images;
  for (const auto& p : plan.images) images.push_back(resolve_image(spec, p));

  // 2. The archive's order: small JSON blobs before layers, each blob once.
  std::vector<SourcedBlob> blobs;
  std::set<Digest> placed;
  for (auto which : {&ImageBlobs::manifests, &ImageBlobs::configs, &ImageBlobs::layers})
    for (const auto& r : images)
      for (const auto& d : r.blobs.*which)
        if (placed.insert(d.digest).second)
          blobs.push_back({d, oci_blob_path(r.layout, d.digest)});

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
  for (const auto& b : blobs) index.entries.push_back({blob_entry_path(b.descriptor.digest), b.descriptor.digest, b.descriptor.size});
  for (auto& r : images) index.images.push_back(r.image);

  const std::string payload = index.to_json();
  const DsseEnvelope envelope = dsse_sign(k_bundle_payload_type, payload, {&key});

  // 4. One streaming pass into a temporary file, renamed on success.
  AtomicFile out(options.output, 0644);
  TarZstWriter writer(out.fd(), options.output.string(),
                      {.level = options.zstd_level, .workers = options.workers, .mtime = index.created});
  writer.add(k_envelope_entry, envelope.to_json());
  writer.add("oci-layout", oci_layout);
  writer.add("index.json", oci_index);
  for (const auto& m : manifests) writer.add(m.entry, m.content);
  progress.begin("pack", index.total_entry_bytes());
  for (const auto& b : blobs) stream_blob(writer, b, progress);
  writer.finish();
  progress.end();
  out.commit();

  PackResult result;
  result.bundle_digest = Sha256::of(payload);
  result.keyid = key.keyid();
  result.archive_bytes = index.total_entry_bytes();
  result.compressed_bytes = writer.compressed_bytes();
  result.index = std::move(index);
  return result;
}

}  // namespace airlock
