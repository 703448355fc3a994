// The bundle reader on a whole .tar.zst stream, as raw bytes: the zstd
// decoder, libarchive's tar reader and the reader's own checks on whatever
// arrives. The index comes from the envelope's payload when it parses (the
// seeds are real bundles, a delta among them), else it is empty; the
// entries go through the image graph, whose check() then proves the images
// complete or refuses them, as verify does.

#include "formats/bundle_reader.hpp"
#include "formats/image_graph.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace airlock;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::MemFile file(fuzz::as_text(data, size));
  fuzz::refusals_expected([&] {
    BundleReader reader(file.path());
    BundleIndex index;
    fuzz::refusals_expected([&] { index = BundleIndex::parse(reader.envelope().payload, "fuzz"); });
    ImageGraph graph(index, "fuzz");
    fuzz::NullProgress progress;
    reader.stream(index, graph, progress);
    fuzz::check(reader.finished(), "stream() returned before the end of the archive");
    graph.check();
  });
  return 0;
}
