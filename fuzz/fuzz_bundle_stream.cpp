// The bundle reader on a whole .tar.zst stream, as raw bytes: the zstd
// decoder, libarchive's tar reader and the reader's own checks on whatever
// arrives. The index comes from the envelope's payload when it parses (the
// seeds are real bundles), else it is empty.

#include "formats/bundle_reader.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace airlock;

namespace {

struct Discard final : EntryHandler {
  void on_data(const IndexEntry&, std::span<const std::uint8_t>) override {}
  void on_verified(const IndexEntry&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::MemFile file(fuzz::as_text(data, size));
  fuzz::refusals_expected([&] {
    BundleReader reader(file.path());
    BundleIndex index;
    fuzz::refusals_expected([&] { index = BundleIndex::parse(reader.envelope().payload, "fuzz"); });
    Discard handler;
    fuzz::NullProgress progress;
    reader.stream(index, handler, progress);
    fuzz::check(reader.finished(), "stream() returned before the end of the archive");
  });
  return 0;
}
