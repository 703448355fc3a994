#include "formats/bundle_parts.hpp"

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/printable.hpp"
#include "formats/bundle_index.hpp"
#include "formats/bundle_reader.hpp"
#include "formats/part_set.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fmt/format.h>

#include <cerrno>

namespace airlock {

void prepare_part_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return;
  if (std::filesystem::exists(dir, ec))
    throw UsageError(fmt::format("output {} is not a directory (parts are written into one)", printable(dir.string())));
  if (!std::filesystem::create_directory(dir, ec))
    throw UsageError(fmt::format("cannot create directory {}: {}", printable(dir.string()), ec.message()));
}

SplitResult split_bundle(const std::filesystem::path& bundle, const std::filesystem::path& dir,
                         const PartLayout& layout, Progress& progress) {
  (void)part_rows(layout);  // the layout's errors before anything is read
  SplitResult result;
  {
    const BundleReader reader(bundle);
    const auto where = fmt::format("{}: {}", reader.name(), k_envelope_entry);
    const auto index = BundleIndex::parse(reader.envelope().payload, where);
    result.identity = {Sha256::of(reader.envelope().payload), index.name, index.version, index.sequence};
  }
  Fd fd(::open(bundle.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0)
    throw UsageError(fmt::format("cannot open bundle {}: {}", printable(bundle.string()), errno_text(errno)));
  prepare_part_dir(dir);
  PartWriter writer(dir, layout, result.identity);
  FdInput input(std::move(fd), bundle.string());
  progress.begin("split", static_cast<std::uint64_t>(st.st_size));
  for (;;) {
    // Straight into the stripe being filled: no copy.
    const auto n = input.read(writer.space());
    if (n == 0) break;
    writer.wrote(n);
    result.bundle_size += n;
    progress.advance(n);
  }
  result.parts = writer.finish();
  progress.end();
  return result;
}

JoinResult join_parts(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output,
                      Progress& progress) {
  AtomicFile::check_target(output, "output");
  PartSet set = one_part_set(inputs, "parts");
  JoinResult result;
  const auto total = set.first.bundle_size;
  PartSetInput input(std::move(set));
  AtomicFile out(output, 0644);
  std::vector<std::uint8_t> buffer(1 << 20);
  progress.begin("join", total);
  for (;;) {
    const auto n = input.read(buffer);
    if (n == 0) break;
    out.write(std::string_view(reinterpret_cast<const char*>(buffer.data()), n));
    result.bundle_size += n;
    progress.advance(n);
  }
  out.commit();
  progress.end();
  result.decoded_chunks = input.decoded_rows();
  return result;
}

}  // namespace airlock
