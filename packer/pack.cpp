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
#include "formats/tar_zst_writer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <set>

namespace airlock {
namespace {

constexpr std::uint64_t k_max_manifest_file = 64 * 1024 * 1024;

struct ManifestFile {
  std::string entry;  // manifests/...
  std::string content;
};

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

// Files named by the spec, each parsed as YAML so a broken file fails here,
// named in the bundle relative to the directory that was listed.
std::vector<ManifestFile> load_manifests(const ReleaseSpec& spec) {
  std::vector<ManifestFile> out;
  std::map<std::string, std::filesystem::path> origin;
  const auto add = [&](const std::filesystem::path& file, const std::filesystem::path& rel) {
    const std::string entry = "manifests/" + rel.generic_string();
    if (const auto why = unsafe_path_reason(entry); !why.empty())
      throw UsageError(fmt::format("{}: cannot be bundled: {}", file.string(), why));
    if (const auto [it, fresh] = origin.emplace(entry, file); !fresh)
      throw UsageError(fmt::format("{} and {} would both be bundled as {}", it->second.string(),
                                   file.string(), entry));
    std::string content = read_small_file(file, k_max_manifest_file);
    try {
      (void)YAML::LoadAll(content);
    } catch (const YAML::Exception& e) {
      throw UsageError(fmt::format("{}:{}: not valid YAML: {}", file.string(), e.mark.line + 1, e.msg));
    }
    out.push_back({entry, std::move(content)});
  };
  for (const auto& item : spec.manifests) {
    const auto path = spec.dir / item;
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
      add(path, path.filename());
    } else if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& de : std::filesystem::recursive_directory_iterator(path)) {
        const auto ext = de.path().extension();
        if (de.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(de.path());
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) throw UsageError(fmt::format("{}: no *.yaml or *.yml files in {}", spec.path.string(), path.string()));
      for (const auto& f : files) add(f, std::filesystem::relative(f, path));
    } else {
      throw UsageError(fmt::format("{}: manifests entry \"{}\": {} does not exist", spec.path.string(), item, path.string()));
    }
  }
  return out;
}

ResolvedImage resolve_image(const ReleaseSpec& spec, const SpecImage& si) {
  if (!si.source.starts_with("oci:"))
    throw UsageError(fmt::format("{}: image source \"{}\": only local OCI layouts (oci:PATH[:REF]) are "
                                 "supported by this build",
                                 si.where, si.source));
  const std::string rest = si.source.substr(4);
  const auto colon = rest.find(':');
  const std::string dir = rest.substr(0, colon);
  const std::string ref = colon == std::string::npos ? "" : rest.substr(colon + 1);
  if (dir.empty()) throw UsageError(fmt::format("{}: image source \"{}\" names no directory", si.where, si.source));
  if (!si.name)
    throw UsageError(fmt::format("{}: image {} needs a name: (repository:tag in the bundle)", si.where, si.source));
  const ImageName name = ImageName::parse(*si.name, si.where);

  ResolvedImage r;
  r.layout = spec.dir / dir;
  const OciLayout layout(r.layout);
  r.blobs = layout.walk(layout.resolve(ref));
  r.image.name = name.str();
  r.image.repository = name.repository;
  r.image.tag = name.tag;
  r.image.source = si.source;
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
  // 1. Inputs: spec, key, manifests, images. Nothing is written yet.
  const ReleaseSpec spec = load_release_spec(options.spec);
  const SigningKey key = SigningKey::load(options.key);
  const auto manifests = load_manifests(spec);
  std::vector<ResolvedImage> images;
  std::map<std::string, std::string> name_origin;
  for (const auto& si : spec.images) {
    auto r = resolve_image(spec, si);
    if (const auto [it, fresh] = name_origin.emplace(r.image.name, si.source); !fresh)
      throw UsageError(fmt::format("{}: images {} and {} would both be named {}; give one a different name:",
                                   si.where, it->second, si.source, r.image.name));
    images.push_back(std::move(r));
  }

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
