#include "common/error.hpp"
#include "common/fd.hpp"
#include "formats/image_name.hpp"
#include "formats/oci_layout.hpp"
#include "packer/image_source.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>

namespace airlock {
namespace {

SourcedBlob file_blob(const Descriptor& d, std::filesystem::path file) {
  SourcedBlob b{d, file.string(), {}};
  b.stream = [file = std::move(file), size = d.size](const ByteSink& sink) {
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) throw UsageError(fmt::format("cannot open {}: {}", file.string(), errno_text(errno)));
    std::vector<std::uint8_t> buf(1 << 20);
    std::uint64_t left = size;
    while (left > 0) {
      const ssize_t n = ::read(fd.get(), buf.data(), std::min<std::uint64_t>(buf.size(), left));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Error(fmt::format("cannot read {}: {}", file.string(), errno_text(errno)));
      if (n == 0) return;  // short: the caller's size check names it
      sink(std::span(buf.data(), static_cast<std::size_t>(n)));
      left -= static_cast<std::uint64_t>(n);
    }
  };
  return b;
}

}  // namespace

ResolvedImage resolve_layout_image(const ReleaseSpec& spec, const PlannedImage& p) {
  const std::string rest = p.source.substr(4);
  const auto colon = rest.find(':');
  const std::string dir = rest.substr(0, colon);
  const std::string ref = colon == std::string::npos ? "" : rest.substr(colon + 1);
  if (dir.empty())
    throw UsageError(fmt::format("{}: image source \"{}\" names no directory", p.found_at.front(), p.source));
  const ImageName name = ImageName::parse(p.name, p.found_at.front());

  const auto layout_dir = spec.dir / dir;
  const OciLayout layout(layout_dir);
  const ImageBlobs blobs = layout.walk(layout.resolve(ref), spec.platforms);
  ResolvedImage r;
  r.image.name = name.str();
  r.image.repository = name.repository;
  r.image.tag = name.tag;
  r.image.source = p.source;
  r.image.digest = blobs.root.digest;
  r.image.media_type = blobs.root.media_type;
  r.image.platforms = blobs.platforms;
  for (const auto& d : blobs.manifests)
    r.manifests.push_back(
        blobs.filtered_root && d.digest == blobs.root.digest
            ? memory_blob(d, layout_dir.string() + " (index filtered by platform)", *blobs.filtered_root)
            : file_blob(d, layout.blob_path(d.digest)));
  if (blobs.filtered_root) r.image.source_digest = layout.resolve(ref).digest;
  for (const auto& d : blobs.configs) r.configs.push_back(file_blob(d, layout.blob_path(d.digest)));
  for (const auto& d : blobs.layers) r.layers.push_back(file_blob(d, layout.blob_path(d.digest)));
  for (const auto* list : {&r.manifests, &r.configs, &r.layers})
    for (const auto& b : *list) r.image.size += b.descriptor.size;
  return r;
}

}  // namespace airlock
